import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment } from '../../src/segment/index.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { ServerProcess } from '../helpers/server-process.js';

const STREAM = 'rewind-test';
const TABLE = 'rewound';

const schema = {
  schemaName: TABLE,
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'note', dataType: 'STRING' },
    { name: 'tag', dataType: 'STRING' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

/** `tag` is made by a transform, so a replayed row shows which config ingested it. */
function tableConfig(endpoint: string, tagFunction: 'upper' | 'lower'): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream: STREAM,
    tableName: TABLE,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.fetch.timeout.millis': '1000',
      'stream.kinesis.shard.discovery.interval.ms': '1000',
      maxRecordsToFetch: '41',
      'realtime.segment.flush.threshold.rows': '57',
      'realtime.segment.flush.threshold.time': '800ms',
    },
    extra: { ingestionConfig: { transformConfigs: [{ columnName: 'tag', transformFunction: `${tagFunction}(note)` }] } },
  });
}

/**
 * Online rewind (docs/exactly-once.md, "Rewind") on kinesalite, through a `serve` process: a
 * rewind to a time while queries run in a loop (no query sees an id twice or misses one the table
 * held), Pinot's `resumeConsumption?consumeFrom=largest|smallest`, and SIGKILL in the middle of a
 * rewind's swaps. The transform that fills `tag` changes before each rewind, so the replayed rows
 * show that they replaced the old ones rather than being added beside them.
 */
