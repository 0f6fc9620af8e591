import type { AirlineQuery } from './airline.js';
import { exceptionsText } from './broker-response.js';
import type { BrokerResponse } from './broker-response.js';
import type { Cell } from './cells.js';
import { showRows } from './cells.js';
import type { DuckDbOracle } from './duckdb-oracle.js';
import { toDuckDb } from './h2-to-duckdb.js';
import { KNOWN_DIFFERENCES } from './known-differences.js';
import type { KnownDifference } from './known-differences.js';
import { compareWithOracle, oracleRule } from './oracle-compare.js';
import type { QueryOutcome } from './report.js';
import { sqlShape, withOrderKeysSelected, withoutLimit } from './sql-shape.js';

/** Anything that answers Pinot SQL with a broker response (the harness, or a stub in unit tests). */
export interface QueryTarget {
  query(sql: string): Promise<BrokerResponse>;
}

export interface ReferenceAnswer {
  readonly sql: string;
  readonly rows: Cell[][];
  readonly hiddenKeys: number;
}

/**
 * The oracle's answer for the comparison rule the Pinot query calls for: the translated reference
 * as is for aggregations; without its LIMIT otherwise (all qualifying rows); with hidden ORDER BY
 * expressions appended to the select list when the query orders by columns it does not select.
 */
export async function referenceAnswer(oracle: DuckDbOracle, q: AirlineQuery): Promise<ReferenceAnswer> {
  const shape = sqlShape(q.sql);
  const rule = oracleRule(shape);
  let sql = toDuckDb(q.reference);
  let hiddenKeys = 0;
  if (rule !== 'aggregation') sql = withoutLimit(sql);
  if (rule === 'ordered-hidden') ({ sql, added: hiddenKeys } = withOrderKeysSelected(sql));
  const { rows } = await oracle.query(sql);
  return { sql, rows, hiddenKeys };
}

export async function runAirlineQuery(target: QueryTarget, oracle: DuckDbOracle, file: string, q: AirlineQuery, known: ReadonlyMap<string, KnownDifference> = KNOWN_DIFFERENCES): Promise<QueryOutcome> {
  const base = { file, line: q.line, sql: q.sql };
  let ref: ReferenceAnswer;
  try {
    ref = await referenceAnswer(oracle, q);
  } catch (err) {
    return { ...base, ok: false, reason: `reference query failed in DuckDB (runner problem): ${(err as Error).message}`, expected: toDuckDb(q.reference) };
  }
  const actual = await target.query(q.sql);
  const difference = known.get(q.sql);
  if (difference !== undefined) {
    const v = difference.check(actual, ref.rows);
    return { ...base, ...v, knownDifference: difference.reason, ...(v.ok ? {} : { expected: `known difference: ${difference.reason}`, actual: describeActual(actual) }) };
  }
  if ((actual.exceptions ?? []).length > 0 || actual.resultTable === undefined) {
    return { ...base, ok: false, reason: `exceptions: ${exceptionsText(actual) || 'no resultTable'}`, expected: `${showRows(ref.rows)}  [reference: ${ref.sql}]`, actual: describeActual(actual) };
  }
  const v = compareWithOracle(sqlShape(q.sql), actual.resultTable.rows, ref.rows, ref.hiddenKeys, actual.resultTable.dataSchema.columnDataTypes);
  return {
    ...base,
    ok: v.ok,
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    ...(v.knownDifference !== undefined ? { knownDifference: v.knownDifference } : {}),
    ...(v.ok ? {} : { expected: `${showRows(ref.rows)}  [reference: ${ref.sql}]`, actual: describeActual(actual) }),
  };
}

function describeActual(r: BrokerResponse): string {
  const ex = (r.exceptions ?? []).length > 0 ? ` exceptions=[${exceptionsText(r)}]` : '';
  return `${showRows(r.resultTable?.rows)}${ex}`;
}

/** Runs `queries` with up to `concurrency` in flight; outcomes in query order. */
export async function runAirlineQueries(
  target: QueryTarget,
  oracle: DuckDbOracle,
  file: string,
  queries: readonly AirlineQuery[],
  opts: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = new Array(queries.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < queries.length) {
      const i = next++;
      outcomes[i] = await runAirlineQuery(target, oracle, file, queries[i]!);
      done++;
      opts.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  return outcomes;
}
