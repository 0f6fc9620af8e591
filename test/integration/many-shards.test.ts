import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const SHARDS = 50;
const PER_SHARD = 8;
const CAP = 4;

const schema = buildTableSchema(validateSchema({
  schemaName: 'events',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'shard', dataType: 'INT' }],
}));

describe.each(EMULATOR_KINDS)('a %d-shard stream on %s'.replace('%d', String(SHARDS)), (kind) => {
  const env = withEmulator(kind);
  const tables = withTableRuntimes('shardtable-many-');
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it(`is consumed with at most ${CAP} fetches in flight, every shard's records arriving exactly once`, async () => {
    const stream = await env.newStream(SHARDS, 'many');
    // Records in every shard: one explicit hash key per shard, from its hash key range.
    const listed = await env.client.send(new ListShardsCommand({ StreamName: stream }));
    const shards = (listed.Shards ?? []).map((s) => ({ shardId: s.ShardId!, hashKey: s.HashKeyRange!.StartingHashKey! }));
    expect(shards).toHaveLength(SHARDS);
    let id = 0;
    const records = [];
    for (let round = 0; round < PER_SHARD; round++) {
      for (const [index, shard] of shards.entries()) {
        records.push({ PartitionKey: `p${id}`, ExplicitHashKey: shard.hashKey, Data: new TextEncoder().encode(JSON.stringify({ id, shard: index })) });
        id++;
      }
    }
    for (let i = 0; i < records.length; i += 500) {
      const out = await env.client.send(new PutRecordsCommand({ StreamName: stream, Records: records.slice(i, i + 500) }));
      expect(out.FailedRecordCount ?? 0).toBe(0);
    }
    const total = id;

    const runtime = await tables.start({
      schema,
      config: emulatorTableConfig({
        endpoint: env.endpoint,
        stream,
        streamConfigs: {
          'stream.kinesis.decoder.class.name': 'json',
          requests_per_second_limit: '5',
          'stream.kinesis.max.concurrent.fetches': String(CAP),
        },
      }),
    });

    // A gauge sampled while consuming never exceeds the cap either.
    let sampledMax = 0;
    const sampler = setInterval(() => {
      sampledMax = Math.max(sampledMax, runtime.status().fetchConcurrency?.inFlight ?? 0);
    }, 5);
    cleanup.push(async () => clearInterval(sampler));

    await waitFor(`${total} ids`, () => idCounts(runtime).size === total);
    const counts = idCounts(runtime);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    for (let i = 0; i < total; i++) if (!counts.has(BigInt(i))) expect.fail(`id ${i} missing`);

    // No starvation: every shard delivered all of its records.
    const partitions = runtime.partitions();
    expect(partitions).toHaveLength(SHARDS);
    expect(partitions.filter((p) => p.recordsConsumed !== PER_SHARD).map((p) => `${p.shardId}: ${p.recordsConsumed}`)).toEqual([]);

    const concurrency = runtime.status().fetchConcurrency!;
    expect(concurrency.limit).toBe(CAP);
    expect(concurrency.maxInFlight).toBe(CAP); // 50 shards start together: the cap binds, never more
    expect(concurrency.inFlight).toBeLessThanOrEqual(CAP);
    expect(sampledMax).toBeLessThanOrEqual(CAP);
  });
});
