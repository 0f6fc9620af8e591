import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCompatSuite } from './lib/compat-suite.js';
import { loadCompatTables, runCompatQueries } from './lib/compat-runner.js';
import { Harness } from './lib/harness.js';
import { counts, formatReport } from './lib/report.js';
import type { FileReport } from './lib/report.js';

/**
 * Pinot's own expected answers (compat verifier sample suite): FeatureTest1/2/3 loaded through a
 * Kinesis emulator, every query compared with the answer Pinot gave (rules in
 * `lib/compat-compare.ts` and docs/conformance.md). `groovy(...)` queries must be refused clearly.
 */
describe('Pinot compat verifier suite', () => {
  const suite = loadCompatSuite();
  let h: Harness;
  let reports: FileReport[] = [];

  beforeAll(async () => {
    h = await Harness.start();
    await loadCompatTables(h, suite);
    reports = await runCompatQueries(h, suite);
    console.log(formatReport(reports));
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  });

  it('loads every row of the three tables', () => {
    expect(suite.tables.map((t) => [t.name, t.records.length])).toEqual([
      ['FeatureTest1', 10],
      ['FeatureTest2', 66],
      ['FeatureTest3', 300],
    ]);
  });

  for (const file of suite.queryFiles) {
    it(`${file.queryFile}: every query matches Pinot's answer`, () => {
      const report = reports.find((r) => r.file === file.queryFile)!;
      expect(report.outcomes).toHaveLength(file.queries.length);
      const c = counts(report.outcomes);
      expect(c.failed, formatReport([report])).toBe(0);
    });
  }
});
