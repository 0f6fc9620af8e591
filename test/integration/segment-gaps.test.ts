import { copyFile, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { KinesisOffset } from '../../src/plugins/stream/kinesis/kinesis-offset.js';
import { createStreamConsumerFactory } from '../../src/plugins/stream/registry.js';
import { parseLlcSegmentName } from '../../src/segment/index.js';
import type { SegmentSummary } from '../../src/segment/index.js';
import type { StreamOffset } from '../../src/spi/offset.js';
import type { PartitionConsumer } from '../../src/spi/partition-consumer.js';
import type { StreamConsumerFactory } from '../../src/spi/stream-consumer-factory.js';
import type { BoundStream, StreamPluginOptions } from '../../src/spi/stream-plugin.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

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

type Factory = (stream: BoundStream, opts: StreamPluginOptions) => StreamConsumerFactory;

/** Wraps every partition consumer the table makes (the repair's too) for one shard. */
function wrapConsumers(shardId: string, wrap: (real: PartitionConsumer) => PartitionConsumer): Factory {
  return (stream, opts) => {
    const real = createStreamConsumerFactory(stream, opts);
    return Object.assign(Object.create(real) as StreamConsumerFactory, {
      createPartitionConsumer(partition: Parameters<StreamConsumerFactory['createPartitionConsumer']>[0], options?: { fromOldest?: boolean }): PartitionConsumer {
        const consumer = real.createPartitionConsumer(partition, options);
        return partition.shardId === shardId ? wrap(consumer) : consumer;
      },
    });
  };
}

/** Test double for retention: the shard's records before `trimmedBefore` are no longer in the stream. */
function trimmedShardFactory(shardId: string, parseOffset: (text: string) => StreamOffset, trimmedBefore: string): Factory {
  const trim = parseOffset(trimmedBefore);
  return wrapConsumers(shardId, (real) => ({
    async fetchMessages(after, timeoutMs) {
      let position = after;
      for (;;) {
        const batch = await real.fetchMessages(position, timeoutMs);
        const visible = batch.messages.filter((m) => m.offset.compareTo(trim) >= 0);
        if (visible.length > 0 || batch.messages.length === 0 || batch.endOfPartition) return { ...batch, messages: visible };
        position = batch.messages[batch.messages.length - 1]!.offset;
      }
    },
    close: () => real.close(),
  }));
}

/** Test double: fetches strictly after `stuckAfter` never answer (a repair that is still reading). */
function stuckAfterFactory(shardId: string, stuckAfter: string): Factory {
  return wrapConsumers(shardId, (real) => ({
    fetchMessages: (after, timeoutMs) => (after?.toString() === stuckAfter ? new Promise(() => undefined) : real.fetchMessages(after, timeoutMs)),
    close: () => real.close(),
  }));
}

/** Sealed segments per shard, in LLC sequence order. */
function segmentsByShard(runtime: TableIngestion): Map<string, SegmentSummary[]> {
  const out = new Map<string, SegmentSummary[]>();
  for (const s of runtime.segments()) out.set(s.shardId, [...(out.get(s.shardId) ?? []), s]);
  for (const list of out.values()) list.sort((a, b) => parseLlcSegmentName(a.segmentName)!.sequence - parseLlcSegmentName(b.segmentName)!.sequence);
  return out;
}

/** Every sealed segment that is not the newest of its shard, by partition then sequence. */
function middleSegments(runtime: TableIngestion): SegmentSummary[] {
  return [...segmentsByShard(runtime).values()].flatMap((list) => list.slice(0, -1)).sort((a, b) => a.partitionId - b.partitionId || parseLlcSegmentName(a.segmentName)!.sequence - parseLlcSegmentName(b.segmentName)!.sequence);
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
    // intact) is found by the background whole-file checksum and quarantined while serving.
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream, 1000), tableDir: dir });
    expect(runtime.status().quarantined?.map((q) => q.file)).toEqual([`${truncated.segmentName}.seg`]);
    await waitFor('flipped file quarantined', () => (runtime.status().quarantined ?? []).length === 2, 60_000);
    expect(runtime.status().quarantined?.map((q) => q.file).sort()).toEqual([`${truncated.segmentName}.seg`, `${flipped.segmentName}.seg`].sort());
    expect(runtime.segments().map((s) => s.segmentName)).not.toContain(flipped.segmentName);
    await waitFor('repairs done', () => (runtime.status().repairs ?? []).every((r) => r.state === 'REPAIRED'), 120_000);
    expect(runtime.status().repairs!.flatMap((r) => r.missingSegments).sort()).toEqual([deleted, truncated].map((s) => s.segmentName).sort());
    await runtime.stop();

    // The next start sees the quarantined file's range as a gap and re-reads it.
    const second = await tables.start({ schema, config: tableConfig(env.endpoint, stream, 1000), tableDir: dir });
    await waitFor('repairs done', () => (second.status().repairs ?? []).every((r) => r.state === 'REPAIRED'), 120_000);
    expect(second.status().repairs!.flatMap((r) => r.missingSegments)).toEqual([flipped.segmentName]);
    await waitFor(`${total} ids`, () => idCounts(second).size === total, 60_000);
    expectExactlyOnce(second, total);
    for (const r of second.status().repairs!) expect(second.segments().map((s) => s.segmentName)).toContain(r.segmentName);
    expect(second.status().dataLoss).toEqual([]);
    await second.stop();

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
