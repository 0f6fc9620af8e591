import type { TableSchema } from '../config/schema.js';
import type { Clock } from './exec/deadline.js';
import { withQueryStart } from './exec/deadline.js';
import { emptyStats } from './exec/execution-stats.js';
import { executePlan } from './exec/executor.js';
import { explainPlan } from './exec/explain-plan.js';
import type { SegmentSnapshot } from './exec/segment-snapshot.js';
import { dimTableResolver, resolveJoin } from './dim/join-resolution.js';
import { parseSql } from './parser/parse-statement.js';
import { DEFAULT_LIMIT, planQuery } from './plan/planner.js';
import { parseQueryOptionsString } from './plan/query-options.js';
import type { AggregationPlan } from './plan/query-plan.js';
import { executeInParallel } from './parallel/parallel-executor.js';
import { executePartitioned } from './parallel/partitioned-executor.js';
import { parallelRoute } from './parallel/partitioned-plan.js';
import type { WorkerQuery } from './parallel/messages.js';
import type { ParallelExecution } from './parallel/parallel-executor.js';
import { sharedParallelExecution } from './parallel/pool-config.js';
import type { QueryScatter } from './partial/scatter.js';
import { QueryError } from './query-error.js';
import { errorResult } from './response/broker-response.js';
import type { BrokerResult } from './response/broker-response.js';

/**
 * A table as the query engine sees it, once found by name. A resolver usually builds it from a
 * running table (`QueryableTable`): `{ name, schema: t.schema, snapshot: () => snapshotRuntime(t) }`.
 */
export interface QueryTable {
  /** The table's raw name (as created). */
  readonly name: string;
  readonly schema: TableSchema;
  /** `isDimTable: true` in its table config: `lookUp()` and joins may read it whole. */
  readonly isDimTable?: boolean;
  /** Stable for the table's life (its runtime): the cache key of a dimension table's in-memory index. */
  readonly identity?: object;
  /**
   * Snapshots of every segment, taken synchronously now: sealed files plus consuming segments
   * frozen at their current row count, so the query reads each row exactly once.
   */
  snapshot(): SegmentSnapshot[];
}

/** Numbers the queries of this process (worker threads cache plans by it). */
let queryIds = 0;

/** The columns of an `EXPLAIN PLAN FOR` answer (Pinot's single-stage plan table). */
const EXPLAIN_SHAPE = { columnNames: ['Operator', 'Operator_Id', 'Parent_Id'], columnTypes: ['STRING', 'INT', 'INT'] } as const;

/** Finds tables by the name a query uses. */
export interface TableResolver {
  /** The table, or undefined when none has that name. Throws `QueryError` `BROKER_RESOURCE_MISSING` (410) if it exists but nothing serves it. */
  resolve(name: string): QueryTable | undefined;
}

/**
 * Pinot's table-name rules for a query: case-insensitive, with an optional `_REALTIME` suffix
 * (every shardtable table is a realtime table; `_OFFLINE` names none).
 */
export function matchTableName(written: string, names: readonly string[]): string | undefined {
  const raw = written.replace(/_REALTIME$/i, '');
  if (/_OFFLINE$/i.test(written)) return undefined;
  return names.find((n) => n === raw) ?? names.find((n) => n.toLowerCase() === raw.toLowerCase());
}

/**
 * The broker: parse → plan → snapshot segments → execute → result (or, for `EXPLAIN PLAN FOR`,
 * the plan table the executor would follow on these segments). Never throws: every failure
 * becomes an `exceptions` entry with Pinot's error code.
 *
 * @example
 *   const engine = new QueryEngine(resolver);
 *   const result = await engine.query("SELECT count(*) FROM events", 'timeoutMs=2000');
 *   reply.send(writeBrokerResponse(result));
 */
export class QueryEngine {
  private readonly clock: Clock;
  private readonly parallel: ParallelExecution | null | undefined;
  private readonly scatter: QueryScatter | null;

  /**
   * `options.clock` replaces `Date.now` for deadlines and `timeUsedMs` (tests make time
   * deterministic; such queries run on the main thread). `options.parallel`: the worker pool and
   * row threshold for queries over sealed segments; default the process's
   * (`sharedParallelExecution`), null = every query on the main thread. `options.scatter`: a
   * cluster broker; single-table queries then run across its servers (joins, `lookUp` and EXPLAIN
   * stay here).
   */
  constructor(
    private readonly tables: TableResolver,
    options: { readonly clock?: Clock; readonly parallel?: ParallelExecution | null; readonly scatter?: QueryScatter | null } = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.parallel = options.parallel;
    this.scatter = options.scatter ?? null;
  }

