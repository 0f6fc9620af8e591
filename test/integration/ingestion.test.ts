import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { parseLlcSegmentName } from '../../src/segment/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { expectSplitReadThrough, splitShard } from '../helpers/split-shard.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(
  validateSchema(
    idKindTsSchema('events', {
      dimensions: [{ name: 'tags', dataType: 'STRING', singleValueField: false }],
      metrics: [{ name: 'amount', dataType: 'DOUBLE' }],
    }),
  ),
);

function config(endpoint: string, stream: string, flush: Record<string, string>): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
      'stream.kinesis.shard.discovery.interval.ms': '500',
      ...flush,
    },
  });
}

const events = (from: number, count: number): Record<string, unknown>[] =>
  idKindTsRows(from, count, ['view', 'click', 'buy'], (id) => ({ tags: ['a', `t${id % 7}`], amount: id * 1.5 }));

describe.each(EMULATOR_KINDS)('ingestion on %s', (kind) => {
  const env = withEmulator(kind);
  const tables = withTableRuntimes('shardtable-ingest-');

  const newRuntime = (stream: string, flush: Record<string, string>, tableDir?: string): Promise<TableIngestion> =>
    tables.start({ schema, config: config(env.endpoint, stream, flush), tableDir });

  it('reads every shard of a multi-shard stream and seals on the row threshold', async () => {
    const stream = await env.newStream(3);
    await putJsonRecords(env.client, stream, events(0, 150), (row) => String(row.id));
    const runtime = await newRuntime(stream, { 'realtime.segment.flush.threshold.rows': '20' });
    await waitFor('150 rows', () => idCounts(runtime).size === 150);
    expectExactlyOnce(runtime, 150);

    const partitions = runtime.partitions();
    expect(partitions.map((p) => p.shardId).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
    expect(partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    const segments = runtime.segments();
    expect(segments.length).toBeGreaterThanOrEqual(Math.floor(150 / 20) - 2);
    for (const segment of segments) {
      expect(segment.numDocs).toBe(20);
      const name = parseLlcSegmentName(segment.segmentName);
      expect(name?.partitionId).toBe(segment.partitionId);
      expect(segment.startOffset).not.toBeNull();
    }
    // LLC sequence numbers count up per partition from 0.
    for (const p of [0, 1, 2]) {
      const sequences = segments.filter((s) => s.partitionId === p).map((s) => parseLlcSegmentName(s.segmentName)!.sequence);
      expect(sequences).toEqual(sequences.map((_, i) => i));
    }
  });

  it('seals on the time threshold', async () => {
    const stream = await env.newStream(1);
    const runtime = await newRuntime(stream, { 'realtime.segment.flush.threshold.time': '1s' });
    await putJsonRecords(env.client, stream, events(0, 12), (row) => String(row.id));
    await waitFor('a time-sealed segment', () => runtime.segments().reduce((n, s) => n + s.numDocs, 0) === 12);
    expectExactlyOnce(runtime, 12);
    expect(runtime.partitions()[0]?.rowsInConsumingSegment).toBe(0);
  });

  it('seals on the size threshold', async () => {
    const stream = await env.newStream(1);
    const runtime = await newRuntime(stream, { 'realtime.segment.flush.threshold.segment.size': '4K' });
    await putJsonRecords(env.client, stream, events(0, 200), (row) => String(row.id));
    await waitFor('200 rows', () => idCounts(runtime).size === 200);
    expectExactlyOnce(runtime, 200);
    const segments = runtime.segments();
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.every((s) => s.numDocs < 200)).toBe(true);
  });

  it('seals a shard at its end after a split and then reads its children', async () => {
    const stream = await env.newStream(1);
    await putJsonRecords(env.client, stream, events(0, 30), (row) => String(row.id));
    const runtime = await newRuntime(stream, {});
    await expectSplitReadThrough(env.client, stream, runtime, (from, count) => putJsonRecords(env.client, stream, events(from, count), (row) => String(row.id)));
  });

  it('reads the children of a split shard from their oldest record even when the table starts at LATEST', async () => {
    const stream = await env.newStream(1);
    const runtime = await newRuntime(stream, { shardIteratorType: 'LATEST' });
    // LATEST: wait until the reader has its iterator before writing, then check it sees the rows.
    await waitFor('the shard to be polled', () => runtime.partitions()[0]?.state === 'CAUGHT_UP');
    await putJsonRecords(env.client, stream, events(0, 20), (row) => String(row.id));
    await waitFor('20 rows', () => idCounts(runtime).size === 20);

    await splitShard(env.client, stream);
    // Written to the children before their readers exist: LATEST would skip these.
    await putJsonRecords(env.client, stream, events(20, 30), (row) => String(row.id));
    await waitFor('50 rows', () => idCounts(runtime).size === 50);
    expectExactlyOnce(runtime, 50);
    const children = runtime.partitions().filter((p) => p.shardId !== 'shardId-000000000000');
    expect(children).toHaveLength(2);
    for (const child of children) expect(child.startedFrom).toMatch(/TRIM_HORIZON \(child of a shard/);
  });

  it('resumes after its last sealed segment on restart, re-reading only unsealed rows', async () => {
    const stream = await env.newStream(2);
    await putJsonRecords(env.client, stream, events(0, 100), (row) => String(row.id));
    const first = await newRuntime(stream, { 'realtime.segment.flush.threshold.rows': '15' });
    await waitFor('100 rows', () => idCounts(first).size === 100);
    // Counted after stop: a seal may still be under way when the 100th row is first seen.
    await first.stop();
    const sealedBefore = first.segments().length;
    const dir = tables.dirs[0]!;

    await putJsonRecords(env.client, stream, events(100, 50), (row) => String(row.id));
    const second = await newRuntime(stream, { 'realtime.segment.flush.threshold.rows': '15' }, dir);
    expect(second.segments()).toHaveLength(sealedBefore);
    await waitFor('150 rows', () => idCounts(second).size === 150);
    expectExactlyOnce(second, 150);
    expect((await readdir(dir)).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
