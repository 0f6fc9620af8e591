import { describe, expect, it } from 'vitest';
import { benchFreshness } from '../../bench/freshness.js';
import type { BenchResult, Measurement } from '../../bench/harness.js';
import { benchIngest } from '../../bench/ingest.js';
import { benchMemory } from '../../bench/memory.js';
import { benchQueries } from '../../bench/queries.js';
import { benchSeal } from '../../bench/seal.js';
import { benchStorage } from '../../bench/storage.js';

/**
 * Each benchmark runs on tiny inputs and produces a well-formed result. No timing is asserted:
 * the numbers belong to `npm run bench` and BENCHMARKS.md, not to the test suite.
 */
function expectWellFormed(result: BenchResult, name: string, metrics: readonly string[]): void {
  expect(result.name).toBe(name);
  expect(result.machine.cores).toBeGreaterThan(0);
  expect(result.machine.node).toBe(process.version);
  for (const key of metrics) {
    const value = result.metrics[key];
    expect(value, key).toBeDefined();
    if (typeof value === 'number') {
      expect(Number.isFinite(value), `${key} = ${value}`).toBe(true);
    } else {
      const m = value as Measurement;
      for (const n of [m.median, m.min, m.max]) expect(Number.isFinite(n), `${key} = ${JSON.stringify(m)}`).toBe(true);
      expect(m.min).toBeLessThanOrEqual(m.median);
      expect(m.median).toBeLessThanOrEqual(m.max);
    }
  }
}

describe('benchmarks run on tiny inputs', () => {
  it('ingest', async () => {
    const result = await benchIngest(true, { records: 2_000, runs: 2 });
    expectWellFormed(result, 'ingest', ['baselineSeconds', 'engineSeconds', 'engineRowsPerSec', 'engineMBPerSec', 'ratioToBaseline']);
    expect(result.params.records).toBe(2_000);
  });

  it('seal', async () => {
    const result = await benchSeal(true, { rows: 2_000, runs: 2 });
    expectWellFormed(result, 'seal', ['sealSeconds', 'fileBytes', 'fileToJsonRatio', 'maxEventLoopBlockMs']);
    expect(result.metrics.fileBytes).toBeGreaterThan(0);
  });

  it('freshness (kinesalite, 1 s)', async () => {
    const result = await benchFreshness(true, { seconds: 1, recordsPerSecond: 200 });
    expectWellFormed(result, 'freshness', ['tableMs', 'baselineMs', 'tableP50Ms', 'tableP95Ms', 'tableP99Ms', 'baselineP50Ms', 'baselineP99Ms']);
    expect(result.params.records).toBe(200);
  }, 60_000);

  it('storage: budgeted, cold and in-memory runs, compaction', async () => {
    const result = await benchStorage(true, { segments: 2, rowsPerSegment: 2_000, budgetMb: 1, runs: 1, mergeInputs: 2, mergeRowsEach: 500 });
    expectWellFormed(result, 'storage', ['readyFooterOnlyMs', 'firstAnswerMs', 'peakRssUnderBudgetMB', 'warmMedianRatio', 'warmSumRatio', 'medianWarmRatio', 'peakCompressedMB', 'compactionRowsPerSec']);
    expect(result.params.rows).toBe(4_000);
    expect(result.metrics.peakCacheMB).toBeLessThanOrEqual(1);
    expect(result.queries!.length).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it('queries: every query answers as DuckDB does', async () => {
    const result = await benchQueries(true, { rows: 2_000, rowsPerSegment: 700, consumingRows: 300, runs: 1 });
    expectWellFormed(result, 'queries', ['medianRatio', 'maxSelectiveRatio', 'peakRssShardtableMB']);
    expect(result.params.sealedSegments).toBe(3);
    expect(result.queries!.length).toBeGreaterThanOrEqual(12);
    for (const q of result.queries!) {
      expect(q.equal, String(q.name)).toBe(true);
      expect(q.resultRows, String(q.name)).toBeGreaterThan(0);
    }
  }, 60_000);

  it('memory', async () => {
    const result = await benchMemory(true, { rows: 2_000 });
    expectWellFormed(result, 'memory', [
      'rawColumnarBytesPerRow',
      'consumingEstimatedBytesPerRow',
      'consumingHeapBytesPerRow',
      'sealedFileBytesPerRow',
      'sealedResidentBytesPerRow',
    ]);
  });
});
