import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateQueries, generateTable } from './lib/differential.js';
import { runSeed, seedsFromEnv } from './lib/differential-runner.js';
import { DuckDbOracle } from './lib/duckdb-oracle.js';
import { Harness } from './lib/harness.js';
import { counts, formatReport } from './lib/report.js';
import type { FileReport } from './lib/report.js';

/**
 * Differential test on generated data: per seed, a random schema with every Pinot type (single-
 * and multi-value, nulls), 400 rows, 80 random queries (filters with IN/NOT IN/BETWEEN/LIKE/
 * AND/OR/NOT and multi-value predicates, aggregations incl. MV forms, GROUP BY incl. multi-value
 * keys, ORDER BY/LIMIT, selections) run on shardtable and on DuckDB. Seeded and repeatable.
 */
describe('differential: generated data against DuckDB', () => {
  const seeds = seedsFromEnv();
  let h: Harness;
  let oracle: DuckDbOracle;
  const reports: FileReport[] = [];

  beforeAll(async () => {
    h = await Harness.start();
    oracle = await DuckDbOracle.open();
    for (const seed of seeds) reports.push(await runSeed(h, oracle, seed));
    console.log(formatReport(reports, { maxFailures: 40 }));
  }, 180_000);

  afterAll(async () => {
    oracle?.close();
    await h?.close();
  });

  it('is repeatable: the same seed gives the same schema, rows and queries', () => {
    const a = generateTable(42, 50);
    const b = generateTable(42, 50);
    expect(b.jsonLines).toEqual(a.jsonLines);
    expect(generateQueries(42, b, 30)).toEqual(generateQueries(42, a, 30));
    expect(generateTable(43, 50).jsonLines).not.toEqual(a.jsonLines);
  });

  for (const seed of seeds) {
    it(`seed ${seed}: every query matches DuckDB`, () => {
      const report = reports.find((r) => r.file === `differential seed ${seed}`)!;
      expect(counts(report.outcomes).failed, formatReport([report], { maxFailures: 20 })).toBe(0);
    });
  }
});
