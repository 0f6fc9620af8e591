import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../../src/config/index.js';
import { PartitionIngester } from '../../../src/ingest/partition-ingester.js';
import { silentLogger } from '../../../src/logger.js';
import { resolveTable } from '../../../src/table/table-resolution.js';
import { KinesisOffset } from '../../../src/plugins/stream/kinesis/kinesis-offset.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import type { MessageBatch, StreamMessage } from '../../../src/spi/message-batch.js';
import type { StreamOffset } from '../../../src/spi/offset.js';
import { PermanentStreamError, TransientStreamError } from '../../../src/spi/partition-consumer.js';
import type { PartitionConsumer } from '../../../src/spi/partition-consumer.js';
import type { SegmentView } from '../../../src/segment/index.js';

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'events',
    dimensionFieldSpecs: [
      { name: 'id', dataType: 'LONG' },
      { name: 'kind', dataType: 'STRING' },
    ],
  }),
);

function tableConfig(flushRows: number) {
  return validateTableConfig(
    {
      tableName: 'events',
      tableType: 'REALTIME',
      tableIndexConfig: {
        streamConfigs: {
          streamType: 'kinesis',
          'stream.kinesis.topic.name': 'events',
          region: 'us-east-1',
          'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
          'realtime.segment.flush.threshold.rows': String(flushRows),
        },
      },
    },
    schema,
  );
}

/**
 * A fetch step of the test double: hand out up to `take` records, or throw, or end the shard, or
 * time out (an empty batch marked `timedOut`), or wait for `until` and then hand out what is left.
 */
type Step = { take: number } | { fail: Error } | { end: true } | { timeout: true } | { until: Promise<void> };

/**
 * TEST DOUBLE. A scripted `PartitionConsumer` over an in-memory list of records with sequence
 * numbers 10, 20, 30, ...: each fetch follows the next step of the script; when the script is
 * used up it hands out whatever is left (after a short idle wait when nothing is). It honours
 * the contract: records strictly after `after`, one fetch at a time.
 */
class ScriptedConsumer implements PartitionConsumer {
  /** The `after` of every fetch, as strings (null = starting position). */
  readonly fetches: (string | null)[] = [];
  private inFlight = false;
  closed = false;

  constructor(
    readonly records: string[],
    private readonly script: Step[] = [],
  ) {}

  async fetchMessages(after: StreamOffset | null): Promise<MessageBatch> {
    if (this.inFlight) throw new Error('two fetches at once');
    this.inFlight = true;
    try {
      this.fetches.push(after?.toString() ?? null);
      const step = this.script.shift() ?? { take: Number.POSITIVE_INFINITY };
      await new Promise((r) => setTimeout(r, 2));
      if ('fail' in step) throw step.fail;
      if ('timeout' in step) return { messages: [], endOfPartition: false, timedOut: true, note: 'GetRecords Limit lowered from 10 to 5 records' };
      if ('until' in step) await step.until;
      const start = after === null ? 0 : Number((after as KinesisOffset).sequence / 10n);
      if ('end' in step) return { messages: this.messages(start, this.records.length), endOfPartition: true };
      const end = Math.min(this.records.length, start + ('take' in step ? step.take : Number.POSITIVE_INFINITY));
      if (end === start) await new Promise((r) => setTimeout(r, 5));
      return { messages: this.messages(start, end), endOfPartition: false, millisBehindLatest: (this.records.length - end) * 100 };
    } finally {
      this.inFlight = false;
    }
  }

