import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import { TableIngestion } from '../../src/ingest/index.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { parseLlcSegmentName } from '../../src/segment/index.js';
import type { PartitionStatus } from '../../src/ingest/table-runtime.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { idCounts, waitFor } from '../helpers/table-rows.js';

/*
 * Pause and resume through the real server (`startServer`, port 0) against an emulator. The
 * table reads through the fault proxy with no faults set, only to count GetRecords calls.
 */

const schema = idKindTsSchema();

function table(endpoint: string, stream: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
      'stream.kinesis.fetch.timeout.millis': '1000',
      'stream.kinesis.shard.discovery.interval.ms': '500',
      'realtime.segment.flush.threshold.rows': '30',
      // A short time threshold: pausing past it must seal nothing beyond the pause's own commit.
      'realtime.segment.flush.threshold.time': '2s',
    },
  });
}

const events = (from: number, count: number): Record<string, unknown>[] => idKindTsRows(from, count);

async function call(server: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(server.url + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: await response.json() };
}

describe.each(EMULATOR_KINDS)('pause and resume consumption on %s', (kind) => {
  const env = withEmulator(kind);
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('pausing force-commits the consuming segments, then stops GetRecords and loses nothing; resuming continues where it was', async () => {
    const proxy = await FaultProxy.start(env.endpoint);
    cleanups.push(() => proxy.close());
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-pause-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
    cleanups.push(() => server.close());

    const stream = await env.newStream(2);
    await putJsonRecords(env.client, stream, events(0, 50), (row) => String(row.id));
    expect((await call(server, 'POST', '/schemas', schema)).status).toBe(200);
    expect((await call(server, 'POST', '/tables', table(proxy.endpoint, stream))).status).toBe(200);
    const runtime = server.manager.getRuntime('events');
    expect(runtime).toBeInstanceOf(TableIngestion);
    const ingestion = runtime as TableIngestion;
    await waitFor('50 ids', () => idCounts(ingestion).size === 50);

    // Lag and health over HTTP while running.
    const running = (await call(server, 'GET', '/tables/events/consumingSegmentsInfo')).json;
    expect(running.shardtableLag.partitionsReporting).toBe(2);
    expect(running.shardtableLag.maxMsBehindLatest).toBeGreaterThanOrEqual(running.shardtableLag.minMsBehindLatest);
    for (const info of Object.values(running._segmentToConsumingInfoMap) as { lastConsumedTimestamp: number }[][]) {
      expect(info[0]!.lastConsumedTimestamp).toBeGreaterThan(0);
    }
    const runningPartitions = running.shardtablePartitions as PartitionStatus[];
    expect(runningPartitions.reduce((n, p) => n + p.recordsConsumed, 0)).toBe(50);
    expect(runningPartitions.every((p) => p.bytesConsumed > 0 && p.throttleCount === 0 && p.errorCount === 0)).toBe(true);

    const sealedBeforePause = server.manager.segments('events').map((s) => s.segmentName);
    const pause = await call(server, 'POST', '/tables/events/pauseConsumption?comment=' + encodeURIComponent('stream maintenance'));
    expect(pause.status).toBe(200);
    // Pinot's PauseStatusDetails: the flag, the consuming segments, why, the caller's comment, when.
    expect(pause.json).toMatchObject({ pauseFlag: true, reasonCode: 'ADMINISTRATIVE', comment: 'stream maintenance' });
    expect(pause.json.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,3}$/);
    expect(pause.json.consumingSegments).toHaveLength(2);
    // Pinot force-commits on pause: every consuming segment with rows is sealed, none is started.
    const committed = pause.json.shardtableSegmentsForceCommitted as string[];
    expect(committed.length).toBeGreaterThanOrEqual(1);
    for (const name of committed) expect(pause.json.consumingSegments).toContain(name);
    await waitFor('the pause commits', async () => (await call(server, 'GET', '/tables/events/pauseStatus')).json.consumingSegments.length === 0);
    const status = (await call(server, 'GET', '/tables/events/pauseStatus')).json;
    expect(status).toMatchObject({ pauseFlag: true, reasonCode: 'ADMINISTRATIVE', comment: 'stream maintenance', timestamp: pause.json.timestamp });
    const segmentsAtPause = server.manager.segments('events').map((s) => s.segmentName);
    expect([...segmentsAtPause].sort()).toEqual([...sealedBeforePause, ...committed].sort());
    expect(server.manager.segments('events').reduce((n, s) => n + s.numDocs, 0)).toBe(50);
    const consumingAtPause = ingestion.partitions().map((p) => [p.consumingSegmentName, p.rowsInConsumingSegment, p.currentOffset]);
    expect(consumingAtPause.map((c) => c[1])).toEqual([0, 0]);
    const getRecordsAtPause = proxy.count('GetRecords');

    await putJsonRecords(env.client, stream, events(50, 50), (row) => String(row.id));
    // Longer than the time threshold and many polling intervals: nothing may move.
    await new Promise((r) => setTimeout(r, 2500));
    expect(proxy.count('GetRecords')).toBe(getRecordsAtPause);
    expect(idCounts(ingestion).size).toBe(50);
    expect(server.manager.segments('events').map((s) => s.segmentName)).toEqual(segmentsAtPause);
    expect(ingestion.partitions().map((p) => [p.consumingSegmentName, p.rowsInConsumingSegment, p.currentOffset])).toEqual(consumingAtPause);
    const paused = (await call(server, 'GET', '/tables/events/consumingSegmentsInfo')).json;
    expect((paused.shardtablePartitions as PartitionStatus[]).map((p) => p.state)).toEqual(['PAUSED', 'PAUSED']);
    expect((await call(server, 'GET', '/tables/events/pauseStatus')).json.pauseFlag).toBe(true);

    const resume = await call(server, 'POST', '/tables/events/resumeConsumption');
    expect(resume.status).toBe(200);
    expect(resume.json).toMatchObject({ pauseFlag: false, reasonCode: 'ADMINISTRATIVE', comment: expect.stringMatching(/^Pause flag is cleared/) });
    expect((await call(server, 'GET', '/tables/events/pauseStatus')).json).toMatchObject({ pauseFlag: false, comment: 'Table is unpaused.' });
    await waitFor('100 ids', () => idCounts(ingestion).size === 100);
    expect(proxy.count('GetRecords')).toBeGreaterThan(getRecordsAtPause);
    const counts = idCounts(ingestion);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    for (let id = 0; id < 100; id++) expect(counts.has(BigInt(id)), `id ${id}`).toBe(true);
    await waitFor('consuming again', () => ingestion.partitions().every((p) => p.state === 'CONSUMING' || p.state === 'CAUGHT_UP'));

    // Segments sealed before the pause are all still there, and each partition's LLC sequence
    // numbers run on without a gap.
    const after = server.manager.segments('events');
    expect(after.map((s) => s.segmentName)).toEqual(expect.arrayContaining(segmentsAtPause));
    for (const partitionId of [0, 1]) {
      const sequences = after.filter((s) => s.partitionId === partitionId).map((s) => parseLlcSegmentName(s.segmentName)!.sequence);
      expect(sequences).toEqual(sequences.map((_, i) => i));
    }
  });
});
