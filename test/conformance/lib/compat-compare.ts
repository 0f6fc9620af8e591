import type { BrokerResponse } from './broker-response.js';
import { exceptionsText } from './broker-response.js';
import { canonCell, exactText, missingFrom, round2Text, sameMultiset } from './cells.js';
import type { Cell } from './cells.js';
import { orderByColumnIndexes, sqlShape } from './sql-shape.js';

/**
 * Pinot's compat-verifier comparison (`SqlResultComparator`), made a little stricter where Pinot's
 * is loose. What Pinot does, and what we do:
 *
 * 1. Any `exceptions` entry fails the query. (Same.)
 * 2. `dataSchema`: column names and types must be equal. A result file may list alternatives for a
 *    type (`"DOUBLE,LONG"`, where Pinot versions differ); any one of them is accepted.
 *    When both results have no rows Pinot compares nothing (its own empty answers carry
 *    placeholder types, e.g. `STRING` for a LONG column when every segment was pruned); we still
 *    require equal column names, but not types.
 * 3. FLOAT/DOUBLE cells (and their arrays) are compared after Java's `Math.round(x*100)/100`
 *    (with Java's saturation beyond ±9.2e16, which the result files were written through), so
 *    `12.1` and `12.100000381469727` agree. Other cells compare exactly (LONG as exact 64-bit
 *    integers).
 * 4. `"isSuperset": true` in the expected line: every returned row must be among the expected rows
 *    (Pinot's `containsAll`; multiplicity ignored, as in Pinot). No length check.
 * 5. Otherwise the row counts must be equal, then:
 *    - with ORDER BY: the ORDER BY columns (matched to select-list items by text) must give the
 *      same sequence of values row by row; within a run of equal ORDER BY values the other columns
 *      must be the same multiset. The last run may be cut by LIMIT, so when the result is exactly
 *      LIMIT rows long its other columns are not compared (Pinot skips them for the last run
 *      always, and only checks that the set of ORDER BY values is the same, not their order);
 *    - without ORDER BY: the rows must be the same multiset (Pinot: sorted lists equal).
 * Statistics (`numDocsScanned` and friends) are not compared: they differ by engine.
 */
export interface Verdict {
  readonly ok: boolean;
  readonly reason?: string;
}

const FLOATY = new Set(['FLOAT', 'DOUBLE', 'FLOAT_ARRAY', 'DOUBLE_ARRAY']);

export function compareCompat(query: string, expected: BrokerResponse, actual: BrokerResponse): Verdict {
  if ((actual.exceptions ?? []).length > 0) return { ok: false, reason: `exceptions: ${exceptionsText(actual)}` };
  const exp = expected.resultTable;
  const act = actual.resultTable;
  if (exp === undefined) return { ok: false, reason: 'expected line has no resultTable' };
  if (act === undefined) return { ok: false, reason: 'no resultTable in the response' };

  const names = JSON.stringify(act.dataSchema.columnNames);
  if (names !== JSON.stringify(exp.dataSchema.columnNames)) {
    return { ok: false, reason: `columnNames ${names} != expected ${JSON.stringify(exp.dataSchema.columnNames)}` };
  }
  if (exp.rows.length === 0 && act.rows.length === 0) return { ok: true };
  const expTypes = exp.dataSchema.columnDataTypes.map((t) => t.split(',').map((a) => a.trim()));
  const actTypes = act.dataSchema.columnDataTypes;
  const badType = expTypes.findIndex((alts, i) => !alts.includes(actTypes[i] ?? ''));
  if (badType >= 0 || actTypes.length !== expTypes.length) {
    return { ok: false, reason: `columnDataTypes ${JSON.stringify(actTypes)} != expected ${JSON.stringify(exp.dataSchema.columnDataTypes)}` };
  }

  const numFor = expTypes.map((alts) => (alts.some((a) => FLOATY.has(a)) ? round2Text : exactText));
  const canonRow = (row: readonly Cell[]): string[] => numFor.map((num, j) => canonCell(row[j], num));
  const expRows = exp.rows.map(canonRow);
  const actRows = act.rows.map(canonRow);
  const joined = (rows: string[][]): string[] => rows.map((r) => r.join(' | '));

  if (expected.isSuperset === true) {
    const missing = missingFrom(joined(actRows), joined(expRows), false);
    return missing.length === 0 ? { ok: true } : { ok: false, reason: `rows not among the expected (isSuperset): ${missing.slice(0, 3).join('; ')}` };
  }
  if (actRows.length !== expRows.length) return { ok: false, reason: `${actRows.length} rows, expected ${expRows.length}` };

  const shape = sqlShape(query);
  const keyIdx = orderByColumnIndexes(shape).filter((i) => i >= 0);
  if (shape.orderBy.length === 0 || keyIdx.length === 0) {
    return sameMultiset(joined(actRows), joined(expRows)) ? { ok: true } : { ok: false, reason: 'rows differ (compared as a multiset: no ORDER BY)' };
  }
  return compareOrderedRuns(actRows, expRows, keyIdx, shape.limit ?? 10);
}

/**
 * Ordered comparison tolerant of ties: ORDER BY values equal row by row; other columns equal as a
 * multiset within each run of equal ORDER BY values; the last run's other columns are skipped
 * when the result may have been cut by `limit`.
 */
export function compareOrderedRuns(actRows: string[][], expRows: string[][], keyIdx: readonly number[], limit: number): Verdict {
  const key = (r: string[]): string => keyIdx.map((i) => r[i]).join(' | ');
  const rest = (r: string[]): string => r.filter((_, i) => !keyIdx.includes(i)).join(' | ');
  for (let i = 0; i < actRows.length; i++) {
    if (key(actRows[i]!) !== key(expRows[i]!)) {
      return { ok: false, reason: `row ${i}: ORDER BY values (${key(actRows[i]!)}) != expected (${key(expRows[i]!)})` };
    }
  }
  const truncated = actRows.length >= limit;
  let start = 0;
  while (start < actRows.length) {
    let end = start + 1;
    while (end < actRows.length && key(actRows[end]!) === key(actRows[start]!)) end++;
    const last = end === actRows.length;
    if (!(last && truncated)) {
      const a = actRows.slice(start, end).map(rest);
      const e = expRows.slice(start, end).map(rest);
      if (!sameMultiset(a, e)) return { ok: false, reason: `rows ${start}..${end - 1} (ORDER BY values ${key(actRows[start]!)}): other columns differ` };
    }
    start = end;
  }
  return { ok: true };
}
