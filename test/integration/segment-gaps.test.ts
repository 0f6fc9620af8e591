import { copyFile, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import type { GapRepairStatus } from '../../src/ingest/table-ingestion-status.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { KinesisOffset } from '../../src/plugins/stream/kinesis/kinesis-offset.js';
import { parseLlcSegmentName } from '../../src/segment/index.js';
import type { SegmentSummary } from '../../src/segment/index.js';
import type { StreamOffset } from '../../src/spi/offset.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';
import { middleSegments, segmentsByShard, stuckAfterFactory, trimmedShardFactory } from '../helpers/segment-chains.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'events',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }],
  dateTimeFieldSpecs: [timeMillisField()],
}));

function tableConfig(endpoint: string, stream: string, rows: number): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.fetch.timeout.millis': '2000',
      'stream.kinesis.shard.discovery.interval.ms': '60000',
      'realtime.segment.flush.threshold.rows': String(rows),
    },
  });
}

const fileOf = (dir: string, s: SegmentSummary): string => join(dir, `${s.segmentName}.seg`);

describe('damaged segment files on kinesalite', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-gaps-');

  /** Produces ids 0..total-1 into a new 2-shard stream and runs a table until `minSealed` segments per shard are sealed; then stops it. */
  async function sealedTable(total: number, rows: number, minSealed: number): Promise<{ stream: string; dir: string; runtime: TableIngestion }> {
    const stream = await env.newStream(2, 'gaps');
    for (let from = 0; from < total; from += 500) {
      const batch = Array.from({ length: Math.min(500, total - from) }, (_, i) => ({ id: from + i, ts: 1_700_000_000_000 + from + i }));
      await putJsonRecords(env.client, stream, batch, (row) => `key-${row.id}`);
    }
    const dir = await tables.tempDir();
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream, rows), tableDir: dir });
    await waitFor(`${total} ids`, () => idCounts(runtime).size === total, 120_000);
    await waitFor(`${minSealed} sealed segments per shard`, () => [...segmentsByShard(runtime).values()].every((l) => l.length >= minSealed) && segmentsByShard(runtime).size === 2, 60_000);
    await runtime.stop();
    return { stream, dir, runtime };
  }

  it('a truncated, a byte-flipped and a deleted middle segment are re-read from the stream exactly once', async () => {
    const total = 10_000;
    const { stream, dir, runtime: first } = await sealedTable(total, 1000, 3);
    const middles = middleSegments(first);
    expect(middles.length).toBeGreaterThanOrEqual(3);
    const [deleted, truncated, flipped] = [middles[0]!, middles[1]!, middles[middles.length - 1]!];
    await rm(fileOf(dir, deleted));
    await truncate(fileOf(dir, truncated), 100);
    const bytes = await readFile(fileOf(dir, flipped));
    for (let i = 200; i < 216; i++) bytes[i] = bytes[i]! ^ 0xff;
    await writeFile(fileOf(dir, flipped), bytes);

    // Start opens footers only: the truncated file is refused at once; the flipped one (its footer
    // intact) is found by the background whole-file checksum and quarantined while serving, and
    // its rows are re-read from the stream at once (an online repair), without a restart.
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream, 1000), tableDir: dir });
    expect(runtime.status().quarantined?.map((q) => q.file)).toEqual([`${truncated.segmentName}.seg`]);
    await waitFor('flipped file quarantined', () => (runtime.status().quarantined ?? []).length === 2, 60_000);
    expect(runtime.status().quarantined?.map((q) => q.file).sort()).toEqual([`${truncated.segmentName}.seg`, `${flipped.segmentName}.seg`].sort());
    expect(runtime.segments().map((s) => s.segmentName)).not.toContain(flipped.segmentName);
    // The start's repairs first (deleted and truncated: one gap when neighbours), then the online one.
    const online = (): GapRepairStatus | undefined => runtime.status().repairs?.find((r) => r.missingSegments.includes(flipped.segmentName));
    await waitFor('repairs done', () => online() !== undefined && runtime.status().repairs!.every((r) => r.state === 'REPAIRED'), 120_000);
    const repairs = runtime.status().repairs!;
    expect(repairs.slice(0, -1).flatMap((r) => r.missingSegments).sort()).toEqual([deleted, truncated].map((s) => s.segmentName).sort());
    expect(repairs[repairs.length - 1]!.missingSegments).toEqual([flipped.segmentName]);
    expect(repairs[repairs.length - 1]!.segmentName).toMatch(/__repair__\d+$/);
    await waitFor(`${total} ids`, () => idCounts(runtime).size === total, 60_000);
    expectExactlyOnce(runtime, total);
    expect(runtime.status().dataLoss).toEqual([]);
    await runtime.stop();

    // The repair segments close the gaps for good: the next start re-reads nothing.
    const again = await tables.start({ schema, config: tableConfig(env.endpoint, stream, 1000), tableDir: dir });
    expect(again.status().repairs).toEqual([]);
    await waitFor(`${total} ids`, () => idCounts(again).size === total, 60_000);
    expectExactlyOnce(again, total);
  }, 300_000);

  it('a deleted segment whose records expired from the stream is reported as data loss with its range', async () => {
    const total = 1200;
    const { stream, dir, runtime: first } = await sealedTable(total, 100, 3);
    const gone = middleSegments(first)[1]!;
    const meta = first.segmentMetadata(gone.segmentName)!;
    await rm(fileOf(dir, gone));
    // The stream's retention trimmed the shard up to the deleted segment's last record.
    const offsets = (text: string): StreamOffset => KinesisOffset.parse(text);
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream, 100), tableDir: dir, streamFactory: trimmedShardFactory(gone.shardId, offsets, meta.endOffset as string) });
    await waitFor('repair done', () => (runtime.status().repairs ?? []).some((r) => r.state === 'PARTLY_LOST'), 60_000);
    const loss = runtime.status().dataLoss;
    expect(loss).toHaveLength(1);
    expect(loss[0]).toMatchObject({ kind: 'segmentGap', shardId: gone.shardId, lostRange: { from: meta.startOffset, to: meta.endOffset, toInclusive: false } });
    // Every other id exactly once; the deleted segment's rows before its last record are lost.
    const lostRows = gone.numDocs - 1;
    await waitFor('ids', () => idCounts(runtime).size === total - lostRows, 60_000);
    expect([...idCounts(runtime).values()].every((n) => n === 1)).toBe(true);
  }, 300_000);

  it('a repair cut short by a restart is finished by the next start, every id exactly once', async () => {
    const total = 1200;
    const { stream, dir, runtime: first } = await sealedTable(total, 100, 3);
    const list = segmentsByShard(first).get(middleSegments(first)[1]!.shardId)!;
    const gone = middleSegments(first)[1]!;
    const predecessor = list[list.findIndex((s) => s.segmentName === gone.segmentName) - 1]!;
    await rm(fileOf(dir, gone));
    const stuck = await tables.start({
      schema, config: tableConfig(env.endpoint, stream, 100), tableDir: dir,
      streamFactory: stuckAfterFactory(gone.shardId, first.segmentMetadata(predecessor.segmentName)!.endOffset as string),
    });
    await waitFor('repair reading', () => stuck.status().repairs?.[0]?.state === 'READING', 30_000);
    await stuck.stop();
    expect(stuck.status().repairs?.[0]?.state).toBe('STOPPED');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream, 100), tableDir: dir });
    await waitFor('repair done', () => runtime.status().repairs?.[0]?.state === 'REPAIRED', 60_000);
    await waitFor(`${total} ids`, () => idCounts(runtime).size === total, 60_000);
    expectExactlyOnce(runtime, total);
  }, 300_000);

  it('a valid segment copied under another file name is refused, not served twice', async () => {
    const total = 600;
    const { stream, dir, runtime: first } = await sealedTable(total, 100, 2);
    const original = middleSegments(first)[0]!;
    const parsed = parseLlcSegmentName(original.segmentName)!;
    const copyName = `events__${parsed.partitionId}__${parsed.sequence + 500}__20240101T0000Z.seg`;
    await copyFile(fileOf(dir, original), join(dir, copyName));
    await copyFile(fileOf(dir, original), join(dir, 'backup-copy.seg'));
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream, 100), tableDir: dir });
    const quarantined = runtime.status().quarantined ?? [];
    expect(quarantined.map((q) => q.file).sort()).toEqual(['backup-copy.seg', copyName].sort());
    expect(quarantined.every((q) => q.reason.includes(`footer names segment ${original.segmentName}`))).toBe(true);
    expect((await readdir(join(dir, 'quarantine'))).sort()).toEqual(['backup-copy.seg', copyName].sort());
    await waitFor(`${total} ids`, () => idCounts(runtime).size === total, 60_000);
    expectExactlyOnce(runtime, total);
  }, 300_000);
});
