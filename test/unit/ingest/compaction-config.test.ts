import { describe, expect, it } from 'vitest';
import type { TableConfig } from '../../../src/config/index.js';
import { compactionSettingsOf } from '../../../src/ingest/compaction-config.js';
import { planMerges } from '../../../src/ingest/compaction.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import type { LedgerEntry } from '../../../src/ingest/sealed-ledger.js';

const configWith = (task: unknown): TableConfig => ({ pinot: { task } }) as unknown as TableConfig;

describe('MergeRollupTask settings', () => {
  it('reads Pinot keys, our own keys and defaults; accepts a level prefix', () => {
    expect(compactionSettingsOf(configWith(undefined))).toBeNull();
    expect(compactionSettingsOf(configWith({ taskTypeConfigsMap: { MergeRollupTask: {} } }))).toEqual({ maxRowsPerSegment: 5_000_000, smallSegmentRows: 2_500_000, minSegments: 2, intervalMs: 60_000 });
    expect(
      compactionSettingsOf(configWith({ taskTypeConfigsMap: { MergeRollupTask: { '1day.mergeType': 'concat', '1day.maxNumRecordsPerSegment': '1000', 'shardtable.smallSegmentRows': '100', 'shardtable.minSegmentsToMerge': '3', 'shardtable.intervalMs': '500' } } })),
    ).toEqual({ maxRowsPerSegment: 1000, smallSegmentRows: 100, minSegments: 3, intervalMs: 500 });
  });

  it('names the key of a bad value, and refuses rollup until it exists', () => {
    expect(() => compactionSettingsOf(configWith({ taskTypeConfigsMap: { MergeRollupTask: { maxNumRecordsPerSegment: 'lots' } } }))).toThrow(/MergeRollupTask\.maxNumRecordsPerSegment: must be a positive whole number, got "lots"/);
    expect(() => compactionSettingsOf(configWith({ taskTypeConfigsMap: { MergeRollupTask: { mergeType: 'rollup' } } }))).toThrow(/mergeType: only "concat" is supported/);
  });
});

function seg(shardId: string, start: number, end: number, rows: number, endOfShard = false): SealedSegment {
  return { name: `${shardId}-${start}`, numDocs: rows, metadata: { shardId, partitionId: 0, startOffset: rows === 0 && start < 0 ? null : String(start), endOffset: String(end), endOfShard } } as unknown as SealedSegment;
}

describe('planMerges', () => {
  const settings = { maxRowsPerSegment: 100, smallSegmentRows: 40, minSegments: 2, intervalMs: 1 };
  const compare = (a: string, b: string): number => Number(a) - Number(b);

  it('merges adjacent small segments per shard, in offset order, up to the row limit', () => {
    const a = [seg('s0', 20, 29, 30), seg('s0', 0, 9, 30), seg('s0', 10, 19, 30), seg('s0', 30, 39, 30), seg('s1', 0, 9, 10)];
    const runs = planMerges(a, settings, compare).map((r) => r.map((s) => s.name));
    expect(runs).toEqual([['s0-0', 's0-10', 's0-20']]); // 4 × 30 rows would pass 100; s1 has one segment only
  });

  it('never merges across a large segment, an empty one or an end-of-shard segment', () => {
    const a = [seg('s0', 0, 9, 10), seg('s0', 10, 19, 90), seg('s0', 20, 29, 10), seg('s0', 30, 39, 0), seg('s0', 40, 49, 10), seg('s0', 50, 59, 10, true)];
    expect(planMerges(a, settings, compare)).toEqual([]);
    const b = [seg('s0', 0, 9, 10), seg('s0', 10, 19, 10), seg('s0', 20, 29, 90), seg('s0', 30, 39, 10), seg('s0', 40, 49, 10)];
    expect(planMerges(b, settings, compare).map((r) => r.map((s) => s.name))).toEqual([['s0-0', 's0-10'], ['s0-30', 's0-40']]);
  });

  it('never merges across a hole: a segment the ledger lists but the table no longer serves (quarantined, being re-read)', () => {
    const a = [seg('s0', 0, 9, 10), seg('s0', 10, 19, 10), seg('s0', 30, 39, 10), seg('s0', 40, 49, 10)];
    const entry = (name: string, start: number, end: number, deleted?: true): LedgerEntry => ({ segmentName: name, shardId: 's0', startOffset: String(start), endOffset: String(end), numDocs: 10, endOfShard: false, ...(deleted ? { deleted } : {}) });
    const served = a.map((s) => entry(s.name, Number(s.metadata.startOffset), Number(s.metadata.endOffset)));
    const withHole = { entries: () => [...served, entry('s0-20', 20, 29)] };
    expect(planMerges(a, settings, compare, withHole).map((r) => r.map((s) => s.name))).toEqual([['s0-0', 's0-10'], ['s0-30', 's0-40']]);
    // A segment deleted on purpose is no hole: its rows are gone for good.
    const deleted = { entries: () => [...served, entry('s0-20', 20, 29, true)] };
    expect(planMerges(a, settings, compare, deleted).map((r) => r.map((s) => s.name))).toEqual([['s0-0', 's0-10', 's0-30', 's0-40']]);
  });
});
