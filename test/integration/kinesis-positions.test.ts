import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { startHarness } from '../http/http-harness.js';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { sortedIds, waitForWith } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'positions',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }],
}));

/** Hash keys that land in shard 0 and shard 1 of a two-shard stream (the range is split evenly). */
const SHARD_HASH = ['1', (2n ** 127n + 1n).toString()];

/** Puts `{id}` records (optionally into a given shard of a two-shard stream); returns each one's shard and sequence number. */
async function put(client: KinesisClient, stream: string, ids: number[], shard?: (id: number) => number): Promise<{ id: number; shardId: string; seq: string }[]> {
  const out = await client.send(new PutRecordsCommand({
    StreamName: stream,
    Records: ids.map((id) => ({
      PartitionKey: `k${id}`,
      Data: new TextEncoder().encode(JSON.stringify({ id })),
      ...(shard !== undefined ? { ExplicitHashKey: SHARD_HASH[shard(id)] } : {}),
    })),
  }));
  expect(out.FailedRecordCount ?? 0).toBe(0);
  return out.Records!.map((r, i) => ({ id: ids[i]!, shardId: r.ShardId!, seq: r.SequenceNumber! }));
}

/** Every id in the table now (sealed files plus consuming segments), sorted; duplicates kept. */
const ids = (runtime: TableIngestion): number[] => sortedIds(runtime).map(Number);

const waitFor = waitForWith({ timeoutMs: 45_000, pollMs: 100 });

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(EMULATOR_KINDS)('starting positions on %s', (kind) => {
  const env = withEmulator(kind);
  const tables = withTableRuntimes('shardtable-positions-');

  const start = (stream: string, keys: Record<string, string>, tableDir?: string): Promise<TableIngestion> =>
    tables.start({
      schema,
      tableDir,
      config: emulatorTableConfig({
        endpoint: env.endpoint,
        stream,
        tableName: 'positions',
        streamConfigs: { 'stream.kinesis.shard.discovery.interval.ms': '500', ...keys },
      }),
    });

  it('TRIM_HORIZON reads every record already in the stream', async () => {
    const stream = await env.newStream(2);
    await put(env.client, stream, range(0, 20));
    const runtime = await start(stream, { shardIteratorType: 'TRIM_HORIZON' });
    await waitFor('20 rows', () => ids(runtime).length === 20);
    expect(ids(runtime)).toEqual(range(0, 20));
    expect(runtime.partitions().map((p) => p.startedFrom)).toEqual(['TRIM_HORIZON', 'TRIM_HORIZON']);
  });

  it('LATEST skips what was there before the table started and reads what came after', async () => {
    const stream = await env.newStream(2);
    await put(env.client, stream, range(0, 10));
    const runtime = await start(stream, { shardIteratorType: 'LATEST' });
    // Once every shard has answered a fetch, its LATEST iterator is fixed: later records are read.
    await waitFor('both shards polled', () => runtime.partitions().length === 2 && runtime.partitions().every((p) => p.state === 'CAUGHT_UP'));
    await put(env.client, stream, range(10, 20));
    await waitFor('10 new rows', () => ids(runtime).length >= 10);
    await sleep(500);
    expect(ids(runtime)).toEqual(range(10, 20));
  });

  it('AT_TIMESTAMP reads the records that arrived at or after the timestamp (ISO-8601 and epoch millis)', async () => {
    const stream = await env.newStream(1);
    await put(env.client, stream, range(0, 5));
    await sleep(1500);
    const at = Date.now();
    await sleep(1500);
    // Records after the timestamp exist before the table starts (kinesalite hangs on AT_TIMESTAMP otherwise).
    await put(env.client, stream, range(5, 10));
    const iso = await start(stream, { shardIteratorType: 'AT_TIMESTAMP', 'stream.kinesis.iterator.timestamp': new Date(at).toISOString() });
    await waitFor('5 rows', () => ids(iso).length >= 5);
    expect(iso.partitions()[0]!.startedFrom).toBe(`AT_TIMESTAMP ${new Date(at).toISOString()}`);
    const millis = await start(stream, { shardIteratorType: 'AT_TIMESTAMP', shardIteratorTimestamp: String(at) });
    await waitFor('5 rows', () => ids(millis).length >= 5);
    await sleep(500);
    expect(ids(iso)).toEqual(range(5, 10));
    expect(ids(millis)).toEqual(range(5, 10));
  });

  it.each(['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'])('%s starts each mapped shard at its sequence number; other shards at TRIM_HORIZON', async (type) => {
    const stream = await env.newStream(2);
    const written = await put(env.client, stream, range(0, 20), (id) => id % 2); // even ids → shard 0, odd → shard 1
    const shard0 = written.filter((w) => w.shardId === 'shardId-000000000000');
    expect(shard0.map((w) => w.id)).toEqual(range(0, 10).map((i) => i * 2));
    const from = shard0[3]!; // id 6
    const runtime = await start(stream, {
      shardIteratorType: type,
      'stream.kinesis.iterator.sequenceNumbers': JSON.stringify({ 'shardId-000000000000': from.seq }),
    });
    const expected = [
      ...range(0, 10).map((i) => i * 2).filter((id) => (type === 'AT_SEQUENCE_NUMBER' ? id >= 6 : id > 6)),
      ...range(0, 10).map((i) => i * 2 + 1),
    ].sort((a, b) => a - b);
    await waitFor(`${expected.length} rows`, () => ids(runtime).length >= expected.length);
    await sleep(500);
    expect(ids(runtime)).toEqual(expected);
    const status = Object.fromEntries(runtime.partitions().map((p) => [p.shardId, p.startedFrom]));
    expect(status['shardId-000000000000']).toBe(`${type} ${from.seq} (stream.kinesis.iterator.sequenceNumbers)`);
    expect(status['shardId-000000000001']).toBe('TRIM_HORIZON (shard not in stream.kinesis.iterator.sequenceNumbers; starts from the oldest record)');
  });

  it('a shard with a checkpoint resumes after it, whatever the starting position says', async () => {
    const stream = await env.newStream(1);
    const written = await put(env.client, stream, range(0, 10));
    const keys = {
      shardIteratorType: 'AT_SEQUENCE_NUMBER',
      'stream.kinesis.iterator.sequenceNumbers': JSON.stringify({ 'shardId-000000000000': written[2]!.seq }),
      'realtime.segment.flush.threshold.rows': '4',
    };
    const first = await start(stream, keys);
    await waitFor('8 rows', () => ids(first).length === 8);
    await waitFor('2 sealed segments', () => first.segments().length === 2);
    await first.stop();
    const dir = tables.dirs[0]!;

    await put(env.client, stream, range(10, 13));
    const second = await start(stream, keys, dir);
    await waitFor('11 rows', () => ids(second).length >= 11);
    await sleep(500);
    expect(ids(second)).toEqual(range(2, 13));
    expect(second.partitions()[0]!.startedFrom).toBe(`AFTER_SEQUENCE_NUMBER ${written[9]!.seq} (last sealed segment)`);
  });
});

