import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { createStreamConsumerFactory } from '../../src/plugins/stream/registry.js';
import { parseLlcSegmentName } from '../../src/segment/index.js';
import type { StreamConsumerFactory } from '../../src/spi/stream-consumer-factory.js';
import type { BoundStream, StreamPluginOptions } from '../../src/spi/stream-plugin.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { tableRows, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'events',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'k', dataType: 'STRING' }],
  dateTimeFieldSpecs: [timeMillisField()],
  primaryKeyColumns: ['k'],
}));

function tableConfig(endpoint: string, stream: string): Record<string, unknown> {
  return {
    ...emulatorTableConfig({
      endpoint,
      stream,
      timeColumn: 'ts',
      streamConfigs: {
        'stream.kinesis.fetch.timeout.millis': '2000',
        'stream.kinesis.shard.discovery.interval.ms': '60000',
        'realtime.segment.flush.threshold.rows': '10',
      },
    }),
    dedupConfig: { dedupEnabled: true },
  };
}

/** Test double: the first fetch after `gateAfter` (the gap repair's first read) waits for `gate`. */
function gatedFactory(gateAfter: string, gate: Promise<void>): (stream: BoundStream, opts: StreamPluginOptions) => StreamConsumerFactory {
  return (stream, opts) => {
    const real = createStreamConsumerFactory(stream, opts);
    return Object.assign(Object.create(real) as StreamConsumerFactory, {
      createPartitionConsumer(partition: Parameters<StreamConsumerFactory['createPartitionConsumer']>[0], options?: { fromOldest?: boolean }) {
        const consumer = real.createPartitionConsumer(partition, options);
        return {
          fetchMessages: async (after: Parameters<typeof consumer.fetchMessages>[0], timeoutMs: number) => {
            if (after?.toString() === gateAfter) await gate;
            return consumer.fetchMessages(after, timeoutMs);
          },
          close: () => consumer.close(),
        };
      },
    });
  };
}

const put = (env: { client: Parameters<typeof putJsonRecords>[0] }, stream: string, rows: { id: number; k: string }[]) =>
  putJsonRecords(env.client, stream, rows.map((r) => ({ ...r, ts: 1_700_000_000_000 + r.id })), () => 'one-shard');

/** Per key, the ids of its rows in the table now. */
function idsByKey(runtime: TableIngestion): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const row of tableRows(runtime, ['id', 'k'])) out.set(row.k as string, [...(out.get(row.k as string) ?? []), row.id as bigint]);
  return out;
}

describe('dedup table with a segment gap (kinesalite)', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-dedup-gaps-');

  it('a key of the deleted segment read again by the consumer before the repair ends is stored once', async () => {
    const stream = await env.newStream(1, 'dedupgap');
    await put(env, stream, Array.from({ length: 30 }, (_, id) => ({ id, k: `k${id}` })));
    const dir = await tables.tempDir();
    const first = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir });
    await waitFor('3 sealed segments', () => first.segments().length >= 3, 60_000);
    await first.stop();
    const segments = first.segments().sort((a, b) => parseLlcSegmentName(a.segmentName)!.sequence - parseLlcSegmentName(b.segmentName)!.sequence);
    // The middle segment (ids 10..19, keys k10..k19) is deleted: a gap the next start re-reads.
    await rm(join(dir, `${segments[1]!.segmentName}.seg`));
    const gateAfter = first.segmentMetadata(segments[0]!.segmentName)!.endOffset as string;
    // Later records of k10..k14 (duplicates: their first records are in the gap), and new keys.
    await put(env, stream, [...Array.from({ length: 5 }, (_, i) => ({ id: 30 + i, k: `k${10 + i}` })), ...Array.from({ length: 5 }, (_, i) => ({ id: 35 + i, k: `k${35 + i}` }))]);

    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir, streamFactory: gatedFactory(gateAfter, gate) });
    // The shard's consumer reads the new records while the repair waits at the gap's start.
    await waitFor('the new records read', () => idsByKey(runtime).has('k39'), 60_000);
    expect(runtime.status().repairs?.[0]?.state).toBe('READING');
    open();
    await waitFor('repair done', () => runtime.status().repairs?.[0]?.state === 'REPAIRED', 60_000);
    const keys = [...Array.from({ length: 30 }, (_, i) => `k${i}`), ...Array.from({ length: 5 }, (_, i) => `k${35 + i}`)].sort();
    const check = (t: TableIngestion): void => {
      const byKey = idsByKey(t);
      expect([...byKey.keys()].sort()).toEqual(keys);
      expect([...byKey.entries()].filter(([, ids]) => ids.length !== 1)).toEqual([]);
    };
    check(runtime);
    expect(runtime.status().dedup!.duplicatesDropped).toBe(5);
    await runtime.stop();
    // The files alone say the same after a restart.
    const again = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir });
    await waitFor('k39 read', () => idsByKey(again).has('k39'), 60_000);
    check(again);
    await again.stop();
  }, 180_000);
});
