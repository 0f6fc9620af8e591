import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import type { FaultRule } from '../helpers/fault-proxy.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

/*
 * Faults between the consumer and a real emulator, through the fault-injecting proxy
 * (test/helpers/fault-proxy.ts): throttling, expired iterators, 5xx, dropped connections, slow
 * answers, an unreachable endpoint and a deleted stream. Every test counts unique ids at the end.
 */

const schema = buildTableSchema(validateSchema(idKindTsSchema()));

function tableConfig(endpoint: string, stream: string, overrides: Record<string, string> = {}): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
      'stream.kinesis.fetch.timeout.millis': '1000',
      'stream.kinesis.shard.discovery.interval.ms': '500',
      maxRecordsToFetch: '25',
      requests_per_second_limit: '50',
      'realtime.segment.flush.threshold.rows': '40',
      ...overrides,
    },
  });
}

const events = (from: number, count: number): Record<string, unknown>[] => idKindTsRows(from, count, ['view', 'click']);

const healthy = (runtime: TableIngestion): boolean =>
  runtime.partitions().every((p) => (p.state === 'CONSUMING' || p.state === 'CAUGHT_UP') && p.consecutiveFailedFetches === 0);
const allRetrying = (runtime: TableIngestion): boolean => runtime.partitions().every((p) => p.state === 'RETRYING');
const sum = (runtime: TableIngestion, key: 'throttleCount' | 'errorCount'): number => runtime.partitions().reduce((n, p) => n + p[key], 0);

/** Every fault the proxy can inject on GetRecords, each on a share of calls. */
const GET_RECORDS_FAULTS: FaultRule[] = [
  { operation: 'GetRecords', fault: 'throttle', share: 0.08 },
  { operation: 'GetRecords', fault: 'limitExceeded', share: 0.03 },
  { operation: 'GetRecords', fault: 'kmsThrottling', share: 0.03 },
  { operation: 'GetRecords', fault: 'expiredIterator', share: 0.06 },
  { operation: 'GetRecords', fault: 'http500', share: 0.03 },
  { operation: 'GetRecords', fault: 'http503', share: 0.03 },
  { operation: 'GetRecords', fault: 'reset', share: 0.03 },
  { operation: 'GetRecords', fault: 'delay', share: 0.03, delayMs: 1500 },
];
const FAULT_KINDS = ['throttle', 'limitExceeded', 'kmsThrottling', 'expiredIterator', 'http500', 'http503', 'reset', 'delay'];

