import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { EMULATOR_KINDS, waitForStreamStatus } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { httpCall } from '../helpers/server-process.js';
import { waitFor } from '../helpers/table-rows.js';

/*
 * A stream deleted and created again under the same name (docs/exactly-once.md, "A recreated
 * stream"), through the real HTTP server on kinesalite: the table reports it, reads nothing of the
 * new stream until POST /tables/{t}/resetStream, and afterwards holds exactly the new stream's
 * records — under a running table and across a restart.
 */

interface TableInfo {
  shardtableTable?: {
    ingestion: { state: string; lastError: string | null };
    streamIdentity?: { recorded: Record<string, { id: string; createdAtMs: number }>; recreated: { message: string }[] };
  };
  shardtablePartitions?: { state: string; rowsInConsumingSegment: number }[];
}

// The running-table case runs on both emulators (the check depends on DescribeStreamSummary, not
// on one emulator); the restart and two-stream cases only on the faster kinesalite.
describe.each(EMULATOR_KINDS)('a recreated stream (%s)', (kind) => {
  const env = withEmulator(kind);
  const cleanups: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  async function serve(dataDir: string): Promise<RunningServer> {
    const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
    cleanups.push(() => server.close());
    return server;
  }

  async function ids(url: string): Promise<number[]> {
    const { json } = await httpCall(url, 'POST', '/query/sql', { sql: 'SELECT id FROM events ORDER BY id LIMIT 100000' });
    expect(json.exceptions).toEqual([]);
    return (json.resultTable.rows as [number][]).map((r) => Number(r[0]));
  }

  async function info(url: string): Promise<TableInfo> {
    return (await httpCall(url, 'GET', '/tables/events/consumingSegmentsInfo')).json as TableInfo;
  }

  /**
   * Creates the stream again. Kinesalite's creation timestamps are whole seconds, and a stream
   * recreated within the second of the old one's creation has the same ARN and timestamp: no
   * client can tell them apart (docs/exactly-once.md says so), so the test waits for the next second.
   */
  const KINESALITE_STAMP_SKEW_MS = 2000;

  async function createAgain(stream: string, shards: number, previousCreatedAtMs: number): Promise<void> {
    // Creation timestamps are whole seconds, and kinesalite stamps a stream 2 s before its creation
    // (its SEQ_ADJUST_MS): wait until a stream created now is stamped in a later second than the old one.
    const stampOfNow = (): number => Math.floor((Date.now() - KINESALITE_STAMP_SKEW_MS) / 1000);
    while (stampOfNow() <= Math.floor(previousCreatedAtMs / 1000)) await new Promise((r) => setTimeout(r, 50));
    await env.client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
  }

  async function createdAtMs(stream: string): Promise<number> {
    const out = await env.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return out.StreamDescriptionSummary!.StreamCreationTimestamp!.getTime();
  }

  async function recreate(stream: string, shards: number): Promise<void> {
    const previous = await createdAtMs(stream);
    await env.client.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitForStreamStatus(env.client, stream, 'DELETED');
    await createAgain(stream, shards, previous);
  }

  function range(from: number, count: number): number[] {
    return Array.from({ length: count }, (_, i) => from + i);
  }

  async function createTable(url: string, stream: string): Promise<void> {
    expect((await httpCall(url, 'POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const config = emulatorTableConfig({
      endpoint: env.endpoint,
      stream,
      timeColumn: 'ts',
      streamConfigs: { 'realtime.segment.flush.threshold.rows': '10', 'stream.kinesis.shard.discovery.interval.ms': '500' },
    });
    expect((await httpCall(url, 'POST', '/tables', config)).status).toBe(200);
  }

  it('under a running table: reported, nothing read from the new stream until resetStream, then exactly the new stream', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-recreated-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const stream = await env.newStream(2);
    const server = await serve(dataDir);
    await createTable(server.url, stream);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 30), (row) => String(row.id));
    await waitFor('the old stream\'s 30 rows', async () => (await ids(server.url)).length === 30);
    const recorded = (await info(server.url)).shardtableTable?.streamIdentity?.recorded['0'];
    expect(recorded?.id).toContain(`stream/${stream}`);
    const file = JSON.parse(await readFile(join(dataDir, 'events', 'stream-identity.json'), 'utf8'));
    expect(file.streams['0']).toMatchObject({ id: recorded!.id, createdAtMs: recorded!.createdAtMs });
    // Nothing to reset while the stream is the recorded one.
    const early = await httpCall(server.url, 'POST', '/tables/events/resetStream');
    expect(early.status).toBe(409);
    expect(early.json.error).toContain('is the one its checkpoints belong to');
    expect(early.json.code).toBe(409);

    // Deleted: every reader stops on ResourceNotFound before the new stream exists.
    await env.client.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitForStreamStatus(env.client, stream, 'DELETED');
    await waitFor('both partitions stopped on the deleted stream', async () => (await info(server.url)).shardtablePartitions?.every((p) => p.state === 'ERROR') === true);
    await createAgain(stream, 2, recorded!.createdAtMs);
    await putJsonRecords(env.client, stream, idKindTsRows(1000, 20), (row) => String(row.id));

    await waitFor('the recreation reported', async () => (await info(server.url)).shardtableTable?.ingestion.state === 'STREAM_RECREATED');
    const table = (await info(server.url)).shardtableTable!;
    expect(table.ingestion.lastError).toContain(`stream kinesis:${stream} was deleted and created again`);
    expect(table.ingestion.lastError).toContain('POST /tables/events/resetStream');
    expect(table.streamIdentity?.recreated.map((r) => r.message).join(' ')).toBe(table.ingestion.lastError);
    const pause = (await httpCall(server.url, 'GET', '/tables/events/pauseStatus')).json;
    expect(pause.ingestion).toBe('STREAM_RECREATED');
    // Still the old rows, and none of the new stream, also after more discovery intervals.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await ids(server.url)).toEqual((await ids(server.url)).filter((id) => id < 1000));
    expect((await ids(server.url)).length).toBeGreaterThan(0);

    const bad = await httpCall(server.url, 'POST', '/tables/events/resetStream?consumeFrom=oldest');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('consumeFrom must be smallest or largest');
    const reset = await httpCall(server.url, 'POST', '/tables/events/resetStream?consumeFrom=smallest');
    expect(reset.status).toBe(200);
    expect(reset.json.streams[0].previous.id).toBe(recorded!.id);
    expect(reset.json.streams[0].current.createdAtMs).toBeGreaterThan(recorded!.createdAtMs);
    expect(reset.json.partitionsRetired).toEqual([0, 1]);
    await waitFor('exactly the new stream\'s 20 rows', async () => JSON.stringify(await ids(server.url)) === JSON.stringify(range(1000, 20)));
    expect((await info(server.url)).shardtableTable?.ingestion.state).toBe('RUNNING');
    await putJsonRecords(env.client, stream, idKindTsRows(1020, 5), (row) => String(row.id));
    await waitFor('and what follows', async () => JSON.stringify(await ids(server.url)) === JSON.stringify(range(1000, 25)));
    expect((await httpCall(server.url, 'POST', '/tables/events/resetStream')).status).toBe(409);
  });

  if (kind !== 'kinesalite') return;

  it('across a restart: the restarted table reports it, and the reset holds across the next restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-recreated-restart-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const stream = await env.newStream(1);
    const first = await serve(dataDir);
    await createTable(first.url, stream);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 25), (row) => String(row.id));
    await waitFor('20 rows sealed, 5 consuming', async () => {
      const partitions = (await info(first.url)).shardtablePartitions;
      return partitions?.[0]?.rowsInConsumingSegment === 5 && (await ids(first.url)).length === 25;
    });
    await first.close();

    await recreate(stream, 1);
    await putJsonRecords(env.client, stream, idKindTsRows(2000, 7), (row) => String(row.id));

    const second = await serve(dataDir);
    await waitFor('the recreation reported after the restart', async () => (await info(second.url)).shardtableTable?.ingestion.state === 'STREAM_RECREATED');
    // The sealed rows of the old stream are served; its consuming rows are gone with it; nothing new.
    expect(await ids(second.url)).toEqual(range(0, 20));
    const reset = await httpCall(second.url, 'POST', '/tables/events/resetStream');
    expect(reset.status).toBe(200);
    expect(reset.json.consumeFrom).toBe('smallest');
    await waitFor('exactly the new stream\'s 7 rows', async () => JSON.stringify(await ids(second.url)) === JSON.stringify(range(2000, 7)));
    await second.close();

    const third = await serve(dataDir);
    await waitFor('running again', async () => (await info(third.url)).shardtableTable?.ingestion.state === 'RUNNING');
    await putJsonRecords(env.client, stream, idKindTsRows(2007, 3), (row) => String(row.id));
    await waitFor('the new stream, each record once', async () => JSON.stringify(await ids(third.url)) === JSON.stringify(range(2000, 10)));
  });
  it('in a table of two streams, a reset replaces only the recreated stream\'s rows', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-recreated-two-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const kept = await env.newStream(1);
    const recreated = await env.newStream(2);
    const server = await serve(dataDir);
    expect((await httpCall(server.url, 'POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const streamConfigs = { 'realtime.segment.flush.threshold.rows': '10', 'stream.kinesis.shard.discovery.interval.ms': '500' };
    const maps = [kept, recreated].map((stream) => emulatorTableConfig({ endpoint: env.endpoint, stream, streamConfigs }).tableIndexConfig as { streamConfigs: Record<string, string> });
    const config = { ...emulatorTableConfig({ endpoint: env.endpoint, stream: kept, timeColumn: 'ts' }), tableIndexConfig: {}, ingestionConfig: { streamIngestionConfig: { streamConfigMaps: maps.map((m) => m.streamConfigs) } } };
    expect((await httpCall(server.url, 'POST', '/tables', config)).status).toBe(200);
    await putJsonRecords(env.client, kept, idKindTsRows(0, 15), (row) => String(row.id));
    await putJsonRecords(env.client, recreated, idKindTsRows(100, 24), (row) => String(row.id));
    await waitFor('both streams\' rows', async () => (await ids(server.url)).length === 39);

    await recreate(recreated, 2);
    await putJsonRecords(env.client, recreated, idKindTsRows(500, 6), (row) => String(row.id));
    await waitFor('the recreation reported', async () => (await info(server.url)).shardtableTable?.ingestion.state === 'STREAM_RECREATED');
    expect((await info(server.url)).shardtableTable?.ingestion.lastError).toContain(`stream kinesis:${recreated} was deleted and created again`);
    const reset = await httpCall(server.url, 'POST', '/tables/events/resetStream');
    expect(reset.status).toBe(200);
    expect(reset.json.streams.map((s: { label: string }) => s.label)).toEqual([`kinesis:${recreated}`]);
    expect(reset.json.partitionsRetired).toEqual([10000, 10001]);
    // The kept stream's rows stay (sealed ones at once; its consuming rows are read again), the recreated one's are replaced.
    await putJsonRecords(env.client, kept, idKindTsRows(15, 3), (row) => String(row.id));
    await waitFor('the kept stream and the new stream, each record once', async () => JSON.stringify(await ids(server.url)) === JSON.stringify([...range(0, 18), ...range(500, 6)]));
  });
  it('a reader whose old shard iterator still answers on the new stream commits none of its records: the seal checks the stream first', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-recreated-seal-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const stream = await env.newStream(1);
    const server = await serve(dataDir);
    expect((await httpCall(server.url, 'POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    // Discovery once a minute: only the check before each seal can notice the recreation here.
    const streamConfigs = { 'realtime.segment.flush.threshold.rows': '5', 'stream.kinesis.shard.discovery.interval.ms': '60000' };
    expect((await httpCall(server.url, 'POST', '/tables', emulatorTableConfig({ endpoint: env.endpoint, stream, timeColumn: 'ts', streamConfigs }))).status).toBe(200);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 10), (row) => String(row.id));
    await waitFor('10 rows sealed', async () => (await info(server.url)).shardtablePartitions?.[0]?.rowsInConsumingSegment === 0 && (await ids(server.url)).length === 10);

    // Paused, the reader keeps its shard iterator; kinesalite still serves it after the stream is
    // deleted and created again, now with the new stream's records.
    expect((await httpCall(server.url, 'POST', '/tables/events/pauseConsumption')).status).toBe(200);
    await recreate(stream, 1);
    await putJsonRecords(env.client, stream, idKindTsRows(100, 12), (row) => String(row.id));
    expect((await httpCall(server.url, 'POST', '/tables/events/resumeConsumption')).status).toBe(200);

    await waitFor('the recreation reported by the seal check', async () => (await info(server.url)).shardtableTable?.ingestion.state === 'STREAM_RECREATED');
    expect(await ids(server.url)).toEqual(range(0, 10));
    expect((await readdir(join(dataDir, 'events'))).filter((f) => f.endsWith('.seg'))).toHaveLength(2);
  });
});