  async query(sql: string, queryOptions?: string): Promise<BrokerResult> {
    const started = this.clock();
    try {
      if (typeof sql !== 'string' || sql.trim() === '') throw new QueryError('SQL_PARSING', 'the query is empty; send {"sql": "SELECT …"}');
      const requestOptions = queryOptions ? parseQueryOptionsString(queryOptions) : new Map<string, string>();
      const parsed = parseSql(sql, requestOptions);
      const readsDims = { value: false };
      const resolveDim = dimTableResolver(this.tables);
      const dims = (name: string): ReturnType<typeof resolveDim> => {
        readsDims.value = true;
        return resolveDim(name);
      };
      const { stmt, table } = resolveJoin(parsed, this.tables);
      const plan = withQueryStart(started, () => planQuery(stmt, table.schema, table.name, requestOptions, dims));
      const deadlineMs = started + plan.options.timeoutMs;
      // Scattered: one-table queries and those reading a dimension table (lookUp, a join rewritten
      // onto its fact table), since every cluster server holds a whole copy of each dimension
      // table; not a query on a dimension table itself (this server's copy is whole), nor EXPLAIN.
      if (this.scatter !== null && !stmt.explain && stmt.join === null && table.isDimTable !== true) {
        const scattered = await this.scatter.execute({ sql, queryOptions, table: table.name, plan, startedMs: started, deadlineMs });
        if (scattered.failure !== undefined) return errorResult(scattered.failure, this.clock() - started);
        const { result } = scattered;
        return {
          columnNames: plan.columnNames,
          columnTypes: plan.columnTypes,
          rows: result.rows,
          exceptions: scattered.exceptions,
          stats: result.stats,
          numGroupsLimitReached: result.numGroupsLimitReached,
          timeUsedMs: this.clock() - started,
          partialResult: result.numGroupsLimitReached || scattered.partial,
          clientRequestId: plan.options.clientQueryId,
          servers: { queried: scattered.numServersQueried, responded: scattered.numServersResponded },
        };
      }
      const segments = table.snapshot();
      if (stmt.explain) {
        const rows = explainPlan(plan, segments, stmt.limit ?? DEFAULT_LIMIT, plan.options.explainPlanVerbose);
        return { ...EXPLAIN_SHAPE, rows, exceptions: [], stats: emptyStats(), numGroupsLimitReached: false, timeUsedMs: this.clock() - started, partialResult: false, clientRequestId: plan.options.clientQueryId };
      }
      // A worker plans the query again from its text: not one that reads a dimension table.
      const parallel = this.clock === Date.now && stmt.join === null && !readsDims.value ? (this.parallel === undefined ? sharedParallelExecution() : this.parallel) : null;
      const route = parallel === null ? null : parallelRoute(plan, segments, parallel);
      const workerQuery = (): WorkerQuery => ({ id: ++queryIds, sql, options: queryOptions, startedMs: started, tableName: table.name, schema: table.schema });
      const result =
        route === null || !parallel!.pool.isReady()
          ? await executePlan(plan, segments, deadlineMs, this.clock)
          : route.kind === 'partitioned'
            ? await executePartitioned(plan as AggregationPlan, segments, deadlineMs, parallel!.pool, workerQuery(), route.partitions)
            : await executeInParallel(plan, segments, deadlineMs, parallel!, workerQuery());
      return {
        columnNames: plan.columnNames,
        columnTypes: plan.columnTypes,
        rows: result.rows,
        exceptions: [],
        stats: result.stats,
        numGroupsLimitReached: result.numGroupsLimitReached,
        timeUsedMs: this.clock() - started,
        partialResult: result.numGroupsLimitReached,
        clientRequestId: plan.options.clientQueryId,
        ...(result.memory !== undefined && result.memory.exceededBytes > 0 ? { memoryBudgetExceededBytes: result.memory.exceededBytes } : {}),
      };
    } catch (err) {
      const e = err instanceof QueryError ? err : new QueryError('QUERY_EXECUTION', err instanceof Error ? err.message : String(err));
      return errorResult({ errorCode: e.errorCode, message: e.message }, this.clock() - started);
    }
  }
}