describe('starting position errors over HTTP', () => {
  it.each([
    [{ shardIteratorType: 'AT_TIMESTAMP' }, 'stream.kinesis.iterator.timestamp is required when shardIteratorType is AT_TIMESTAMP'],
    [{ shardIteratorType: 'AT_TIMESTAMP', 'stream.kinesis.iterator.timestamp': 'last tuesday' }, 'stream.kinesis.iterator.timestamp must be epoch millis or an ISO-8601 time'],
    [{ shardIteratorType: 'AT_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': 'shardId-000000000000=12' }, 'stream.kinesis.iterator.sequenceNumbers must be a JSON object'],
    [{ shardIteratorType: 'AFTER_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': '{"shardId-000000000000":"0x1f"}' }, 'stream.kinesis.iterator.sequenceNumbers["shardId-000000000000"] must be a sequence number of 1-128 decimal digits'],
    [{ shardIteratorType: 'LATEST', 'stream.kinesis.iterator.sequenceNumbers': '{}' }, 'stream.kinesis.iterator.sequenceNumbers is only used with shardIteratorType AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER'],
    [{ iamRoleBasedAccessEnabled: 'true', roleArn: 'arn:aws:iam::123456789012:role/r', sessionDurationSeconds: '60' }, 'sessionDurationSeconds must be an integer from 900 to 43200'],
  ])('POST /tables with %j is a 400 naming the key', async (keys, expected) => {
    const h = await startHarness();
    try {
      await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
      const config = eventsTableConfig();
      Object.assign((config.tableIndexConfig as { streamConfigs: Record<string, unknown> }).streamConfigs, keys);
      const response = await h.inject({ method: 'POST', url: '/tables', payload: config });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toContain(expected);
    } finally {
      await h.close();
    }
  });
});
