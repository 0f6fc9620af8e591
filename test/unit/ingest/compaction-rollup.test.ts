import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import type { TableConfig } from '../../../src/config/index.js';
import { mergeSegments } from '../../../src/ingest/compaction.js';
import { SealedLedger, ledgerEntryOf } from '../../../src/ingest/sealed-ledger.js';
import { silentLogger } from '../../../src/logger.js';
import { ConsumingSegment, sealSegment } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import { indexing } from '../segment/fixtures.js';

const schema = buildTableSchema({
  schemaName: 'clicks',
  dimensionFieldSpecs: [{ name: 'country', dataType: 'STRING' }],
  metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }, { name: 'hi', dataType: 'INT' }],
});
const rollup = { metrics: [{ column: 'clicks', fn: 'SUM' as const }, { column: 'hi', fn: 'MAX' as const }] };
const config = { tableName: 'clicks', indexing: indexing(), rollup } as unknown as TableConfig;

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** A sealed rollup segment of partition 0 holding `rows`, offsets `first`.. one per row. */
async function sealed(tableDir: string, sequence: number, first: number, rows: [string, bigint, number][]): Promise<SealedSegment> {
  const seg = new ConsumingSegment({ identity: { tableName: 'clicks', segmentName: `clicks__0__${sequence}__20240101T0000Z`, partitionId: 0, shardId: 'shardId-0' }, schema, indexing: indexing(), rollup });
  rows.forEach((r, i) => seg.index(r, String(first + i), 1000));
  return sealSegment(seg, { tableDir, endOfShard: false });
}

describe('mergeSegments on a rollup table', () => {
  it('rolls rows of equal dimensions up across the inputs, keeping the offsets of the run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardtable-merge-rollup-'));
    const a = await sealed(dir, 0, 1, [['NL', 1n, 5], ['DE', 2n, 1], ['NL', 3n, 9]]);
    const b = await sealed(dir, 1, 4, [['DE', 10n, 7], ['US', 1n, 2]]);
    expect([a.numDocs, b.numDocs]).toEqual([2, 2]);
    const ledger = await SealedLedger.load(dir, silentLogger());
    await ledger.record(0, [ledgerEntryOf(a), ledgerEntryOf(b)]);
    let served: SealedSegment[] = [a, b];
    const holder = { get: () => served, set: (s: SealedSegment[]) => (served = s), ledger, consumingNames: () => [], logger: silentLogger() };
    const merged = await mergeSegments(
      { holder, tableDir: dir, schema, config, settings: { maxRowsPerSegment: 100, smallSegmentRows: 100, minSegments: 2, intervalMs: 1 }, compareOffsets: (x, y) => Number(x) - Number(y), now: () => 2000 },
      [a, b],
    );
    expect(merged).not.toBeNull();
    expect(served).toEqual([merged]);
    expect([merged!.metadata.startOffset, merged!.metadata.endOffset]).toEqual(['1', '5']);
    const rows = Array.from({ length: merged!.numDocs }, (_, d) => [merged!.getValue('country', d), merged!.getValue('clicks', d), merged!.getValue('hi', d)]);
    expect(rows).toEqual([['NL', 4n, 9], ['DE', 12n, 7], ['US', 1n, 2]]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.seg'))).toEqual([`${merged!.name}.seg`]);
    merged!.close();
  });
});
