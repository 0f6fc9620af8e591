import type { ExecutionStats } from '../exec/execution-stats.js';
import { emptyStats } from '../exec/execution-stats.js';
import { rowsJson } from './rows-json.js';

export interface QueryException {
  readonly errorCode: number;
  readonly message: string;
}

/** Everything a broker response carries, before it is written as JSON. */
export interface BrokerResult {
  readonly columnNames: readonly string[] | null;
  readonly columnTypes: readonly string[] | null;
  readonly rows: readonly (readonly unknown[])[];
  readonly exceptions: readonly QueryException[];
  readonly stats: ExecutionStats;
  readonly numGroupsLimitReached: boolean;
  readonly timeUsedMs: number;
  readonly partialResult: boolean;
  /** The query's `clientQueryId` option (Pinot's `clientRequestId`); null or absent when not given. */
  readonly clientRequestId?: string | null;
  /** Servers a cluster broker sent the query to and those that answered; absent: this server alone (1 and 1). */
  readonly servers?: { readonly queried: number; readonly responded: number };
  /**
   * Bytes by which this query's reserved memory plus the block cache's floor exceeded the memory
   * budget while it ran (docs/decisions.md, "Query memory inside the memory budget"); absent when
   * it stayed within.
   */
  readonly memoryBudgetExceededBytes?: number;
}

export function errorResult(exception: QueryException, timeUsedMs: number, stats: ExecutionStats = emptyStats()): BrokerResult {
  return { columnNames: null, columnTypes: null, rows: [], exceptions: [exception], stats, numGroupsLimitReached: false, timeUsedMs, partialResult: false };
}

/**
 * What the broker knows about a request beyond its result: Pinot's `requestId` and `brokerId`, the
 * table the query read (`tablesQueried`, raw name), and `traceInfo` (filled with `trace=true`).
 */
export interface BrokerRequestContext {
  readonly requestId: string;
  readonly brokerId: string;
  readonly tablesQueried: readonly string[];
  readonly traceInfo: Readonly<Record<string, string>>;
}

const NO_CONTEXT: BrokerRequestContext = { requestId: '', brokerId: '', tablesQueried: [], traceInfo: {} };

/**
 * Writes Pinot's `BrokerResponseNative` JSON by hand, so LONG values stay exact (a bigint is
 * printed as an integer literal, never through a double) and doubles print as Java prints them.
 * Fields in Pinot's `@JsonPropertyOrder`; a failed query has no resultTable. Counters this server
 * has no such thing for are Pinot's defaults: no broker pruning, no offline side, CPU and memory
 * measurement off (Pinot's default), `brokerReduceTimeMs` 0 (the merge runs inside the
 * execution, counted in `timeUsedMs`). `numSegmentsPrunedByServer` is every queried segment the
 * executor did not process: empty ones, those pruned by value (`numSegmentsPrunedByValue`), and
 * those not needed once a selection LIMIT was filled (`numSegmentsPrunedByLimit`).
 */
export function writeBrokerResponse(r: BrokerResult, context: BrokerRequestContext = NO_CONTEXT): string {
  const parts: string[] = [];
  if (r.columnNames && r.columnTypes) {
    const types = r.columnTypes;
    parts.push(
      `"resultTable":{"dataSchema":{"columnNames":${JSON.stringify(r.columnNames)},"columnDataTypes":${JSON.stringify(types)}},"rows":${rowsJson(r.rows, types)}}`,
    );
  }
  const s = r.stats;
  const prunedByServer = Math.max(0, s.numSegmentsQueried - s.numSegmentsProcessed);
  const zero = (...names: string[]): string[] => names.map((n) => `"${n}":0`);
  parts.push(
    `"numRowsResultSet":${r.rows.length}`,
    `"partialResult":${r.partialResult}`,
    `"exceptions":${JSON.stringify(r.exceptions.map((e) => ({ errorCode: e.errorCode, message: e.message })))}`,
    `"numGroupsLimitReached":${r.numGroupsLimitReached}`,
    `"numGroupsWarningLimitReached":false`,
    `"maxRowsInDistinctReached":false`,
    `"maxRowsWithoutChangeInDistinctReached":false`,
    `"maxExecutionTimeInDistinctReached":false`,
    `"timeUsedMs":${r.timeUsedMs}`,
    `"requestId":${JSON.stringify(context.requestId)}`,
    `"clientRequestId":${JSON.stringify(r.clientRequestId ?? null)}`,
    `"brokerId":${JSON.stringify(context.brokerId)}`,
    `"numDocsScanned":${s.numDocsScanned}`,
    `"totalDocs":${s.totalDocs}`,
    `"numEntriesScannedInFilter":${s.numEntriesScannedInFilter}`,
    `"numEntriesScannedPostFilter":${s.numEntriesScannedPostFilter}`,
    `"numServersQueried":${r.servers?.queried ?? 1}`,
    `"numServersResponded":${r.servers?.responded ?? 1}`,
    `"numSegmentsQueried":${s.numSegmentsQueried}`,
    `"numSegmentsProcessed":${s.numSegmentsProcessed}`,
    `"numSegmentsMatched":${s.numSegmentsMatched}`,
    `"numConsumingSegmentsQueried":${s.numConsumingSegmentsQueried}`,
    `"numConsumingSegmentsProcessed":${s.numConsumingSegmentsProcessed}`,
    `"numConsumingSegmentsMatched":${s.numConsumingSegmentsMatched}`,
    `"minConsumingFreshnessTimeMs":${s.minConsumingFreshnessTimeMs}`,
    `"numSegmentsPrunedByBroker":0`,
    `"numSegmentsPrunedByServer":${prunedByServer}`,
    `"numSegmentsPrunedInvalid":0`,
    `"numSegmentsPrunedByLimit":${s.numSegmentsPrunedByLimit}`,
    `"numSegmentsPrunedByValue":${s.numSegmentsPrunedByValue}`,
    `"brokerReduceTimeMs":0`,
    ...zero(
      'offlineThreadCpuTimeNs', 'realtimeThreadCpuTimeNs', 'offlineSystemActivitiesCpuTimeNs', 'realtimeSystemActivitiesCpuTimeNs',
      'offlineResponseSerializationCpuTimeNs', 'realtimeResponseSerializationCpuTimeNs', 'offlineTotalCpuTimeNs', 'realtimeTotalCpuTimeNs',
      'explainPlanNumEmptyFilterSegments', 'explainPlanNumMatchAllFilterSegments',
    ),
    `"traceInfo":${JSON.stringify(context.traceInfo)}`,
    `"tablesQueried":${JSON.stringify(context.tablesQueried)}`,
    ...zero(
      'offlineThreadMemAllocatedBytes', 'realtimeThreadMemAllocatedBytes', 'offlineResponseSerMemAllocatedBytes',
      'realtimeResponseSerMemAllocatedBytes', 'offlineTotalMemAllocatedBytes', 'realtimeTotalMemAllocatedBytes',
    ),
    `"pools":[]`,
    `"rlsFiltersApplied":false`,
    `"groupsTrimmed":false`,
    // Not a Pinot field: upsert tables only (`docs/upsert.md`, "Queries").
    ...(s.liveRows !== null ? [`"shardtableLiveRows":${s.liveRows}`] : []),
    // Not a Pinot field: only when the query went past the memory budget (`docs/query.md`, "Query memory").
    ...(r.memoryBudgetExceededBytes !== undefined && r.memoryBudgetExceededBytes > 0 ? [`"shardtableMemoryBudgetExceededBytes":${r.memoryBudgetExceededBytes}`] : []),
  );
  return `{${parts.join(',')}}`;
}
