import Fastify from 'fastify';
import type { TableSchema } from '../src/config/schema.js';
import type { QueryableSegments } from '../src/query/index.js';
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
 * methods it calls (no ingestion here: the benchmark builds the segments itself).
 */
export async function startQueryServer(table: string, schema: TableSchema, segments: () => QueryableSegments): Promise<{ query(sql: string, options?: string): Promise<HttpAnswer>; close(): Promise<void> }> {
  const manager = {
    listTables: () => [table],
    isDisabled: () => false,
    getRuntime: (name: string) => (name === table ? { schema, queryableSegments: segments } : undefined),
    notRunningReason: () => '',
  } as unknown as TableManager;
  const app = Fastify({ logger: false, bodyLimit: 64 << 20 });
  await app.register(queryRoutes, { manager });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    async query(sql, options) {
      const start = process.hrtime.bigint();
      const res = await fetch(`${address}/query/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql, queryOptions: options }) });
      const body = (await res.json()) as { resultTable?: { rows: unknown[][] }; exceptions: unknown[]; partialResult: boolean };
      const ms = msSince(start);
      return { ms, rows: body.resultTable?.rows ?? [], exceptions: body.exceptions, partialResult: body.partialResult };
    },
    close: () => app.close(),
  };
}