describe('online rewind', () => {
  let emulator: RunningEmulator;
  let dataDir: string;
  let server: ServerProcess | undefined;
  let produced = 0;

  beforeAll(async () => {
    emulator = await startEmulator('kinesalite');
    await createStream(emulator.endpoint, STREAM, 2);
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-rewind-'));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const produce = async (count: number): Promise<void> => {
    const client = kinesisClientFor(emulator.endpoint);
    const rows = Array.from({ length: count }, (_, i) => ({ id: produced + i, note: `Rec-${produced + i}`, ts: Date.now() }));
    await putJsonRecords(client, STREAM, rows, (row) => String(row.id));
    produced += count;
    client.destroy();
  };
  const query = async (sql: string): Promise<unknown[][]> => {
    const response = await server!.request('POST', '/query/sql', { sql });
    const body = response.json as { resultTable?: { rows: unknown[][] }; exceptions?: unknown[] };
    expect(body.exceptions ?? [], JSON.stringify(body)).toEqual([]);
    return body.resultTable!.rows;
  };
  /** [rows, distinct ids] among ids below `below`. */
  const counts = async (below: number): Promise<[number, number]> => {
    const [row] = await query(`SELECT COUNT(*), DISTINCTCOUNT(id) FROM ${TABLE} WHERE id < ${below}`);
    return [Number(row![0]), Number(row![1])];
  };
  const tags = async (): Promise<Map<number, string>> => {
    const rows = await query(`SELECT id, tag FROM ${TABLE} LIMIT 100000`);
    return new Map(rows.map(([id, tag]) => [Number(id), String(tag)]));
  };
  const rewindStatus = async (): Promise<{ state: string; partitions: unknown[] } | undefined> => {
    const info = (await server!.request('GET', `/tables/${TABLE}/consumingSegmentsInfo`)).json as { shardtableTable?: { rewind?: { state: string; partitions: unknown[] } } };
    return info.shardtableTable?.rewind;
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${what}; log:\n${server!.log()}`);
  };
  /** Every row in a sealed segment (nothing left consuming). */
  const allSealed = async (): Promise<boolean> => {
    const partitions = (await server!.request('GET', `/tables/${TABLE}/segments`)).json as { REALTIME: string[] }[];
    let consumingRows = 0;
    for (const name of partitions[0]!.REALTIME) {
      const meta = (await server!.request('GET', `/segments/${TABLE}/${name}/metadata`)).json as { status?: string; totalDocs?: number };
      if (meta.status === 'IN_PROGRESS') consumingRows += Number(meta.totalDocs ?? 0);
    }
    return consumingRows === 0;
  };
  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

  it('rewinds to a time while queries run: no id twice, none missing; the rows from that time are replaced', async () => {
    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', schema)).status).toBe(200);
    const created = await server.request('POST', '/tables', tableConfig(emulator.endpoint, 'upper'));
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    await produce(300); // A: before the rewind time
    await waitFor('A ingested and sealed', async () => (await counts(300))[0] === 300 && (await allSealed()));
    await sleep(50);
    const at = Date.now();
    await sleep(50);
    await produce(300); // B: after it
    await waitFor('B ingested', async () => (await counts(600))[0] === 600);
    // A new transform; rows already ingested keep the old one until the rewind replays them.
    expect((await server.request('PUT', `/tables/${TABLE}`, tableConfig(emulator.endpoint, 'lower'))).status).toBe(200);
    await waitFor('B back after the restart', async () => (await counts(600))[0] === 600);

    let stop = false;
    const seen: [number, number][] = [];
    const loop = (async () => {
      while (!stop) seen.push(await counts(600));
    })();
    const rewind = await server.request('POST', `/tables/${TABLE}/rewind?to=${at}`);
    expect(rewind.status, JSON.stringify(rewind.json)).toBe(200);
    expect(rewind.json).toMatchObject({ tableName: TABLE, target: `AT_TIMESTAMP ${new Date(at).toISOString()}` });
    const replaced = (rewind.json as { partitions: { replaces: string[] }[] }).partitions.flatMap((p) => p.replaces);
    expect(replaced.length).toBeGreaterThan(0);
    // A second rewind while this one runs is refused.
    const again = await server.request('POST', `/tables/${TABLE}/rewind?to=TRIM_HORIZON`);
    if ((await rewindStatus())?.state === 'REWINDING') expect(again.status).toBe(409);
    await produce(200); // C: while the rewind runs
    await waitFor('rewind done', async () => (await rewindStatus())?.state === 'DONE');
    await waitFor('C ingested', async () => (await counts(800))[0] === 800);
    stop = true;
    await loop;

    expect(seen.length).toBeGreaterThan(3);
    expect(seen.filter(([rows, distinct]) => rows !== 600 || distinct !== 600)).toEqual([]);
    expect(await counts(1_000_000)).toEqual([800, 800]);
    const byId = await tags();
    expect([...byId.keys()].sort((a, b) => a - b)).toEqual(range(0, 800));
    // A kept (sealed before the time, old transform); B replaced by the replay; C read by it.
    expect(range(0, 300).filter((id) => byId.get(id) !== `REC-${id}`)).toEqual([]);
    expect(range(300, 800).filter((id) => byId.get(id) !== `rec-${id}`)).toEqual([]);
    // The old segments are gone from disk too.
    const files = await readdir(join(dataDir, TABLE));
    expect(replaced.filter((name) => files.includes(`${name}.seg`))).toEqual([]);
  }, 180_000);

  it("resumeConsumption?consumeFrom=largest skips what arrived while paused; consumeFrom=smallest replays everything the stream holds, once", async () => {
    const bad = await server!.request('POST', `/tables/${TABLE}/resumeConsumption?consumeFrom=earliest`);
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toContain('consumeFrom must be smallest or largest, got "earliest"');

    expect((await server!.request('POST', `/tables/${TABLE}/pauseConsumption`)).status).toBe(200);
    await waitFor('paused and committed', () => allSealed());
    await produce(50); // D: 800-849, arrives while paused
    await sleep(50);
    const largest = await server!.request('POST', `/tables/${TABLE}/resumeConsumption?consumeFrom=largest`);
    expect(largest.status, JSON.stringify(largest.json)).toBe(200);
    expect(largest.json).toMatchObject({ pauseFlag: false, rewind: { target: expect.stringMatching(/^LATEST/) } });
    await sleep(50);
    await produce(50); // E: 850-899
    await waitFor('E ingested', async () => (await query(`SELECT COUNT(*) FROM ${TABLE} WHERE id >= 850`))[0]![0] === 50);
    await waitFor('largest done', async () => (await rewindStatus())?.state === 'DONE');
    expect(await counts(1_000_000)).toEqual([850, 850]);
    expect((await query(`SELECT COUNT(*) FROM ${TABLE} WHERE id >= 800 AND id < 850`))[0]![0]).toBe(0);

    // smallest: a rewind to TRIM_HORIZON, after another transform change.
    expect((await server!.request('PUT', `/tables/${TABLE}`, tableConfig(emulator.endpoint, 'upper'))).status).toBe(200);
    expect((await server!.request('POST', `/tables/${TABLE}/pauseConsumption`)).status).toBe(200);
    const smallest = await server!.request('POST', `/tables/${TABLE}/resumeConsumption?consumeFrom=smallest`);
    expect(smallest.status, JSON.stringify(smallest.json)).toBe(200);
    expect(smallest.json).toMatchObject({ pauseFlag: false, rewind: { target: 'TRIM_HORIZON' } });
    await waitFor('smallest done', async () => (await rewindStatus())?.state === 'DONE');
    await waitFor('every record of the stream', async () => (await counts(1_000_000))[0] === 900);
    expect(await counts(1_000_000)).toEqual([900, 900]);
    const byId = await tags();
    expect(range(0, 900).filter((id) => byId.get(id) !== `REC-${id}`)).toEqual([]);
  }, 180_000);

  it('a rewind survives SIGKILL before and after its swaps: every record exactly once, replayed by the new config', async () => {
    expect((await server!.request('PUT', `/tables/${TABLE}`, tableConfig(emulator.endpoint, 'lower'))).status).toBe(200);
    await waitFor('all sealed', () => allSealed());
    server!.kill('SIGTERM');
    await server!.exited;
    server = await ServerProcess.start({ dataDir, env: { SHARDTABLE_FAULT_POINT: 'rewind:after-swap:2' } });
    expect((await server.request('POST', `/tables/${TABLE}/rewind?to=TRIM_HORIZON`)).status).toBe(200);
    const first = await Promise.race([server.exited, sleep(60_000).then(() => null)]);
    expect(first, `fault point never reached; log:\n${server.log()}`).toEqual({ code: null, signal: 'SIGKILL' });
    const intent = JSON.parse(await readFile(join(dataDir, TABLE, 'rewind.json'), 'utf8')) as { partitions: Record<string, unknown> };
    expect(Object.keys(intent.partitions).length).toBeGreaterThan(0);

    // The restart continues the rewind; killed again just before a swap's ledger write.
    server = await ServerProcess.start({ dataDir, env: { SHARDTABLE_FAULT_POINT: 'rewind:before-swap:1' } });
    const second = await Promise.race([server.exited, sleep(60_000).then(() => null)]);
    expect(second, `fault point never reached; log:\n${server.log()}`).toEqual({ code: null, signal: 'SIGKILL' });

    server = await ServerProcess.start({ dataDir });
    // Replacements sealed but not swapped in before the kill were removed at start, not loaded
    // beside the old segments they overlap (which would quarantine one of them).
    const info = (await server.request('GET', `/tables/${TABLE}/consumingSegmentsInfo`)).json as { shardtableTable: { quarantined: unknown[] } };
    expect(info.shardtableTable.quarantined).toEqual([]);
    expect(server.log()).toContain('rewind: a replacement segment sealed but not swapped in before the stop is removed');
    await waitFor('rewind done after the restarts', async () => (await rewindStatus())?.state === 'DONE');
    await waitFor('all sealed', async () => (await counts(1_000_000))[0] === 900 && (await allSealed()));
    expect(await counts(1_000_000)).toEqual([900, 900]);
    const byId = await tags();
    expect(range(0, 900).filter((id) => byId.get(id) !== `rec-${id}`)).toEqual([]);
    server.kill('SIGTERM');
    expect((await server.exited).code, server.log()).toBe(0);

    // On disk: each id in exactly one segment file.
    const tableDir = join(dataDir, TABLE);
    const seen = new Map<bigint, number>();
    for (const file of (await readdir(tableDir)).filter((f) => f.endsWith('.seg'))) {
      const segment = await openSegment(join(tableDir, file));
      for (let doc = 0; doc < segment.numDocs; doc++) {
        const id = segment.getValue('id', doc) as bigint;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      segment.close();
    }
    expect([...seen].filter(([, n]) => n !== 1)).toEqual([]);
    expect(seen.size).toBe(900);
  }, 240_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
