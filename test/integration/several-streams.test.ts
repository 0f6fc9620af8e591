import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment } from '../../src/segment/index.js';
import { emulatorStreamConfigs, idKindTsSchema } from '../helpers/emulator-table.js';
import { ServerProcess } from '../helpers/server-process.js';

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
  let emulator: RunningEmulator;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator('kinesalite');
    await createStream(emulator.endpoint, A, 2);
    await createStream(emulator.endpoint, B, 3);
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-several-'));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a 2-shard and a 3-shard stream: unique partition ids, status names the stream, every id once after two kills', async () => {
    const client = kinesisClientFor(emulator.endpoint);
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

    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const created = await server.request('POST', '/tables', tableConfig(emulator.endpoint));
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    // Kill 1: at a random moment while both streams are read.
    await produceSome(300);
    await sleep(600 + Math.floor(Math.random() * 800));
    server.kill('SIGKILL');
    await server.exited;

    // Kill 2: just before the rename of the second seal of this run.
    server = await ServerProcess.start({ dataDir, env: { SHARDTABLE_FAULT_POINT: 'seal:before-rename:2' } });
    await produceSome(300);
    const exit = await Promise.race([server.exited, sleep(30_000).then(() => null)]);
    expect(exit, `fault point never reached; log:\n${server.log()}`).toEqual({ code: null, signal: 'SIGKILL' });

    server = await ServerProcess.start({ dataDir });
    await produceSome(PER_STREAM);
    const total = 2 * PER_STREAM;
    const deadline = Date.now() + 60_000;
    let sealed = 0;
    while (Date.now() < deadline && sealed < total) {
      sealed = await sealedRows(server);
      if (sealed < total) await sleep(250);
    }
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
    server.kill('SIGTERM');
    expect((await server.exited).code, server.log()).toBe(0);
    client.destroy();

    const tableDir = join(dataDir, 'events');
    const identity = JSON.parse(await readFile(join(tableDir, 'stream-identity.json'), 'utf8'));
    expect(Object.keys(identity.streams)).toEqual(['0', '1']);
    expect(identity.streams['1'].id).toContain(`stream/${B}`);
    const seen = new Map<bigint, number>();
    for (const file of (await readdir(tableDir)).filter((f) => f.endsWith('.seg'))) {
      const segment = await openSegment(join(tableDir, file));
      const { partitionId, shardId } = segment.metadata;
      // Stream B's segments carry its partition ids and its name in the shard id; stream A's its own.
      expect(partitionId >= 10000, file).toBe(shardId.startsWith(`${B}/`));
      for (let doc = 0; doc < segment.numDocs; doc++) {
        const id = segment.getValue('id', doc) as bigint;
        expect(id >= BigInt(B_IDS), file).toBe(partitionId >= 10000);
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    const expected = [...Array.from({ length: PER_STREAM }, (_, i) => BigInt(i)), ...Array.from({ length: PER_STREAM }, (_, i) => BigInt(B_IDS + i))];
    expect([...seen].filter(([, n]) => n > 1).map(([id]) => id)).toEqual([]);
    expect(expected.filter((id) => !seen.has(id))).toEqual([]);
    expect(seen.size).toBe(total);
  }, 240_000);
});

async function sealedRows(server: ServerProcess): Promise<number> {
  const response = await server.request('GET', '/tables/events/segments');
  const names = ((response.json as { REALTIME?: string[] }[])[0]?.REALTIME ?? []) as string[];
  let rows = 0;
  for (const name of names) {
    const meta = (await server.request('GET', `/segments/events/${name}/metadata`)).json as { numDocs?: number; status?: string };
    if (meta.status !== 'IN_PROGRESS') rows += Number(meta.numDocs ?? 0);
  }
  return rows;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
