import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { countIds, crashFixture, expectEachIdOnce, idRange, segmentFileIds, sleep, waitForSealedRows } from '../helpers/crash-fixture.js';
import { emulatorStreamConfigs, idKindTsSchema } from '../helpers/emulator-table.js';

/*
 * Several streams into one table (docs/exactly-once.md, "Several streams"): a stream of 2 shards
 * and one of 3 in one table's streamConfigMaps, records with unique ids produced into both while
 * the server process is killed with SIGKILL twice (once at a random moment, once just before a
 * seal's rename); afterwards every id is in exactly one sealed row, partition ids are unique
 * (0, 1 and 10000, 10001, 10002), and status names each partition's stream.
 */

const PER_STREAM = 900;
const A = 'several-a';
const B = 'several-b';
const B_IDS = 1_000_000;

function tableConfig(endpoint: string): Record<string, unknown> {
  const timing = {
    'stream.kinesis.fetch.timeout.millis': '1000',
    'stream.kinesis.shard.discovery.interval.ms': '1000',
    maxRecordsToFetch: '89',
    'realtime.segment.flush.threshold.rows': '131',
    'realtime.segment.flush.threshold.time': '1500ms',
  };
  return {
    tableName: 'events',
    tableType: 'REALTIME',
    segmentsConfig: { timeColumnName: 'ts' },
    tableIndexConfig: {},
    ingestionConfig: { streamIngestionConfig: { streamConfigMaps: [emulatorStreamConfigs(endpoint, A, timing), emulatorStreamConfigs(endpoint, B, timing)] } },
  };
}

interface PartitionInfo {
  partitionId: number;
  shardId: string;
  stream?: string;
}

describe('several streams into one table, exactly once across SIGKILL', () => {
  const fx = crashFixture({ streams: { [A]: 2, [B]: 3 }, dataDirPrefix: 'shardtable-several-' });

  it('a 2-shard and a 3-shard stream: unique partition ids, status names the stream, every id once after two kills', async () => {
    const client = fx.client;
    const produced = { a: 0, b: 0 };
    const produceSome = async (count: number): Promise<void> => {
      const a = Array.from({ length: Math.min(count, PER_STREAM - produced.a) }, (_, i) => ({ id: produced.a + i, kind: 'a', ts: Date.now() }));
      const b = Array.from({ length: Math.min(count, PER_STREAM - produced.b) }, (_, i) => ({ id: B_IDS + produced.b + i, kind: 'b', ts: Date.now() }));
      await Promise.all([
        a.length > 0 ? putJsonRecords(client, A, a, (row) => String(row.id)) : null,
        b.length > 0 ? putJsonRecords(client, B, b, (row) => String(row.id)) : null,
      ]);
      produced.a += a.length;
      produced.b += b.length;
    };

    await fx.start();
    await fx.createTables([idKindTsSchema('events')], [tableConfig(fx.endpoint)]);

    // Kill 1: at a random moment while both streams are read.
    await produceSome(300);
    await sleep(600 + Math.floor(Math.random() * 800));
    await fx.killNow();
    // Kill 2: just before the rename of the second seal of the next run.
    await fx.crashAtFault('seal:before-rename:2', () => produceSome(300), 30_000);
    await fx.start();

    await produceSome(PER_STREAM);
    const server = fx.server;
    const total = 2 * PER_STREAM;
    const sealed = await waitForSealedRows(server, 'events', total, 60_000);
    expect(sealed, server.log()).toBe(total);

    const info = (await server.request('GET', '/tables/events/consumingSegmentsInfo')).json as { shardtablePartitions: PartitionInfo[] };
    const partitions = info.shardtablePartitions.map((p) => [p.partitionId, p.shardId, p.stream]);
    expect(partitions).toEqual([
      [0, 'shardId-000000000000', `kinesis:${A}`],
      [1, 'shardId-000000000001', `kinesis:${A}`],
      [10000, `${B}/shardId-000000000000`, `kinesis:${B}`],
      [10001, `${B}/shardId-000000000001`, `kinesis:${B}`],
      [10002, `${B}/shardId-000000000002`, `kinesis:${B}`],
    ]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`shardtable_records_consumed_total{table="events",stream="kinesis:${B}",shard="${B}/shardId-000000000002",partition="10002"}`);
    await fx.stop();

    const tableDir = fx.tableDir('events');
    const identity = JSON.parse(await readFile(join(tableDir, 'stream-identity.json'), 'utf8'));
    expect(Object.keys(identity.streams)).toEqual(['0', '1']);
    expect(identity.streams['1'].id).toContain(`stream/${B}`);
    const files = await segmentFileIds(tableDir);
    for (const { file, partitionId, shardId, ids } of files) {
      // Stream B's segments carry its partition ids and its name in the shard id; stream A's its own.
      expect(partitionId >= 10000, file).toBe(shardId.startsWith(`${B}/`));
      for (const id of ids) expect(id >= BigInt(B_IDS), file).toBe(partitionId >= 10000);
    }
    expectEachIdOnce(countIds(files), [...idRange(PER_STREAM), ...idRange(PER_STREAM, B_IDS)]);
  }, 240_000);
});
