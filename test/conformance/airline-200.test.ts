import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIRLINE_QUERY_FILES, AIRLINE_TABLE, airlineQueries, airlineRecords, loadAirlineOracle, loadAirlineShardtable } from './lib/airline.js';
import { runAirlineQueries } from './lib/airline-runner.js';
import { DuckDbOracle } from './lib/duckdb-oracle.js';
import { Harness } from './lib/harness.js';
import { KNOWN_DIFFERENCES } from './lib/known-differences.js';
import { counts, formatReport } from './lib/report.js';
import type { QueryOutcome } from './lib/report.js';

/**
 * Pinot's 200-query airline file against DuckDB as the oracle (rules in `lib/oracle-compare.ts`
 * and docs/conformance.md). The full 10,005-query file runs with `npm run conformance`.
 */
describe('airline queries (200) against DuckDB', () => {
  const file = AIRLINE_QUERY_FILES.q200;
  const queries = airlineQueries(file);
  let h: Harness;
  let oracle: DuckDbOracle;
  let outcomes: QueryOutcome[] = [];

  beforeAll(async () => {
    const records = airlineRecords();
    oracle = await DuckDbOracle.open();
    h = await Harness.start();
    await Promise.all([loadAirlineOracle(oracle, records), loadAirlineShardtable(h, records)]);
    outcomes = await runAirlineQueries(h, oracle, file, queries);
    console.log(formatReport([{ file, outcomes }], { maxFailures: 50 }));
  }, 180_000);

  afterAll(async () => {
    oracle?.close();
    await h?.close();
  });

  it('has the 200 queries and the 9,746 rows in both engines', async () => {
    expect(queries).toHaveLength(200);
    const duck = await oracle.query(`SELECT count(*) FROM ${AIRLINE_TABLE}`);
    expect(Number(duck.rows[0]![0])).toBe(9746);
  });

  it('every query matches the oracle (or its documented Pinot/H2 difference)', () => {
    expect(outcomes).toHaveLength(queries.length);
    const c = counts(outcomes);
    expect(c.failed, formatReport([{ file, outcomes }], { maxFailures: 20 })).toBe(0);
  });

  it('every documented difference is a query of the query files', () => {
    const all = new Set([...airlineQueries(AIRLINE_QUERY_FILES.q200), ...airlineQueries(AIRLINE_QUERY_FILES.q10k)].map((q) => q.sql));
    for (const sql of KNOWN_DIFFERENCES.keys()) expect(all.has(sql), sql).toBe(true);
  });
});
