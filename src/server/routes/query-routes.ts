import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOfQueryError, ShardtableError } from '../../errors.js';
import { QueryEngine, QueryError, matchTableName, parseSql, snapshotRuntime, writeBrokerResponse } from '../../query/index.js';
import type { TableResolver } from '../../query/index.js';
import type { TableManager } from '../../table/table-manager.js';
import { brokerInstance } from '../broker-identity.js';
import type { ClusterAttachment } from '../cluster-attachment.js';

/**
 * Query tables through the table manager: case-insensitive names, optional `_REALTIME`.
 * `onResolved` sees the raw name of each table a query reads (for `tablesQueried`).
 */
export function managerTableResolver(manager: TableManager, onResolved: (table: string) => void = () => undefined): TableResolver {
  return {
    resolve(name) {
      const table = matchTableName(name, manager.listTables());
      if (table === undefined) return undefined;
      onResolved(table);
      if (manager.isDisabled(table)) throw new QueryError('TABLE_IS_DISABLED', { name: table });
      const runtime = manager.getRuntime(table);
      // A table whose stream is down still has a runtime and answers from its sealed segments;
      // only a table that is starting or failed to start has none.
      if (!runtime) throw new QueryError('BROKER_RESOURCE_MISSING', { name: table, detail: manager.notRunningReason(table) });
      return { name: table, schema: runtime.schema, isDimTable: runtime.config.isDimTable === true, identity: runtime, snapshot: () => snapshotRuntime(runtime) };
    },
  };
}

interface QueryBody {
  sql?: unknown;
  queryOptions?: unknown;
  trace?: unknown;
}

const MISSING_SQL = "Payload is missing the query string field 'sql'";

function optionText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Pinot's `SqlSyntaxValidationResponse` (`POST /query/sql/validateSyntax`): `{valid: true,
 * sqlType: "DQL"}` or `{valid: false, errorMessage}`, 200 either way. No table or schema is looked
 * up. The parser is shardtable's, so whatever it refuses is invalid here, including constructs only
 * Pinot's multi-stage engine runs (the message says so).
 */
export function validateSyntax(sql: string): { valid: boolean; sqlType?: string; errorMessage?: string } {
  try {
    if (sql.trim() === '') throw new QueryError('SQL_PARSING', 'the query is empty');
    parseSql(sql);
    return { valid: true, sqlType: 'DQL' };
  } catch (err) {
    return { valid: false, errorMessage: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Pinot's broker endpoints on this server:
 * - `POST /query/sql` with `{"sql": "...", "queryOptions": "timeoutMs=100;...", "trace": true}`
 * - `GET /query/sql?sql=...&queryOptions=...&trace=true`
 * - `POST /query/sql/validateSyntax` with `{"sql": "..."}`: parses only ({@link validateSyntax})
 * - `GET /v2/brokers/tables?state=ONLINE`: every table mapped to this server as its broker, as
 *   Pinot's controller answers (clients discover brokers through it).
 * Query errors are answered 200 with Pinot's `exceptions` entries, as Pinot's broker does, unless
 * the client sends `Pinot-Use-Http-Status-For-Errors: true` (then the first error's HTTP status);
 * `X-Pinot-Error-Code` carries the first error's code, `-1` when there is none. A request without
 * `sql` is a 400 before any query runs (Pinot's `BadRequestException`).
 */
export const queryRoutes: FastifyPluginAsync<{ manager: TableManager; cluster?: ClusterAttachment }> = async (app, { manager, cluster }) => {
  let nextRequestId = 0;
  const answer = async (request: FastifyRequest, reply: FastifyReply, body: QueryBody): Promise<FastifyReply> => {
    if (typeof body.sql !== 'string') throw new ShardtableError('BAD_REQUEST', { detail: MISSING_SQL });
    const tablesQueried: string[] = [];
    // One engine per request (it only holds the resolver), so `tablesQueried` is this query's.
    // In cluster mode a single-table query runs across the live servers (docs/cluster.md).
    const scatter = cluster?.node?.broker ?? null;
    const engine = new QueryEngine(managerTableResolver(manager, (table) => tablesQueried.push(table)), { scatter });
    const result = await engine.query(body.sql, optionText(body.queryOptions));
    const first = result.exceptions[0];
    if (first) request.log.info({ errorCode: first.errorCode, error: first.message.slice(0, 500) }, 'query failed');
    const brokerId = brokerInstance(app, request).instanceName;
    const trace = body.trace === true || body.trace === 'true';
    const traceInfo = trace ? { [brokerId]: JSON.stringify([{ QueryExecution: { timeUsedMs: result.timeUsedMs, ...result.stats } }]) } : {};
    const context = { requestId: String(++nextRequestId), brokerId, tablesQueried: [...new Set(tablesQueried)], traceInfo };
    const useStatus = String(request.headers['pinot-use-http-status-for-errors']).toLowerCase() === 'true';
    return reply
      .code(first && useStatus ? httpStatusOfQueryError(first.errorCode) : 200)
      .header('X-Pinot-Error-Code', String(first?.errorCode ?? -1))
      .type('application/json; charset=utf-8')
      .send(writeBrokerResponse(result, context));
  };
  app.post('/query/sql', async (request, reply) => {
    const body = request.body;
    return answer(request, reply, typeof body === 'object' && body !== null ? (body as QueryBody) : {});
  });
  app.get('/query/sql', async (request, reply) => answer(request, reply, request.query as QueryBody));
  app.post('/query/sql/validateSyntax', async (request, reply) => {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as QueryBody;
    if (typeof body.sql !== 'string') throw new ShardtableError('BAD_REQUEST', { detail: MISSING_SQL });
    return reply.type('application/json; charset=utf-8').send(validateSyntax(body.sql));
  });
  app.get('/v2/brokers/tables', async (request, reply) => {
    const brokers = [brokerInstance(app, request)];
    const body: Record<string, unknown> = {};
    for (const table of manager.listTables()) body[table] = brokers;
    return reply.type('application/json; charset=utf-8').send(body);
  });
};
