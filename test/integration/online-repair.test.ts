import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { KinesisOffset } from '../../src/plugins/stream/kinesis/kinesis-offset.js';
import type { SegmentSummary } from '../../src/segment/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { middleSegments, segmentsByShard, stuckAfterFactory, trimmedShardFactory } from '../helpers/segment-chains.js';
import type { Factory } from '../helpers/segment-chains.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'events',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }],
  dateTimeFieldSpecs: [timeMillisField()],
}));

function tableConfig(endpoint: string, stream: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.fetch.timeout.millis': '2000',
      'stream.kinesis.shard.discovery.interval.ms': '60000',
      'realtime.segment.flush.threshold.rows': '200',
    },
  });
}

const rowsOf = (from: number, to: number): { id: number; ts: number }[] => Array.from({ length: to - from }, (_, i) => ({ id: from + i, ts: 1_700_000_000_000 + from + i }));

/** Flips 16 bytes of a segment file's first column block, in place (the open descriptor sees them). */
async function corruptInPlace(file: string): Promise<void> {
  const bytes = await readFile(file);
  for (let i = 200; i < 216; i++) bytes[i] = bytes[i]! ^ 0xff;
  await writeFile(file, bytes);
}

/** Reads every row the way a query does; the corrupt block's read fails with SEGMENT_CORRUPT. */
function queryFails(runtime: TableIngestion): string | null {
  try {
    idCounts(runtime);
    return null;
  } catch (err) {
    return (err as { errorName?: string }).errorName ?? String(err);
  }
}

describe('a segment found corrupt while serving is re-read online (kinesalite)', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-online-repair-');

  /** A 2-shard stream holding ids 0..total-1, a table serving them with ≥ 3 sealed segments per shard, checksums verified. */
  async function servedTable(total: number, factoryFor?: (victim: SegmentSummary, first: TableIngestion) => Factory): Promise<{ stream: string; dir: string; runtime: TableIngestion; victim: SegmentSummary }> {
    const stream = await env.newStream(2, 'online');
    await putJsonRecords(env.client, stream, rowsOf(0, total), (row) => `key-${row.id}`);
    const dir = await tables.tempDir();
    const first = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir });
    await waitFor(`${total} ids`, () => idCounts(first).size === total, 120_000);
    await waitFor('3 sealed segments per shard', () => segmentsByShard(first).size === 2 && [...segmentsByShard(first).values()].every((l) => l.length >= 3), 60_000);
    await first.stop();
    const victim = middleSegments(first)[1]!;
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir, ...(factoryFor ? { streamFactory: factoryFor(victim, first) } : {}) });
    const files = (await readdir(dir)).filter((f) => f.endsWith('.seg')).length;
    await waitFor('checksums verified', () => (runtime.sealedUpkeep?.checksumsVerified ?? 0) === files, 60_000);
    return { stream, dir, runtime, victim };
  }

  it('a corrupt block met by a query: the file is quarantined and its rows come back without a restart, exactly once', async () => {
    const total = 2000;
    const { stream, dir, runtime, victim } = await servedTable(total);
    await corruptInPlace(join(dir, `${victim.segmentName}.seg`));
    expect(queryFails(runtime)).toBe('SEGMENT_CORRUPT');
    await waitFor('file quarantined', () => (runtime.status().quarantined ?? []).length === 1);
    expect(runtime.status().quarantined?.map((q) => q.file)).toEqual([`${victim.segmentName}.seg`]);
    expect(await readdir(join(dir, 'quarantine'))).toEqual([`${victim.segmentName}.seg`]);
    // Records keep arriving while the hole is re-read: consumer and repair never overlap.
    await putJsonRecords(env.client, stream, rowsOf(total, total + 500), (row) => `key-${row.id}`);
    await waitFor('online repair done', () => runtime.status().repairs?.[0]?.state === 'REPAIRED', 60_000);
    const repair = runtime.status().repairs![0]!;
    expect(repair).toMatchObject({ missingSegments: [victim.segmentName], rows: victim.numDocs, shardId: victim.shardId });
    expect(runtime.segments().map((s) => s.segmentName)).toContain(repair.segmentName);
    await waitFor(`${total + 500} ids`, () => idCounts(runtime).size === total + 500, 60_000);
    expectExactlyOnce(runtime, total + 500);
    expect(runtime.status().dataLoss).toEqual([]);
    await runtime.stop();

    // The repair segment closes the hole for good: a restart re-reads nothing, serves every id once.
    const again = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir });
    expect(again.status().repairs).toEqual([]);
    await waitFor(`${total + 500} ids`, () => idCounts(again).size === total + 500, 60_000);
    expectExactlyOnce(again, total + 500);
  }, 300_000);

  it('a stop in the middle of an online repair leaves the hole for the next start, which repairs it exactly once', async () => {
    const total = 2000;
    // Fetches after the quarantined segment's predecessor never answer: the repair stays READING.
    const { stream, dir, runtime, victim } = await servedTable(total, (gone, first) => {
      const chain = segmentsByShard(first).get(gone.shardId)!;
      const predecessor = chain[chain.findIndex((s) => s.segmentName === gone.segmentName) - 1]!;
      return stuckAfterFactory(gone.shardId, first.segmentMetadata(predecessor.segmentName)!.endOffset as string);
    });
    await corruptInPlace(join(dir, `${victim.segmentName}.seg`));
    expect(queryFails(runtime)).toBe('SEGMENT_CORRUPT');
    await waitFor('online repair reading', () => runtime.status().repairs?.[0]?.state === 'READING', 30_000);
    await runtime.stop();
    expect(runtime.status().repairs?.[0]?.state).toBe('STOPPED');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const next = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir });
    await waitFor('repair at start done', () => next.status().repairs?.[0]?.state === 'REPAIRED', 60_000);
    expect(next.status().repairs![0]!.missingSegments).toEqual([victim.segmentName]);
    await waitFor(`${total} ids`, () => idCounts(next).size === total, 60_000);
    expectExactlyOnce(next, total);
  }, 300_000);

  it('a quarantined segment whose records the stream no longer has is reported as data loss with its range', async () => {
    const total = 2000;
    // The stream's retention has trimmed the shard up to the quarantined segment's last record.
    const { dir, runtime, victim } = await servedTable(total, (gone, first) => trimmedShardFactory(gone.shardId, KinesisOffset.parse, first.segmentMetadata(gone.segmentName)!.endOffset as string));
    const meta = runtime.segmentMetadata(victim.segmentName)!;
    await corruptInPlace(join(dir, `${victim.segmentName}.seg`));
    expect(queryFails(runtime)).toBe('SEGMENT_CORRUPT');
    await waitFor('online repair done', () => runtime.status().repairs?.[0]?.state === 'PARTLY_LOST', 60_000);
    expect(runtime.status().dataLoss).toHaveLength(1);
    expect(runtime.status().dataLoss[0]).toMatchObject({ kind: 'segmentGap', shardId: victim.shardId, lostRange: { from: meta.startOffset, to: meta.endOffset, toInclusive: false } });
    await waitFor('ids', () => idCounts(runtime).size === total - (victim.numDocs - 1), 60_000);
    expect([...idCounts(runtime).values()].every((n) => n === 1)).toBe(true);
  }, 300_000);
});
