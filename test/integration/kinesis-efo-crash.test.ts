import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment } from '../../src/segment/index.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { ServerProcess } from '../helpers/server-process.js';

const TOTAL = 900;
const STREAM = 'efo-crash';

/**
 * Enhanced fan-out keeps the exactly-once protocol: a server reading a 2-shard kinesis-local
 * stream through SubscribeToShard is killed with SIGKILL twice while records arrive; after a last
 * restart every id is in exactly one sealed segment row.
 */
describe('enhanced fan-out: exactly once across SIGKILL (kinesis-local)', () => {
  let emulator: RunningEmulator;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator('kinesis-local');
    await createStream(emulator.endpoint, STREAM, 2);
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-efo-crash-'));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds every produced id exactly once after two kills', async () => {
    const client = kinesisClientFor(emulator.endpoint);
    let produced = 0;
    const produce = async (count: number): Promise<void> => {
      await putJsonRecords(client, STREAM, idKindTsRows(produced, count), (row) => String(row.id));
      produced += count;
    };
    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const config = emulatorTableConfig({
      endpoint: emulator.endpoint,
      stream: STREAM,
      timeColumn: 'ts',
      streamConfigs: {
        'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
        'stream.kinesis.consumer.type': 'efo',
        'realtime.segment.flush.threshold.rows': '67',
        'realtime.segment.flush.threshold.time': '1500ms',
      },
    });
    const created = await server.request('POST', '/tables', config);
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    for (let run = 0; run < 2; run++) {
      await produce(300);
      await sleep(1500 + Math.floor(Math.random() * 1500));
      server.kill('SIGKILL');
      await server.exited;
      server = await ServerProcess.start({ dataDir });
    }
    await produce(TOTAL - produced);

    const deadline = Date.now() + 90_000;
    let sealed = 0;
    while (Date.now() < deadline && (sealed = await sealedRows(server)) < TOTAL) await sleep(250);
    expect(sealed, `sealed rows; log:\n${server.log()}`).toBe(TOTAL);
    const info = (await server.request('GET', '/tables/events/consumingSegmentsInfo')).json as { shardtablePartitions: { readMode?: string }[] };
    for (const p of info.shardtablePartitions) expect(p.readMode).toMatch(/^enhanced fan-out \(consumer shardtable-events; ACTIVE/);
    server.kill('SIGTERM');
    expect((await server.exited).code, server.log()).toBe(0);
    client.destroy();

    const tableDir = join(dataDir, 'events');
    const seen = new Map<bigint, number>();
    for (const file of (await readdir(tableDir)).filter((f) => f.endsWith('.seg'))) {
      const segment = await openSegment(join(tableDir, file));
      for (let doc = 0; doc < segment.numDocs; doc++) {
        const id = segment.getValue('id', doc) as bigint;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    expect([...seen].filter(([, n]) => n > 1).map(([id]) => id)).toEqual([]);
    expect(Array.from({ length: TOTAL }, (_, i) => BigInt(i)).filter((id) => !seen.has(id))).toEqual([]);
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
