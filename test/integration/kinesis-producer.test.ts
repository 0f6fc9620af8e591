import { Readable } from 'node:stream';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { EMULATOR_KINDS, kinesisClientFor } from '../../src/emulator/index.js';
import type { StreamConfig } from '../../src/config/table-config.js';
import { ShardtableError } from '../../src/errors.js';
import { KinesisConsumerFactory, parseKinesisConfig, PartitionIdMap, putJsonRecords, runProduce } from '../../src/plugins/stream/kinesis/index.js';
import type { StreamMessage } from '../../src/spi/message-batch.js';
import { withEmulator } from '../helpers/emulator.js';

const decoder = new TextDecoder();

/** A fresh client that counts its PutRecords calls. */
function countingClient(endpoint: string): { client: KinesisClient; calls: number } {
  const client = kinesisClientFor(endpoint);
  const counter = { client, calls: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (String(context.commandName).startsWith('PutRecords')) counter.calls++;
      return next(args);
    },
    { step: 'initialize', name: 'countPutRecords' },
  );
  return counter;
}

/** Every record in the stream, read from TRIM_HORIZON shard by shard. */
async function readAll(endpoint: string, stream: string, expected: number): Promise<StreamMessage[]> {
  const config: StreamConfig = {
    streamType: 'kinesis',
    topicName: stream,
    properties: { 'stream.kinesis.topic.name': stream, endpoint, region: 'us-east-1', accessKey: 'a', secretKey: 'b', shardIteratorType: 'TRIM_HORIZON', requests_per_second_limit: '1000' },
    flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 },
    decoderName: 'json',
  };
  const factory = new KinesisConsumerFactory(parseKinesisConfig(config), { partitionIds: new PartitionIdMap() });
  const out: StreamMessage[] = [];
  for (const partition of await factory.createMetadataProvider().listPartitions()) {
    const consumer = factory.createPartitionConsumer(partition);
    let after = null;
    for (let poll = 0, empty = 0; poll < 30 && out.length < expected && empty < 3; poll++) {
      const batch = await consumer.fetchMessages(after, 5_000);
      out.push(...batch.messages);
      if (batch.messages.length > 0) after = batch.messages[batch.messages.length - 1]!.offset;
      else empty++;
    }
  }
  await factory.close();
  return out;
}

describe.each(EMULATOR_KINDS)('Kinesis producer on %s', (kind) => {
  const env = withEmulator(kind);

  it('putJsonRecords batches at 500 records and keeps each row', async () => {
    const stream = await env.newStream(2, 'put');
    const counter = countingClient(env.endpoint);
    const rows = Array.from({ length: 1100 }, (_, id) => ({ id, name: `row ${id}` }));
    expect(await putJsonRecords(counter.client, stream, rows, (row) => String(row.id))).toEqual({ records: 1100 });
    expect(counter.calls).toBe(3);
    counter.client.destroy();
    const read = await readAll(env.endpoint, stream, 1100);
    const ids = read.map((m) => (JSON.parse(decoder.decode(m.value)) as { id: number }).id).sort((a, b) => a - b);
    expect(ids).toEqual(rows.map((r) => r.id));
    for (const m of read) expect(m.key).toBe(String((JSON.parse(decoder.decode(m.value)) as { id: number }).id));
  });

  it('runProduce writes JSON lines byte for byte, keyed by a field, skipping blank lines', async () => {
    const stream = await env.newStream(2, 'produce');
    const lines = ['{"user":"ann","n":9007199254740993}', '', '   ', '{"user":"bob","n":2}', '{"user":"ann","n":3}'];
    const result = await runProduce({ stream, endpoint: env.endpoint, region: 'us-east-1', partitionKey: 'user', input: Readable.from(lines.join('\n')) });
    expect(result).toEqual({ records: 3 });
    const read = await readAll(env.endpoint, stream, 3);
    expect(read.map((m) => decoder.decode(m.value)).sort()).toEqual([lines[0], lines[3], lines[4]].sort());
    expect(read.map((m) => m.key).sort()).toEqual(['ann', 'ann', 'bob']);
  });

  it('runProduce stops at a bad JSON line, names it, and has written the lines before it', async () => {
    const stream = await env.newStream(1, 'badline');
    const input = Readable.from(['{"a":1}', '{"a":2}', '', '{"a":', '{"a":4}'].join('\n'));
    const run = runProduce({ stream, endpoint: env.endpoint, input });
    await expect(run).rejects.toBeInstanceOf(ShardtableError);
    await expect(run).rejects.toThrow(/^line 4 of stdin: not valid JSON .*\(2 records before it were written\)$/);
    const read = await readAll(env.endpoint, stream, 2);
    expect(read.map((m) => decoder.decode(m.value))).toEqual(['{"a":1}', '{"a":2}']);
  });
});
