import { ShardtableError } from '../../errors.js';
import { withQueryStart } from '../exec/deadline.js';
import { dimTableResolver, resolveJoin } from '../dim/join-resolution.js';
import { parseSql } from '../parser/parse-statement.js';
import { planQuery } from '../plan/planner.js';
import { parseQueryOptionsString } from '../plan/query-options.js';
import { QueryError } from '../query-error.js';
import type { TableResolver } from '../query-engine.js';
import { executeToPartial } from './partial-execution.js';
import type { ServerPartial } from './partial-execution.js';

/** A broker's request for the partial answer over some of this server's segments (`POST /internal/cluster/query`). */
export interface PartialQueryRequest {
  readonly sql: string;
  /** The client's `queryOptions` text, as the broker received it. */
  readonly queryOptions?: string;
  /** The table's raw name (as the broker resolved it). */
  readonly table: string;
  /** Exactly the segments to read, by name. */
  readonly segments: readonly string[];
  /** When the broker received the query (epoch ms): `now()` and the deadline start from it. Default: now. */
  readonly startedMs?: number;
}

/** One segment a server serves now (`GET /internal/cluster/tables/{table}/segments`). */
export interface ServedSegment {
  readonly name: string;
  readonly consuming: boolean;
  readonly numDocs: number;
}

/** Checks a request body's fields; a 400 naming the first bad one. */
export function parsePartialQueryRequest(body: unknown): PartialQueryRequest {
  const bad = (detail: string): never => {
    throw new ShardtableError('BAD_REQUEST', { detail });
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('send a JSON object {sql, queryOptions?, table, segments}');
  const b = body as Record<string, unknown>;
  if (typeof b.sql !== 'string' || b.sql.trim() === '') bad('field sql must be a non-empty string');
  if (b.queryOptions !== undefined && b.queryOptions !== null && typeof b.queryOptions !== 'string') bad('field queryOptions must be a string like "timeoutMs=2000"');
  if (typeof b.table !== 'string' || b.table === '') bad('field table must be a table name');
  if (!Array.isArray(b.segments) || b.segments.some((s) => typeof s !== 'string')) bad('field segments must be an array of segment names');
  if (b.startedMs !== undefined && (typeof b.startedMs !== 'number' || !Number.isFinite(b.startedMs))) bad('field startedMs must be epoch milliseconds');
  return {
    sql: b.sql as string,
    ...(typeof b.queryOptions === 'string' ? { queryOptions: b.queryOptions } : {}),
    table: b.table as string,
    segments: b.segments as string[],
    ...(typeof b.startedMs === 'number' ? { startedMs: b.startedMs } : {}),
  };
}

/** The segments this server serves now for `table` (404 naming it when the table is not here). */
export function listServedSegments(tables: TableResolver, table: string): ServedSegment[] {
  const found = tables.resolve(table);
  if (found === undefined) throw new ShardtableError('TABLE_NOT_FOUND', { name: table });
  return found.snapshot().map((s) => ({ name: s.name, consuming: s.consuming, numDocs: s.numDocs }));
}

/**
 * Plans `request.sql` as the broker did and answers the partial result over exactly the named
 * segments (snapshotted now). An unknown table or segment is a 404 naming it; a dimension table
 * the query reads (a join, `lookUp`) is this server's own whole copy; an EXPLAIN is not split
 * across servers (720); other query errors are thrown as `QueryError` for the caller to answer.
 */
export async function runPartialQuery(tables: TableResolver, request: PartialQueryRequest): Promise<ServerPartial> {
  const started = request.startedMs ?? Date.now();
  const found = tables.resolve(request.table);
  if (found === undefined) throw new ShardtableError('TABLE_NOT_FOUND', { name: request.table });
  const options = request.queryOptions ? parseQueryOptionsString(request.queryOptions) : new Map<string, string>();
  const { stmt, table } = resolveJoin(parseSql(request.sql, options), tables);
  if (stmt.join !== null || stmt.explain) throw new QueryError('QUERY_PLANNING', 'an EXPLAIN is answered by the broker alone, not split across servers');
  if (table.name !== found.name) throw new ShardtableError('BAD_REQUEST', { detail: `the query reads table ${table.name}, not ${found.name} (field table)` });
  // A dimension table (lookUp, a join) is read from this server's own copy: each server holds it whole.
  const plan = withQueryStart(started, () => planQuery(stmt, table.schema, table.name, options, dimTableResolver(tables)));
  const byName = new Map(table.snapshot().map((s) => [s.name, s]));
  const missing = request.segments.filter((name) => !byName.has(name));
  if (missing.length > 0) throw new ShardtableError('SEGMENT_NOT_FOUND', { segment: missing.join(', '), table: table.name });
  return executeToPartial(plan, request.segments.map((name) => byName.get(name)!), started + plan.options.timeoutMs);
}
