import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../src/config/index.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import { TableIngestion } from '../../src/ingest/index.js';
import { silentLogger } from '../../src/logger.js';
import { withEmulator } from '../helpers/emulator.js';
import { encodeKplAggregate } from '../helpers/kpl.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'kpl',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'agg', dataType: 'INT' }],
}));

const PER_AGGREGATE = 7;
const SHARD_HASH = ['1', (2n ** 127n + 1n).toString()];

/**
 * Puts `count` KPL aggregated records of {@link PER_AGGREGATE} user records each, ids from
 * `firstId`, alternating between the two shards; every user record has its own partition key.
 */
async function putAggregates(client: KinesisClient, stream: string, firstAggregate: number, count: number): Promise<void> {
  const records = Array.from({ length: count }, (_, a) => {
    const agg = firstAggregate + a;
    const users = Array.from({ length: PER_AGGREGATE }, (_, i) => {
      const id = agg * PER_AGGREGATE + i;
      return { partitionKey: `user-${id}`, data: JSON.stringify({ id, agg }) };
    });
    return { PartitionKey: `agg-${agg}`, ExplicitHashKey: SHARD_HASH[agg % 2], Data: encodeKplAggregate(users) };
  });
  const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

function idCounts(runtime: TableIngestion): Map<number, number> {
  const counts = new Map<number, number>();
  const { sealed, consuming } = runtime.queryableSegments();
  for (const segment of [...sealed, ...consuming]) {
    for (let doc = 0; doc < segment.numDocs; doc++) {
      const id = Number(segment.getValue('id', doc) as bigint);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

function expectEveryIdOnce(runtime: TableIngestion, total: number): void {
  const counts = idCounts(runtime);
  expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(EMULATOR_KINDS)('KPL aggregated records on %s', (kind) => {
  const env = withEmulator(kind);
  const runtimes: TableIngestion[] = [];
  const dirs: string[] = [];

  async function start(stream: string, dir: string): Promise<TableIngestion> {
    const runtime = new TableIngestion({
      schema,
      config: validateTableConfig({
        tableName: 'kpl',
        tableType: 'REALTIME',
        tableIndexConfig: {
          streamConfigs: {
            streamType: 'kinesis',
            'stream.kinesis.topic.name': stream,
            region: 'us-east-1',
            endpoint: env.endpoint,
            accessKey: 'test',
            secretKey: 'test',
            shardIteratorType: 'TRIM_HORIZON',
            'stream.kinesis.fetch.timeout.millis': '2000',
            'stream.kinesis.shard.discovery.interval.ms': '500',
            requests_per_second_limit: '20',
            // 4 rows per segment, 7 user records per aggregate: most seals fall inside an aggregate.
            'realtime.segment.flush.threshold.rows': '4',
          },
        },
      }, schema),
      tableDir: dir,
      logger: silentLogger(),
    });
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
  }

  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.stop()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('de-aggregates every user record into its own row, exactly once across a restart after a seal inside an aggregate', async () => {
    const stream = await env.newStream(2);
    const dir = await mkdtemp(join(tmpdir(), 'shardtable-kpl-'));
    dirs.push(dir);
    await putAggregates(env.client, stream, 0, 10); // ids 0..69

    const first = await start(stream, dir);
    await waitFor('70 rows', () => idCounts(first).size === 70);
    expectEveryIdOnce(first, 70);
    // Checkpoints carry the sub-sequence number, and some seal ended inside an aggregated record.
    const ends = first.segments().map((s) => s.endOffset!);
    expect(ends.every((e) => /^\d+:\d+$/.test(e))).toBe(true);
    expect(ends.some((e) => Number(e.split(':')[1]) < PER_AGGREGATE - 1)).toBe(true);
    // Rows still in consuming segments (some from a partly sealed aggregate) must be re-read, not lost.
    expect(first.partitions().some((p) => p.rowsInConsumingSegment > 0)).toBe(true);
    await first.stop();

    await putAggregates(env.client, stream, 10, 10); // ids 70..139
    const second = await start(stream, dir);
    await waitFor('140 rows', () => idCounts(second).size === 140);
    await new Promise((r) => setTimeout(r, 500));
    expectEveryIdOnce(second, 140);
    expect(second.partitions().every((p) => p.recordsDropped === 0)).toBe(true);
  });
});
