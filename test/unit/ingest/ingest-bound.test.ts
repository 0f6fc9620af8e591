import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../../src/config/index.js';
import { allPartitionsFinished, applyBound } from '../../../src/ingest/ingest-bound.js';
import { PartitionIngester } from '../../../src/ingest/partition-ingester.js';
import { silentLogger } from '../../../src/logger.js';
import { KinesisOffset } from '../../../src/plugins/stream/kinesis/kinesis-offset.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import type { MessageBatch, StreamMessage } from '../../../src/spi/message-batch.js';
import type { StreamOffset } from '../../../src/spi/offset.js';
import type { PartitionConsumer } from '../../../src/spi/partition-consumer.js';
import { resolveTable } from '../../../src/table/table-resolution.js';

const message = (i: number, arrivalTimeMs: number): StreamMessage => {
  const value = new TextEncoder().encode(JSON.stringify({ id: i }));
  return { key: 'k', value, offset: new KinesisOffset(String((i + 1) * 10)), arrivalTimeMs, serializedSize: value.byteLength };
};

describe('applyBound', () => {
  const bound = { asOfMs: 1000 };
  it('cuts a batch before the first record that arrived after the bound, and is then never the end of the shard', () => {
    const batch: MessageBatch = { messages: [message(0, 999), message(1, 1000), message(2, 1001), message(3, 990)], endOfPartition: true, millisBehindLatest: 0 };
    const out = applyBound(batch, bound, false);
    expect(out.reached).toBe(true);
    expect(out.batch.messages.map((m) => m.offset.toString())).toEqual(['10', '20']);
    expect(out.batch.endOfPartition).toBe(false);
  });

  it('an open shard reaches its bound at the tip; behind, timed out or closed it does not', () => {
    const at = (b: Partial<MessageBatch>, closed = false): boolean => applyBound({ messages: [], endOfPartition: false, ...b }, bound, closed).reached;
    expect(at({ millisBehindLatest: 0 })).toBe(true);
    // Empty and the stream does not say (a paced consumer made no call): not the tip.
    expect(at({})).toBe(false);
    // Records at 0 ms behind are not the tip: more written in the same millisecond may follow.
    expect(at({ messages: [message(0, 10)], millisBehindLatest: 0 })).toBe(false);
    expect(at({ millisBehindLatest: 5000 })).toBe(false); // an empty stretch of a shard that is behind
    expect(at({ messages: [message(0, 10)] })).toBe(false);
    expect(at({ timedOut: true })).toBe(false);
    expect(at({ millisBehindLatest: 0 }, true)).toBe(false); // a closed shard is read to its end
    expect(at({ millisBehindLatest: 0, endOfPartition: true })).toBe(false); // sealed as the end of the shard instead
  });
});

describe('allPartitionsFinished', () => {
  const p = (shardId: string, parentShardIds: string[] = []) => ({ shardId, parentShardIds });
  it('waits for running loops and for children whose parents all ended; a child of a parent stopped at the bound is done', () => {
    const running = new Map([['a', { finished: true }], ['b', { finished: false }]]);
    expect(allPartitionsFinished([p('a'), p('b')], running, new Set())).toBe(false);
    running.set('b', { finished: true });
    expect(allPartitionsFinished([p('a'), p('b')], running, new Set())).toBe(true);
    expect(allPartitionsFinished([p('a'), p('b'), p('c', ['a'])], running, new Set(['a']))).toBe(false); // c is about to start
    expect(allPartitionsFinished([p('a'), p('b'), p('c', ['a', 'b'])], running, new Set(['a']))).toBe(true); // b stopped at the bound
    expect(allPartitionsFinished([p('a'), p('b')], new Map([['b', { finished: true }]]), new Set(['a']))).toBe(true); // a ended in an earlier run
  });
});

/** Ten records arriving at 1000..1009 ms, handed out 3 per fetch, with the lag to the last one. */
class TimedConsumer implements PartitionConsumer {
  fetches = 0;
  async fetchMessages(after: StreamOffset | null): Promise<MessageBatch> {
    this.fetches++;
    const start = after === null ? 0 : Number((after as KinesisOffset).sequence / 10n);
    const end = Math.min(10, start + 3);
    const messages = Array.from({ length: end - start }, (_, k) => message(start + k, 1000 + start + k));
    return { messages, endOfPartition: false, millisBehindLatest: end === 10 ? 0 : (10 - end) * 100 };
  }
  async close(): Promise<void> {}
}

describe('PartitionIngester with a bound', () => {
  const schema = buildTableSchema(validateSchema({ schemaName: 'events', dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }] }));
  const config = validateTableConfig(
    {
      tableName: 'events',
      tableType: 'REALTIME',
      tableIndexConfig: { streamConfigs: { streamType: 'kinesis', 'stream.kinesis.topic.name': 'events', region: 'us-east-1', 'realtime.segment.flush.threshold.rows': '1000' } },
    },
    schema,
  );
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function runBounded(asOfMs: number): Promise<{ sealed: SealedSegment[]; ingester: PartitionIngester; consumer: TimedConsumer }> {
    const tableDir = await mkdtemp(join(tmpdir(), 'shardtable-bound-'));
    dirs.push(tableDir);
    const sealed: SealedSegment[] = [];
    const consumer = new TimedConsumer();
    const ingester = new PartitionIngester({
      tableDir,
      schema,
      config,
      partition: { partitionId: 0, shardId: 'shardId-000000000000', parentShardIds: [], closed: false },
      consumer,
      pipeline: resolveTable(schema, config).pipelineFor('shardId-000000000000'),
      fetchTimeoutMs: 1000,
      checkpoint: null,
      startedFrom: 'TRIM_HORIZON',
      nextSequence: 0,
      onSealed: (segment) => sealed.push(segment),
      onEnded: () => undefined,
      logger: silentLogger(),
      bound: { asOfMs },
    });
    ingester.start();
    const deadline = Date.now() + 5000;
    while (!ingester.finished && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await ingester.stop();
    return { sealed, ingester, consumer };
  }

  it('stops before the first record past the bound, sealing the ones before it', async () => {
    const { sealed, ingester, consumer } = await runBounded(1004);
    expect(ingester.finished).toBe(true);
    expect(ingester.status().state).toBe('STOPPED');
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.metadata.numDocs).toBe(5);
    expect(sealed[0]!.metadata.endOffset).toBe('50');
    expect(sealed[0]!.metadata.endOfShard).toBe(false);
    expect(consumer.fetches).toBe(2);
  });

  it('stops at the tip of the shard when every record is older than the bound', async () => {
    const { sealed, ingester } = await runBounded(Number.MAX_SAFE_INTEGER);
    expect(ingester.status().state).toBe('STOPPED');
    expect(sealed.map((s) => s.metadata.numDocs)).toEqual([10]);
    expect(sealed[0]!.metadata.endOffset).toBe('100');
  });
});
