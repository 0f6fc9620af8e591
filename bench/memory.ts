import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryEngine, sealedSnapshot } from '../src/query/index.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import { eventGenerator, eventsTable, rawColumnarBytes, toDecodedRow } from './generated-table.js';
import { fmt, machineInfo, usedBytesAfterGc } from './harness.js';
import type { BenchResult } from './harness.js';

/**
 * Bytes per row of the generated `events` table (see `generated-table.ts`):
 * - consuming segment: the builders' own estimate (`estimatedSizeBytes`) and the measured heap +
 *   off-heap growth after a full GC, against the raw columnar bytes of the same rows (each value
 *   at its natural width, strings as UTF-8; target ≤ 1.5 x);
 * - sealed segment: bytes on disk, and the memory it holds once opened and after a query has
 *   touched every column.
 */
export async function benchMemory(quick: boolean, overrides: { rows?: number } = {}): Promise<BenchResult> {
  const rows = overrides.rows ?? (quick ? 250_000 : 1_000_000);
  const { schema, config } = eventsTable();
  const generator = eventGenerator(rows);
  let rawBytes = 0;
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-memory-'));
  try {
    const before = usedBytesAfterGc();
    let consuming: ConsumingSegment | null = new ConsumingSegment({
      identity: {
        tableName: 'events',
        segmentName: 'events__0__0__20260101T0000Z',
        partitionId: 0,
        shardId: 'shardId-000000000000',
      },
      schema,
      indexing: config.indexing,
      timeColumnName: 'ts',
    });
    // Rows are generated as they are indexed; each becomes garbage at once, so after a full GC
    // the growth is the segment's.
    for (let i = 0; i < rows; i++) {
      const row = generator.next(i);
      rawBytes += rawColumnarBytes(row);
      consuming.index(toDecodedRow(schema, row), String(i), i);
    }
    const consumingHeapBytes = usedBytesAfterGc() - before;
    const estimatedBytes = consuming.estimatedSizeBytes;

    const sealedFile = await sealSegment(consuming, { tableDir: dir, endOfShard: false });
    const fileBytes = sealedFile.metadata.sizeBytes;
    consuming = null;
    const openedBytes = usedBytesAfterGc() - before;
    // Touch every column of every block, so decoded-block caches (if any) are counted.
    const engine = new QueryEngine({ resolve: () => ({ name: 'events', schema, snapshot: () => [sealedSnapshot(sealedFile)] }) });
    const touched = await engine.query(
      'SELECT count(*), sum(amount), max(latencyMs), max(ts), max(userId), max(customerId), DISTINCTCOUNT(country), DISTINCTCOUNT(eventType), max(status), DISTINCTCOUNTMV(tags) FROM events',
      'timeoutMs=600000',
    );
    if (touched.exceptions.length > 0) throw new Error(`memory benchmark query failed: ${JSON.stringify(touched.exceptions)}`);
    const afterScanBytes = usedBytesAfterGc() - before;
    if (sealedFile.numDocs !== rows) throw new Error(`sealed ${sealedFile.numDocs} rows, expected ${rows}`);

    const perRow = (b: number): number => b / rows;
    const result: BenchResult = {
      name: 'memory',
      machine: machineInfo(),
      params: { rows, columns: schema.columns.length },
      metrics: {
        rawColumnarBytesPerRow: perRow(rawBytes),
        consumingEstimatedBytesPerRow: perRow(estimatedBytes),
        consumingHeapBytesPerRow: perRow(consumingHeapBytes),
        consumingToRawRatio: consumingHeapBytes / rawBytes,
        consumingEstimateToRawRatio: estimatedBytes / rawBytes,
        sealedFileBytesPerRow: perRow(fileBytes),
        sealedResidentBytesPerRow: perRow(openedBytes),
        sealedResidentAfterScanBytesPerRow: perRow(afterScanBytes),
      },
    };
    console.log(
      `memory: raw ${fmt(perRow(rawBytes))} B/row; consuming estimate ${fmt(perRow(estimatedBytes))}, heap ${fmt(perRow(consumingHeapBytes))} B/row ` +
        `(${fmt(consumingHeapBytes / rawBytes)} x raw); sealed file ${fmt(perRow(fileBytes))}, resident ${fmt(perRow(openedBytes))} → ${fmt(perRow(afterScanBytes))} B/row after a scan`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
