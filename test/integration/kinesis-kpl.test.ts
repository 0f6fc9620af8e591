import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { encodeKplAggregate } from '../helpers/kpl.js';
import { expectExactlyOnce, idCounts, waitForWith } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

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

const waitFor = waitForWith({ timeoutMs: 60_000, pollMs: 100 });

describe.each(EMULATOR_KINDS)('KPL aggregated records on %s', (kind) => {
  const env = withEmulator(kind);
  const tables = withTableRuntimes('shardtable-kpl-');

  const start = (stream: string, tableDir: string): Promise<TableIngestion> =>
    tables.start({
      schema,
      tableDir,
      config: emulatorTableConfig({
        endpoint: env.endpoint,
        stream,
        tableName: 'kpl',
        streamConfigs: {
          'stream.kinesis.shard.discovery.interval.ms': '500',
          // 4 rows per segment, 7 user records per aggregate: most seals fall inside an aggregate.
          'realtime.segment.flush.threshold.rows': '4',
        },
      }),
    });

  it('de-aggregates every user record into its own row, exactly once across a restart after a seal inside an aggregate', async () => {
    const stream = await env.newStream(2);
    const dir = await tables.tempDir();
    await putAggregates(env.client, stream, 0, 10); // ids 0..69

    const first = await start(stream, dir);
    await waitFor('70 rows', () => idCounts(first).size === 70);
    expectExactlyOnce(first, 70);
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
    expectExactlyOnce(second, 140);
    expect(second.partitions().every((p) => p.recordsDropped === 0)).toBe(true);
  });
});