  private messages(start: number, end: number): StreamMessage[] {
    const out: StreamMessage[] = [];
    for (let i = start; i < end; i++) {
      const value = new TextEncoder().encode(this.records[i]);
      out.push({ key: 'k', value, offset: new KinesisOffset(String((i + 1) * 10)), arrivalTimeMs: 1000 + i, serializedSize: value.byteLength });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const record = (id: number): string => JSON.stringify({ id, kind: id % 2 === 0 ? 'even' : 'odd' });
const records = (n: number): string[] => Array.from({ length: n }, (_, i) => record(i));

const dirs: string[] = [];
const ingesters: PartitionIngester[] = [];

afterEach(async () => {
  await Promise.all(ingesters.splice(0).map((i) => i.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function setUp(consumer: ScriptedConsumer, flushRows = 1000) {
  const tableDir = await mkdtemp(join(tmpdir(), 'shardtable-ingester-'));
  dirs.push(tableDir);
  const sealed: SealedSegment[] = [];
  let ended = 0;
  const config = tableConfig(flushRows);
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
    onEnded: () => ended++,
    logger: silentLogger(),
    backoff: { baseMs: 5, maxMs: 20 },
  });
  ingesters.push(ingester);
  return { ingester, sealed, tableDir, ended: () => ended };
}

/** Every id in the sealed segments and the consuming segment, with how often it appears. */
function idCounts(sealed: readonly SealedSegment[], ingester: PartitionIngester): Map<bigint, number> {
  const counts = new Map<bigint, number>();
  const views: SegmentView[] = [...sealed];
  if (ingester.consumingSegment) views.push(ingester.consumingSegment);
  for (const view of views) {
    for (let doc = 0; doc < view.numDocs; doc++) {
      const id = view.getValue('id', doc) as bigint;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

function expectEachOnce(counts: Map<bigint, number>, ids: number[]): void {
  expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect([...counts.keys()].map(Number).sort((a, b) => a - b)).toEqual(ids);
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('PartitionIngester', () => {
  it('retries transient errors from the same position, counting throttling apart from other errors', async () => {
    const consumer = new ScriptedConsumer(records(10), [
      { fail: new TransientStreamError('GetRecords failed: ProvisionedThroughputExceededException', { throttled: true }) },
      { take: 4 },
      { fail: new TransientStreamError('GetRecords failed: socket hang up') },
      { fail: new TransientStreamError('GetRecords failed: KMSThrottlingException', { throttled: true }) },
      { fail: new TransientStreamError('GetRecords failed: InternalFailure (500)') },
      { take: 6 },
    ]);
    const { ingester, sealed } = await setUp(consumer);
    ingester.start();
    await waitFor('10 rows', () => ingester.status().recordsConsumed === 10);
    const status = ingester.status();
    expect(status).toMatchObject({ throttleCount: 2, errorCount: 2, recordsDropped: 0, currentOffset: '100', rowsInConsumingSegment: 10 });
    expect(status.bytesConsumed).toBe(records(10).reduce((n, r) => n + Buffer.byteLength(r), 0));
    expect(status.lastConsumedTimestampMs).not.toBeNull();
    expect(['CONSUMING', 'CAUGHT_UP']).toContain(status.state);
    // Each retry asked again from where the last good batch ended: nothing skipped, nothing repeated.
    expect(consumer.fetches.slice(0, 6)).toEqual([null, null, '40', '40', '40', '40']);
    expectEachOnce(idCounts(sealed, ingester), range(10));
  });

  it('shows RETRYING after 3 fetches in a row fail or time out, and CONSUMING/CAUGHT_UP again once one answers', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const consumer = new ScriptedConsumer(records(6), [
      { take: 2 },
      { timeout: true },
      { fail: new TransientStreamError('GetRecords failed: connect ECONNREFUSED 127.0.0.1:4567') },
      { timeout: true },
      { until: answered },
    ]);
    const { ingester, sealed } = await setUp(consumer);
    ingester.start();
    await waitFor('RETRYING', () => ingester.status().state === 'RETRYING');
    expect(ingester.status()).toMatchObject({ consecutiveFailedFetches: 3, errorCount: 3, recordsConsumed: 2, currentOffset: '20' });
    expect(ingester.status().lastError).toBe('fetch timed out after 1000 ms; retrying from the same position (GetRecords Limit lowered from 10 to 5 records)');

    answer();
    await waitFor('6 rows', () => ingester.status().recordsConsumed === 6);
    expect(['CONSUMING', 'CAUGHT_UP']).toContain(ingester.status().state);
    expect(ingester.status().consecutiveFailedFetches).toBe(0);
    expect(consumer.fetches.slice(0, 5)).toEqual([null, '20', '20', '20', '20']);
    expectEachOnce(idCounts(sealed, ingester), range(6));
  });

  it('does not show RETRYING for failures that a good fetch interrupts', async () => {
    const consumer = new ScriptedConsumer(records(4), [
      { timeout: true },
      { timeout: true },
      { take: 1 },
      { timeout: true },
      { timeout: true },
      { take: 3 },
    ]);
    const { ingester } = await setUp(consumer);
    const states = new Set<string>();
    const watch = setInterval(() => states.add(ingester.status().state), 1);
    ingester.start();
    await waitFor('4 rows', () => ingester.status().recordsConsumed === 4);
    clearInterval(watch);
    expect(consumer.fetches.length).toBeGreaterThanOrEqual(6);
    expect(states.has('RETRYING')).toBe(false);
    expect(ingester.status()).toMatchObject({ errorCount: 4, consecutiveFailedFetches: 0 });
  });

  it('stops the partition with state ERROR on a permanent error and keeps its rows queryable', async () => {
    const consumer = new ScriptedConsumer(records(10), [
      { take: 3 },
      { fail: new PermanentStreamError('GetRecords failed: shard shardId-000000000000 of Kinesis stream events does not exist') },
    ]);
    const { ingester, sealed } = await setUp(consumer);
    ingester.start();
    await waitFor('ERROR', () => ingester.status().state === 'ERROR');
    const fetchesAtError = consumer.fetches.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(consumer.fetches.length).toBe(fetchesAtError);
    expect(ingester.status()).toMatchObject({ state: 'ERROR', errorCount: 1, rowsInConsumingSegment: 3 });
    expect(ingester.status().lastError).toContain('Kinesis stream events does not exist');
    expectEachOnce(idCounts(sealed, ingester), range(3));
  });

  it('counts and skips records that fail to decode, still moving the offset past them', async () => {
    const input = [record(0), 'not json', record(2), JSON.stringify({ id: 'abc', kind: 'x' }), record(4)];
    const consumer = new ScriptedConsumer(input, [{ take: 2 }, { take: 3 }]);
    const { ingester, sealed } = await setUp(consumer, 2);
    ingester.start();
    await waitFor('5 records', () => ingester.status().recordsConsumed === 5);
    expect(ingester.status()).toMatchObject({ recordsDropped: 2, currentOffset: '50', errorCount: 0 });
    expectEachOnce(idCounts(sealed, ingester), [0, 2, 4]);
    // The sealed segment holding id 2 ends after the bad record before it.
    await waitFor('a sealed segment', () => sealed.length >= 1);
    expect(sealed[0]!.metadata.endOffset).toBe('30');
  });

  it('keeps every row and retries when a seal fails (table dir replaced by a file), then seals once it is back', async () => {
    const consumer = new ScriptedConsumer(records(5), [{ take: 5 }]);
    const { ingester, sealed, tableDir } = await setUp(consumer, 3);
    await rm(tableDir, { recursive: true });
    await writeFile(tableDir, 'not a directory');
    ingester.start();
    await waitFor('a failed seal', () => ingester.status().errorCount >= 2);
    expect(sealed).toHaveLength(0);
    expect(ingester.status().lastError).toMatch(/sealing events__0__0__\S+ failed \(will retry; no rows lost\)/);
    expectEachOnce(idCounts(sealed, ingester), range(5));

    await rm(tableDir);
    await mkdir(tableDir);
    await waitFor('the seal to succeed', () => sealed.length === 1);
    expect(sealed[0]!.numDocs).toBe(5);
    expect(sealed[0]!.metadata.endOffset).toBe('50');
    expect(ingester.status()).toMatchObject({ lastError: null, rowsInConsumingSegment: 0 });
    expectEachOnce(idCounts(sealed, ingester), range(5));
  });

  it('seals the last segment at the end of the shard and reports ENDED', async () => {
    const consumer = new ScriptedConsumer(records(4), [{ take: 2 }, { end: true }]);
    const { ingester, sealed, ended } = await setUp(consumer);
    ingester.start();
    await waitFor('ENDED', () => ingester.status().state === 'ENDED');
    expect(ended()).toBe(1);
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.metadata).toMatchObject({ endOfShard: true, endOffset: '40', numDocs: 4 });
    expect(ingester.consumingSegment).toBeNull();
    expectEachOnce(idCounts(sealed, ingester), range(4));
  });

  it('makes no fetch while paused, seals nothing, and resumes from exactly where it was', async () => {
    const consumer = new ScriptedConsumer(records(6), [{ take: 3 }]);
    const { ingester, sealed } = await setUp(consumer, 4);
    ingester.start();
    await waitFor('3 rows', () => ingester.status().recordsConsumed >= 3);
    await ingester.pause();
    const fetches = consumer.fetches.length;
    const consumed = ingester.status().recordsConsumed;
    consumer.records.push(record(6), record(7));
    await new Promise((r) => setTimeout(r, 60));
    expect(consumer.fetches.length).toBe(fetches);
    expect(ingester.status()).toMatchObject({ state: 'PAUSED', recordsConsumed: consumed });
    expect(sealed.length).toBe(consumed >= 4 ? 1 : 0);

    ingester.resume();
    await waitFor('8 rows', () => ingester.status().recordsConsumed === 8);
    expect(consumer.fetches[fetches]).toBe(String(consumed * 10));
    expectEachOnce(idCounts(sealed, ingester), range(8));
  });
});