describe.each(EMULATOR_KINDS)('Kinesis faults through a fault-injecting proxy on %s', (kind) => {
  const env = withEmulator(kind);
  let proxy: FaultProxy;

  beforeEach(async () => {
    proxy = await FaultProxy.start(env.endpoint);
  });

  afterEach(async () => {
    await proxy.close();
  });

  // Registered after the proxy's hook, so it runs before it: runtimes stop while the proxy is up.
  const tables = withTableRuntimes('shardtable-faults-');

  const newRuntime = (stream: string, overrides?: Record<string, string>): Promise<TableIngestion> =>
    tables.start({ schema, config: tableConfig(proxy.endpoint, stream, overrides) });

  const produce = (stream: string, from: number, count: number): Promise<void> =>
    putJsonRecords(env.client, stream, events(from, count), (row) => String(row.id)).then(() => undefined);

  it('reads every id exactly once while calls are throttled, expired, failed, dropped and delayed', async () => {
    const stream = await env.newStream(3);
    await produce(stream, 0, 60);
    const runtime = await newRuntime(stream);
    proxy.setFaults([
      ...GET_RECORDS_FAULTS,
      { operation: 'GetShardIterator', fault: 'throttle', share: 0.1 },
      { operation: 'GetShardIterator', fault: 'http500', share: 0.05 },
      { operation: 'ListShards', fault: 'http503', share: 0.3 },
    ]);
    for (let from = 60; from < 180; from += 40) {
      await produce(stream, from, 40);
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor('180 ids under faults', () => idCounts(runtime).size === 180);
    // The run must meet every kind of fault it claims to survive; idle shards keep polling.
    await waitFor('every kind of fault injected', () => FAULT_KINDS.every((fault) => (proxy.injected[fault] ?? 0) > 0));
    expect(idCounts(runtime).size).toBe(180);
    expect(sum(runtime, 'throttleCount')).toBeGreaterThan(0);
    expect(sum(runtime, 'errorCount')).toBeGreaterThan(0);
    expect(runtime.partitions().every((p) => p.lastError === null || /Kinesis stream|timed out/.test(p.lastError))).toBe(true);

    proxy.clearFaults();
    await produce(stream, 180, 30);
    await waitFor('210 ids after faults stop', () => idCounts(runtime).size === 210);
    await waitFor('partitions back to CONSUMING/CAUGHT_UP', () => healthy(runtime));
    expectExactlyOnce(runtime, 210);
    expect(runtime.segments().length).toBeGreaterThan(0);
    const status = runtime.partitions();
    expect(status.reduce((n, p) => n + p.recordsConsumed, 0)).toBe(210);
    expect(status.every((p) => p.bytesConsumed > 0 && p.lastConsumedTimestampMs !== null)).toBe(true);
  });

  it('gets a new iterator after the last indexed record when iterators expire', async () => {
    const stream = await env.newStream(2);
    const runtime = await newRuntime(stream);
    proxy.setFaults([{ operation: 'GetRecords', fault: 'expiredIterator', share: 0.5 }]);
    for (let from = 0; from < 120; from += 40) {
      await produce(stream, from, 40);
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitFor('120 ids', () => idCounts(runtime).size === 120);
    expect(proxy.injected.expiredIterator ?? 0).toBeGreaterThan(2);
    // Every expiry was answered with GetShardIterator AFTER_SEQUENCE_NUMBER, beyond one per shard.
    expect(proxy.count('GetShardIterator')).toBeGreaterThan(2);
    proxy.clearFaults();
    await waitFor('healthy', () => healthy(runtime));
    expectExactlyOnce(runtime, 120);
  });

  it('reports partitions RETRYING while the endpoint refuses connections or hangs, and resumes consuming when it is back', async () => {
    const stream = await env.newStream(2);
    await produce(stream, 0, 40);
    const runtime = await newRuntime(stream);
    await waitFor('40 ids', () => idCounts(runtime).size === 40);

    // Counted before going offline: read after, a partition may already have failed every fetch it
    // will fail before the wait below, and the count would not grow past it.
    const errorsBefore = sum(runtime, 'errorCount');
    await proxy.offline(); // connections refused: the emulator is "down"
    await produce(stream, 40, 40);
    await waitFor('every partition RETRYING while connections are refused', () => allRetrying(runtime));
    expect(sum(runtime, 'errorCount')).toBeGreaterThan(errorsBefore);
    expect(runtime.partitions().every((p) => (p.consecutiveFailedFetches ?? 0) >= 3)).toBe(true);
    expect(idCounts(runtime).size).toBe(40);
    await proxy.online();
    await waitFor('80 ids once the endpoint answers', () => idCounts(runtime).size === 80);
    await waitFor('healthy once a fetch answers', () => healthy(runtime));

    proxy.hold(); // the emulator "hangs": fetches time out and return nothing
    await waitFor('every partition RETRYING while fetches time out', () => allRetrying(runtime));
    expect(runtime.partitions().every((p) => p.lastError?.includes('timed out') === true)).toBe(true);
    proxy.release();

    await produce(stream, 80, 40);
    await waitFor('120 ids after the endpoint is back', () => idCounts(runtime).size === 120);
    await waitFor('healthy', () => healthy(runtime));
    expectExactlyOnce(runtime, 120);
  });

  it('makes progress when full-size fetches are slower than the fetch timeout: the GetRecords limit shrinks until answers arrive in time', async () => {
    const stream = await env.newStream(1);
    // 1 KB records behind a slow link: an answer of the default 10,000-record limit (all 600
    // records, ~900 KB) takes ~3 s, three times the fetch timeout; ~100 records fit.
    const pad = 'x'.repeat(1000);
    await putJsonRecords(env.client, stream, events(0, 600).map((row): Record<string, unknown> => ({ ...row, pad })), (row) => String(row.id));
    proxy.setFaults([{ operation: 'GetRecords', fault: 'bandwidth', share: 1, bytesPerSecond: 300_000 }]);
    const runtime = await newRuntime(stream, { maxRecordsToFetch: '10000', 'realtime.segment.flush.threshold.rows': '1000000' });

    await waitFor('the partition RETRYING while no fetch answers in time', () => allRetrying(runtime));
    expect(idCounts(runtime).size).toBe(0);
    expect(runtime.partitions()[0]!.lastError).toMatch(/^fetch timed out after 1000 ms; retrying from the same position \(GetRecords Limit lowered from \d+ to \d+ records\)$/);

    await waitFor('all 600 ids through the slow link', () => idCounts(runtime).size === 600, 120_000);
    expectExactlyOnce(runtime, 600);
    await waitFor('healthy once fetches answer', () => healthy(runtime));
    expect(proxy.injected.bandwidth ?? 0).toBeGreaterThan(4);
  });

  it('stops a partition with a clear error when the stream is deleted, and keeps the table queryable', async () => {
    const stream = await env.newStream(2);
    await produce(stream, 0, 100);
    const runtime = await newRuntime(stream);
    await waitFor('100 ids', () => idCounts(runtime).size === 100);
    const sealedBefore = runtime.segments().length;
    expect(sealedBefore).toBeGreaterThan(0);

    await env.client.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitFor('every partition in ERROR', () => runtime.partitions().every((p) => p.state === 'ERROR'));
    for (const p of runtime.partitions()) {
      expect(p.lastError).toContain(`Kinesis stream ${stream}`);
      expect(p.lastError).toContain('does not exist');
    }
    // Sealed files and the rows of the consuming segments are still served, each once.
    expect(runtime.segments()).toHaveLength(sealedBefore);
    expect(runtime.queryableSegments().consuming.length).toBe(2);
    expectExactlyOnce(runtime, 100);
  });
});
