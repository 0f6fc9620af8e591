import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment } from '../../src/segment/index.js';
import { ServerProcess } from '../helpers/server-process.js';

const TOTAL = 4000;
const STREAM = 'crash-test';

const schema = {
  schemaName: 'crashes',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'note', dataType: 'STRING' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

function tableConfig(endpoint: string): Record<string, unknown> {
  return {
    tableName: 'crashes',
    tableType: 'REALTIME',
    segmentsConfig: { timeColumnName: 'ts' },
    tableIndexConfig: {
      streamConfigs: {
        streamType: 'kinesis',
        'stream.kinesis.topic.name': STREAM,
        region: 'us-east-1',
        endpoint,
        accessKey: 'test',
        secretKey: 'test-secret',
        shardIteratorType: 'TRIM_HORIZON',
        'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder',
        'stream.kinesis.fetch.timeout.millis': '1000',
        'stream.kinesis.shard.discovery.interval.ms': '1000',
        requests_per_second_limit: '20',
        maxRecordsToFetch: '97',
        'realtime.segment.flush.threshold.rows': '173',
        'realtime.segment.flush.threshold.time': '1500ms',
      },
    },
  };
}

/**
 * DESIGN.md section 3, proven end to end: a server process is killed with SIGKILL again and
 * again — at a random moment, just before a seal's rename, just after it — while records with
 * unique ids stream into a 3-shard stream; after a last restart every id is in exactly one
 * sealed segment row.
 */
describe('exactly-once across SIGKILL', () => {
  let emulator: RunningEmulator;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator('kinesalite');
    await createStream(emulator.endpoint, STREAM, 3);
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-crash-'));
  });

  afterAll(async () => {
    // A failed assertion must not leave a server process behind.
    server?.kill('SIGKILL');
    await server?.exited;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds every produced id exactly once after repeated kills', async () => {
    const client = kinesisClientFor(emulator.endpoint);
    let produced = 0;
    const produceSome = async (count: number): Promise<void> => {
      const rows = Array.from({ length: Math.min(count, TOTAL - produced) }, (_, i) => ({
        id: produced + i,
        note: `record ${produced + i}`,
        ts: Date.now(),
      }));
      if (rows.length === 0) return;
      await putJsonRecords(client, STREAM, rows, (row) => String(row.id));
      produced += rows.length;
    };

    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', schema)).status).toBe(200);
    const created = await server.request('POST', '/tables', tableConfig(emulator.endpoint));
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    // Runs 1-4 each end in a SIGKILL: at a random moment, or at a fault point inside a seal.
    const crashes: (string | null)[] = [null, 'seal:before-rename:2', 'seal:after-publish:3', null, 'seal:before-rename:1'];
    for (const fault of crashes) {
      if (fault !== null) {
        server.kill('SIGTERM');
        await server.exited;
        server = await ServerProcess.start({ dataDir, env: { SHARDTABLE_FAULT_POINT: fault } });
        await produceSome(600);
        const exit = await Promise.race([server.exited, sleep(30_000).then(() => null)]);
        expect(exit, `fault point ${fault} was never reached; log:\n${server.log()}`).toEqual({ code: null, signal: 'SIGKILL' });
      } else {
        await produceSome(500);
        await sleep(700 + Math.floor(Math.random() * 800));
        server.kill('SIGKILL');
        await server.exited;
      }
      server = await ServerProcess.start({ dataDir });
    }

    await produceSome(TOTAL);
    expect(produced).toBe(TOTAL);

    // The last run: everything arrives and the 1.5 s time threshold seals it.
    const deadline = Date.now() + 60_000;
    let sealedRows = 0;
    while (Date.now() < deadline) {
      sealedRows = await countSealedRows(server);
      if (sealedRows >= TOTAL) break;
      await sleep(250);
    }
    expect(sealedRows, `sealed rows reported over HTTP; log:\n${server.log()}`).toBe(TOTAL);
    server.kill('SIGTERM');
    const exit = await server.exited;
    expect(exit.code, server.log()).toBe(0);
    client.destroy();

    const tableDir = join(dataDir, 'crashes');
    const files = (await readdir(tableDir)).filter((f) => f.endsWith('.seg'));
    const seen = new Map<bigint, number>();
    for (const file of files) {
      const segment = await openSegment(join(tableDir, file));
      for (let doc = 0; doc < segment.numDocs; doc++) {
        const id = segment.getValue('id', doc) as bigint;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    const missing = Array.from({ length: TOTAL }, (_, i) => BigInt(i)).filter((id) => !seen.has(id));
    expect(duplicates).toEqual([]);
    expect(missing).toEqual([]);
    expect(seen.size).toBe(TOTAL);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  }, 240_000);
});

async function countSealedRows(server: ServerProcess): Promise<number> {
  const response = await server.request('GET', '/tables/crashes/segments');
  const names = ((response.json as { REALTIME?: string[] }[])[0]?.REALTIME ?? []) as string[];
  let rows = 0;
  for (const name of names) {
    const meta = (await server.request('GET', `/segments/crashes/${name}/metadata`)).json as { numDocs?: number; status?: string };
    if (meta.status !== 'IN_PROGRESS') rows += Number(meta.numDocs ?? 0);
  }
  return rows;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
