import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { QueryEngine, QueryError, matchTableName, snapshotRuntime, writeBrokerResponse } from '../../query/index.js';
import type { TableResolver } from '../../query/index.js';
import type { TableManager } from '../../table/table-manager.js';

/** Query tables through the table manager: case-insensitive names, optional `_REALTIME`. */
export function managerTableResolver(manager: TableManager): TableResolver {
  return {
    resolve(name) {
      const table = matchTableName(name, manager.listTables());
      if (table === undefined) return undefined;
      const runtime = manager.getRuntime(table);
      // A table whose stream is down still has a runtime and answers from its sealed segments;
      // only a table that is starting or failed to start has none.
      if (!runtime) throw new QueryError('BROKER_RESOURCE_MISSING', { name: table, detail: manager.notRunningReason(table) });
      return { name: table, schema: runtime.schema, snapshot: () => snapshotRuntime(runtime) };
    },
  };
}

interface QueryBody {
  sql?: unknown;
  queryOptions?: unknown;
}

function optionText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Pinot's broker endpoints on this server:
 * - `POST /query/sql` with `{"sql": "...", "queryOptions": "timeoutMs=100;..."}`
 * - `GET /query/sql?sql=...&queryOptions=...`
 * - `GET /v2/brokers/tables?state=ONLINE`: every table mapped to this server as its broker, as
 *   Pinot's controller answers (clients discover brokers through it).
 * Query errors are answered 200 with Pinot's `exceptions` entries, as Pinot's broker does.
 */
export const queryRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  const engine = new QueryEngine(managerTableResolver(manager));
  const answer = async (request: FastifyRequest, reply: FastifyReply, sql: unknown, options: unknown): Promise<FastifyReply> => {
    const result = await engine.query(typeof sql === 'string' ? sql : '', optionText(options));
    if (result.exceptions.length > 0) {
      request.log.info({ errorCode: result.exceptions[0]!.errorCode, error: result.exceptions[0]!.message.slice(0, 500) }, 'query failed');
    }
    return reply.type('application/json; charset=utf-8').send(writeBrokerResponse(result));
  };
  app.post('/query/sql', async (request, reply) => {
    const body = (request.body ?? {}) as QueryBody;
    return answer(request, reply, typeof body === 'object' && body !== null ? body.sql : undefined, body?.queryOptions);
  });
  app.get('/query/sql', async (request, reply) => {
    const q = request.query as QueryBody;
    return answer(request, reply, q.sql, q.queryOptions);
  });
  app.get('/v2/brokers/tables', async (request, reply) => {
    const address = app.server.address();
    const listening = typeof address === 'object' && address !== null ? address : null;
    const hostHeader = request.headers.host ?? '';
    const host = listening?.address && listening.address !== '::' && listening.address !== '0.0.0.0' ? listening.address : request.hostname.replace(/:\d+$/, '') || 'localhost';
    const port = listening?.port ?? (Number(/:(\d+)$/.exec(hostHeader)?.[1]) || 9000);
    const brokers = [{ instanceName: `Broker_${host}_${port}`, host, port }];
    const body: Record<string, unknown> = {};
    for (const table of manager.listTables()) body[table] = brokers;
    return reply.type('application/json; charset=utf-8').send(body);
  });
};
