import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { expectSplitReadThrough } from '../helpers/split-shard.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema(idKindTsSchema('events')));

function config(endpoint: string, stream: string, more: Record<string, string> = {}): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
      'stream.kinesis.consumer.type': 'efo',
      'realtime.segment.flush.threshold.rows': '10',
      ...more,
    },
  });
}

const sealedRows = (runtime: TableIngestion): number => runtime.segments().reduce((n, s) => n + s.numDocs, 0);
const readModes = (runtime: TableIngestion): string[] => runtime.partitions().map((p) => p.readMode ?? '');
/** The subscriptions each shard opened since start, from its `readMode`. */
const subscriptions = (runtime: TableIngestion): number[] =>
  readModes(runtime).map((mode) => Number(/subscriptions since start: (\d+)/.exec(mode)?.[1] ?? 0));

// kinesis-local (kinesis-mock) serves RegisterStreamConsumer, DescribeStreamConsumer and
// SubscribeToShard (event-stream framing over HTTP/1.1); kinesalite serves none of them.
describe('enhanced fan-out on kinesis-local', () => {
  const env = withEmulator('kinesis-local');
  const tables = withTableRuntimes('shardtable-efo-');

  it('reads every shard through a registered consumer into sealed, queryable segments, exactly once across a restart', async () => {
    const stream = await env.newStream(2);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 60), (row) => String(row.id));
    const first = await tables.start({ schema, config: config(env.endpoint, stream) });
    await waitFor('60 rows', () => idCounts(first).size === 60);
    expectExactlyOnce(first, 60);
    expect(sealedRows(first)).toBeGreaterThanOrEqual(40);
    for (const mode of readModes(first)) expect(mode).toMatch(/^enhanced fan-out \(consumer shardtable-events; ACTIVE/);
    await first.stop();

    await putJsonRecords(env.client, stream, idKindTsRows(60, 40), (row) => String(row.id));
    const second = await tables.start({ schema, config: config(env.endpoint, stream), tableDir: tables.dirs[0]! });
    await waitFor('100 rows after the restart', () => idCounts(second).size === 100);
    await second.forceCommit();
    await waitFor('every row sealed', () => sealedRows(second) === 100);
    expectExactlyOnce(second, 100);
    for (const mode of readModes(second)) expect(mode).toMatch(/^enhanced fan-out \(consumer shardtable-events; ACTIVE/);
  });

  it('renews each subscription from its continuation sequence number, losing and repeating nothing', async () => {
    const stream = await env.newStream(1);
    const runtime = await tables.start({ schema, config: config(env.endpoint, stream, { 'stream.kinesis.consumer.subscription.millis': '1000' }) });
    let next = 0;
    for (const round of [1, 2, 3]) {
      await putJsonRecords(env.client, stream, idKindTsRows(next, 15), (row) => String(row.id));
      next += 15;
      await waitFor(`${next} rows`, () => idCounts(runtime).size === next);
      // The next batch goes to a later subscription than the one that read this one.
      await waitFor(`subscription ${round + 1}`, () => subscriptions(runtime)[0]! > round);
    }
    expectExactlyOnce(runtime, next);
  });

  it('ends a split shard (kinesis-local sends no ChildShards: the idle-shard probe finds the end) and reads the children after it', async () => {
    const stream = await env.newStream(1);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 30), (row) => String(row.id));
    const runtime = await tables.start({
      schema,
      config: config(env.endpoint, stream, { 'stream.kinesis.shard.discovery.interval.ms': '500' }),
    });
    await expectSplitReadThrough(env.client, stream, runtime, (from, count) => putJsonRecords(env.client, stream, idKindTsRows(from, count), (row) => String(row.id)));
    for (const p of runtime.partitions().filter((q) => q.state !== 'ENDED')) expect(p.readMode).toMatch(/^enhanced fan-out/);
  });
});

describe('enhanced fan-out on kinesalite (no consumer APIs)', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-efo-fallback-');

  it('falls back to polling when registration fails, and says so in status', async () => {
    const stream = await env.newStream(2);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 30), (row) => String(row.id));
    const runtime = await tables.start({ schema, config: config(env.endpoint, stream) });
    await waitFor('30 rows', () => idCounts(runtime).size === 30);
    expectExactlyOnce(runtime, 30);
    for (const mode of readModes(runtime)) {
      expect(mode).toMatch(/^polling \(fell back from enhanced fan-out: DescribeStreamConsumer for consumer shardtable-events of Kinesis stream .* failed: UnknownOperationException/);
    }
  });
});
