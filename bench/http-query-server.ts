import { Agent, request } from 'node:http';
import Fastify from 'fastify';
import type { TableSchema } from '../src/config/schema.js';
import type { QueryableSegments } from '../src/query/index.js';
import type { ClusterAttachment } from '../src/server/cluster-attachment.js';
import { clusterRoutes } from '../src/server/routes/cluster-routes.js';
import { queryRoutes } from '../src/server/routes/query-routes.js';
import type { TableManager } from '../src/table/table-manager.js';
import { msSince } from './harness.js';

/** A query answered through HTTP: the client's wall time and the decoded broker response. */
export interface HttpAnswer {
  readonly ms: number;
  readonly rows: unknown[][];
  readonly exceptions: unknown[];
  readonly partialResult: boolean;
}

/**
 * The server's own query route (`POST /query/sql`, Fastify, loopback) over one table held by the
 * benchmark. The route reads tables through a `TableManager`; this is a double of the four
 * methods it calls: a runtime with the schema, a table config that is not a dimension table, and
 * the segments (no ingestion here: the benchmark builds the segments itself). With `cluster`, the
 * server is also a cluster member (internal endpoints; `/query/sql` scatters once a member is attached).
 */
export async function startQueryServer(
  table: string,
  schema: TableSchema,
  segments: () => QueryableSegments,
  cluster?: ClusterAttachment,
): Promise<{ readonly url: string; readonly manager: TableManager; query(sql: string, options?: string): Promise<HttpAnswer>; close(): Promise<void> }> {
  const manager = {
    listTables: () => [table],
    isDisabled: () => false,
    getRuntime: (name: string) => (name === table ? { schema, config: { tableName: table }, queryableSegments: segments } : undefined),
    notRunningReason: () => '',
  } as unknown as TableManager;
  const app = Fastify({ logger: false, bodyLimit: 64 << 20 });
  // With `cluster`: a cluster member's routes too (the attachment's member is set by the caller).
  await app.register(queryRoutes, cluster ? { manager, cluster } : { manager });
  if (cluster) await app.register(clusterRoutes, { manager, cluster, serverName: 'Server_bench' });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  // A lean client, as a service calling the broker keeps one: node:http with keep-alive (undici's
  // fetch adds ~0.5 ms per request of its own on this machine).
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request(`${address}/query/sql`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    url: address,
    manager,
    async query(sql, options) {
      const start = process.hrtime.bigint();
      const text = await post(JSON.stringify({ sql, queryOptions: options }));
      const body = JSON.parse(text) as { resultTable?: { dataSchema: { columnDataTypes: string[] }; rows: unknown[][] }; exceptions: unknown[]; partialResult: boolean };
      const ms = msSince(start);
      return { ms, rows: epochTimestamps(body.resultTable), exceptions: body.exceptions, partialResult: body.partialResult };
    },
    close: async () => {
      agent.destroy();
      await app.close();
    },
  };
}

/** Rows with TIMESTAMP cells (Pinot's `"2026-09-21 14:52:38.37"`, UTC) back as epoch millis, as the engine returns them. */
function epochTimestamps(table: { dataSchema: { columnDataTypes: string[] }; rows: unknown[][] } | undefined): unknown[][] {
  if (table === undefined) return [];
  const types = table.dataSchema.columnDataTypes;
  if (!types.includes('TIMESTAMP')) return table.rows;
  return table.rows.map((row) => row.map((v, i) => (types[i] === 'TIMESTAMP' && typeof v === 'string' ? Date.parse(`${v.replace(' ', 'T')}Z`) : v)));
}
