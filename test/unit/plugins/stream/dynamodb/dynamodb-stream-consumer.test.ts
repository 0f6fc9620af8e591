import { describe, expect, it } from 'vitest';
import { parseDynamoDbConfig } from '../../../../../src/plugins/stream/dynamodb/dynamodb-config.js';
import { DynamoDbStreamConsumer } from '../../../../../src/plugins/stream/dynamodb/dynamodb-stream-consumer.js';
import type { DynamoDbStreamsApi } from '../../../../../src/plugins/stream/dynamodb/index.js';
import { DynamoDbStreamsDouble } from '../../../../helpers/dynamodb-streams-double.js';

const config = parseDynamoDbConfig(
  { streamType: 'dynamodb', topicName: 'T', properties: { 'stream.dynamodb.table.name': 'Tbl', 'stream.dynamodb.poll.interval.millis': '0', 'stream.dynamodb.max.records': '400' }, flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 }, decoderName: 'json' },
  undefined,
  {},
);
const source = async () => ({ keyNames: ['pk'], idAttributeRename: undefined, deleteColumn: '_deleted', tableName: 'Tbl', streamArn: 'arn', viewType: 'NEW_IMAGE', itemCount: 0, createdAtMs: 0 });

describe('DynamoDB Streams shard consumer', () => {
  it('asks for fewer records after a call that timed out, and reads on from the same position', async () => {
    const double = new DynamoDbStreamsDouble();
    for (let i = 0; i < 300; i++) double.put({ pk: { S: `k${i}` }, n: { N: String(i) } });
    const limits: number[] = [];
    // An endpoint that never answers a call for more than 100 records (a slow emulator).
    const slow: DynamoDbStreamsApi = {
      describeStream: (input) => double.describeStream(input),
      getShardIterator: (input) => double.getShardIterator(input),
      getRecords: (input, signal) => {
        limits.push(input.Limit);
        if (input.Limit <= 100) return double.getRecords(input);
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      },
    };
    const consumer = new DynamoDbStreamConsumer({ api: slow, config, shardId: double.shardIds[0]!, source, fromOldest: true });
    const keys: string[] = [];
    let after = null;
    const notes: string[] = [];
    for (let i = 0; i < 20 && keys.length < 300; i++) {
      const batch = await consumer.fetchMessages(after, 50);
      if (batch.note !== undefined) notes.push(batch.note);
      for (const m of batch.messages) keys.push(m.key);
      if (batch.messages.length > 0) after = batch.messages[batch.messages.length - 1]!.offset;
    }
    expect(limits.slice(0, 3)).toEqual([400, 200, 100]);
    expect(notes[0]).toBe('the next GetRecords asks for 200 records');
    expect(keys).toEqual(Array.from({ length: 300 }, (_, i) => `k${i}`));
  });

  it('REMOVE records carry the key with the delete column set; a closed, fully read shard ends the partition', async () => {
    const double = new DynamoDbStreamsDouble();
    double.put({ pk: { S: 'a' }, n: { N: '1' } }, 'INSERT');
    double.remove('a');
    double.rotate();
    const consumer = new DynamoDbStreamConsumer({ api: double, config, shardId: double.shardIds[0]!, source, fromOldest: true });
    const batch = await consumer.fetchMessages(null, 1000);
    expect(batch.messages.map((m) => JSON.parse(Buffer.from(m.value).toString()))).toEqual([
      { pk: 'a', n: 1, _id: 'a', _deleted: false },
      { pk: 'a', _id: 'a', _deleted: true },
    ]);
    expect(batch.endOfPartition).toBe(true);
    expect((await consumer.fetchMessages(batch.messages[1]!.offset, 1000)).endOfPartition).toBe(true);
  });
});
