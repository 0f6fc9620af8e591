import type { ExecutionStats } from '../exec/execution-stats.js';
import { emptyStats } from '../exec/execution-stats.js';
import { formatCell } from './format-value.js';

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
}

export function errorResult(exception: QueryException, timeUsedMs: number, stats: ExecutionStats = emptyStats()): BrokerResult {
  return { columnNames: null, columnTypes: null, rows: [], exceptions: [exception], stats, numGroupsLimitReached: false, timeUsedMs, partialResult: false };
}

/**
 * Writes Pinot's `BrokerResponseNative` JSON by hand, so LONG values stay exact (a bigint is
 * printed as an integer literal, never through a double) and doubles print as Java prints them.
 * Field order: resultTable, exceptions, the server counts, the statistics of DESIGN.md §6, then
 * numGroupsLimitReached, timeUsedMs, numRowsResultSet, partialResult. A failed query has no
 * resultTable.
 */
export function writeBrokerResponse(r: BrokerResult): string {
  const parts: string[] = [];
  if (r.columnNames && r.columnTypes) {
    const types = r.columnTypes;
    const rows = r.rows.map((row) => `[${row.map((v, i) => formatCell(v, types[i]!)).join(',')}]`);
    parts.push(
      `"resultTable":{"dataSchema":{"columnNames":${JSON.stringify(r.columnNames)},"columnDataTypes":${JSON.stringify(types)}},"rows":[${rows.join(',')}]}`,
    );
  }
  const s = r.stats;
  parts.push(
    `"exceptions":${JSON.stringify(r.exceptions.map((e) => ({ errorCode: e.errorCode, message: e.message })))}`,
    `"numServersQueried":1`,
    `"numServersResponded":1`,
    `"numDocsScanned":${s.numDocsScanned}`,
    `"totalDocs":${s.totalDocs}`,
    `"numEntriesScannedInFilter":${s.numEntriesScannedInFilter}`,
    `"numEntriesScannedPostFilter":${s.numEntriesScannedPostFilter}`,
    `"numSegmentsQueried":${s.numSegmentsQueried}`,
    `"numSegmentsProcessed":${s.numSegmentsProcessed}`,
    `"numSegmentsMatched":${s.numSegmentsMatched}`,
    `"numConsumingSegmentsQueried":${s.numConsumingSegmentsQueried}`,
    `"minConsumingFreshnessTimeMs":${s.minConsumingFreshnessTimeMs}`,
    `"numGroupsLimitReached":${r.numGroupsLimitReached}`,
    `"timeUsedMs":${r.timeUsedMs}`,
    `"numRowsResultSet":${r.rows.length}`,
    `"partialResult":${r.partialResult}`,
  );
  return `{${parts.join(',')}}`;
}
