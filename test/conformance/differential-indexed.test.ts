import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSeed, seedsFromEnv } from './lib/differential-runner.js';
import { DuckDbOracle } from './lib/duckdb-oracle.js';
import { Harness } from './lib/harness.js';
import { counts, formatReport } from './lib/report.js';
import type { FileReport } from './lib/report.js';

/**
 * The differential test of `differential.test.ts` on a table with every index its columns allow
 * (range, bloom, inverted, JSON, text, timestamp, star-tree: `allIndexes`), sealed segments and consuming
 * ones: indexed answers must equal DuckDB's, as the unindexed ones do. One seed (the first of
 * `SHARDTABLE_DIFF_SEEDS`, default 1) to keep `npm test` lean.
 */
describe('differential: generated data with every index against DuckDB', () => {
  const seed = seedsFromEnv()[0]!;
  let h: Harness;
  let oracle: DuckDbOracle;
  let report: FileReport;

  beforeAll(async () => {
    h = await Harness.start();
    oracle = await DuckDbOracle.open();
    report = await runSeed(h, oracle, seed, { indexed: true });
    console.log(formatReport([report], { maxFailures: 40 }));
  }, 180_000);

  afterAll(async () => {
    oracle?.close();
    await h?.close();
  });

  it(`seed ${seed}: every query matches DuckDB on the indexed table`, async () => {
    expect(counts(report.outcomes).failed, formatReport([report], { maxFailures: 20 })).toBe(0);
    expect(counts(report.outcomes).passed).toBeGreaterThan(50);
    // The indexes exist on the sealed segments the queries read.
    const getJson = async (path: string): Promise<unknown> => JSON.parse((await h.call('GET', path)).text);
    const tables = (await getJson('/tables')) as { tables: string[] };
    const name = tables.tables[0]!;
    const segments = Object.keys((await getJson(`/segments/${name}/metadata`)) as Record<string, unknown>);
    expect(segments.length).toBeGreaterThan(0);
    const text = JSON.stringify(await Promise.all(segments.map((s) => getJson(`/segments/${name}/${s}/metadata`))));
    // The star-tree answers some of the generated queries on sealed segments.
    const star = await h.query(`EXPLAIN PLAN FOR SELECT COUNT(*) FROM ${name.replace(/_REALTIME$/, '')}`);
    expect(JSON.stringify(star)).toContain('FILTER_STARTREE_INDEX');
    for (const flag of ['hasRangeIndex', 'hasBloomFilter', 'hasTextIndex', 'hasTimestampIndex', 'hasJsonIndex']) expect(text, flag).toContain(`"${flag}":true`);
  });
});
