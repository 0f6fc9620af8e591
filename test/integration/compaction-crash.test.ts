import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment } from '../../src/segment/index.js';
import { ServerProcess } from '../helpers/server-process.js';

const STREAM = 'compaction-crash';
const PER_ROUND = 500;

const schema = {
  schemaName: 'merges',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'kind', dataType: 'STRING' }],
  metricFieldSpecs: [{ name: 'amount', dataType: 'LONG' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

function tableConfig(endpoint: string): Record<string, unknown> {
  return {
    tableName: 'merges',
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
        requests_per_second_limit: '20',
        maxRecordsToFetch: '60',
        'realtime.segment.flush.threshold.rows': '40',
        'realtime.segment.flush.threshold.time': '800ms',
      },
    },
    task: { taskTypeConfigsMap: { MergeRollupTask: { mergeType: 'concat', maxNumRecordsPerSegment: '400', 'shardtable.smallSegmentRows': '100', 'shardtable.intervalMs': '250' } } },
  };
}

const SQL = 'SELECT count(*), distinctcount(id), sum(amount), min(id), max(id) FROM merges';

interface Answer {
  count: number;
  distinct: number;
  sum: number;
  min: number;
  max: number;
}

async function answer(server: ServerProcess): Promise<Answer | null> {
  const r = await server.request('POST', '/query/sql', { sql: SQL }).catch(() => null);
  const body = r?.json as { resultTable?: { rows: number[][] }; exceptions?: unknown[] } | undefined;
  const row = body?.resultTable?.rows[0];
  if (!row || (body?.exceptions ?? []).length > 0) return null;
  return { count: Number(row[0]), distinct: Number(row[1]), sum: Number(row[2]), min: Number(row[3]), max: Number(row[4]) };
}

/**
 * Compaction is atomic for readers and for crashes: a server merging small segments in the
 * background is SIGKILLed six times — at the three steps of a merge (merged file written, ledger
 * committed, file renamed) and at random moments — while queries run; no query ever sees a row
 * twice, and after the last restart every id is in exactly one segment and the answers equal
 * those of the produced rows.
 */
describe('compaction across SIGKILL', () => {
  let emulator: RunningEmulator;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator('kinesalite');
    await createStream(emulator.endpoint, STREAM, 2);
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-compaction-'));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers as before after kills at every step of a merge and at random moments; no id lost or duplicated', async () => {
    const client = kinesisClientFor(emulator.endpoint);
    let produced = 0;
    const produce = async (n: number): Promise<void> => {
      const rows = Array.from({ length: n }, (_, i) => ({ id: produced + i, kind: `k${(produced + i) % 5}`, amount: (produced + i) * 3, ts: Date.now() }));
      await putJsonRecords(client, STREAM, rows, (row) => String(row.id));
      produced += n;
    };
    const seenDuplicates: Answer[] = [];
    let answered = 0;
    const watch = async (s: ServerProcess, stop: { done: boolean }): Promise<void> => {
      while (!stop.done) {
        const a = await answer(s);
        if (a !== null) answered++;
        if (a !== null && a.count !== a.distinct) seenDuplicates.push(a);
        await sleep(20);
      }
    };

    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', schema)).status).toBe(200);
    const created = await server.request('POST', '/tables', tableConfig(emulator.endpoint));
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    const crashes: (string | null)[] = ['compaction:after-merging-file:1', null, 'compaction:after-ledger:1', null, 'compaction:after-rename:1', null];
    for (const fault of crashes) {
      if (fault !== null) {
        server.kill('SIGTERM');
        await server.exited;
        server = await ServerProcess.start({ dataDir, env: { SHARDTABLE_FAULT_POINT: fault } });
      }
      const stop = { done: false };
      const watching = watch(server, stop);
      await produce(PER_ROUND);
      if (fault !== null) {
        const exit = await Promise.race([server.exited, sleep(60_000).then(() => null)]);
        expect(exit, `fault point ${fault} was never reached; log:\n${server.log()}`).toEqual({ code: null, signal: 'SIGKILL' });
      } else {
        await sleep(600 + Math.floor(Math.random() * 1500));
        server.kill('SIGKILL');
        await server.exited;
      }
      stop.done = true;
      await watching;
      server = await ServerProcess.start({ dataDir });
    }

    // The last run: everything is read, sealed and merged while queries keep watching.
    const stop = { done: false };
    const watching = watch(server, stop);
    const expected: Answer = { count: produced, distinct: produced, sum: (3 * produced * (produced - 1)) / 2, min: 0, max: produced - 1 };
    const deadline = Date.now() + 90_000;
    let last: Answer | null = null;
    while (Date.now() < deadline) {
      last = await answer(server);
      if (last !== null && last.count === produced) break;
      await sleep(200);
    }
    // ...and sealed (the time threshold seals the last rows; a stop abandons consuming rows).
    const sealedRows = async (): Promise<number> => {
      const body = (await server!.request('GET', '/segments/merges/metadata')).json as Record<string, { numDocs: number }>;
      return Object.values(body).reduce((n, s) => n + s.numDocs, 0);
    };
    while (Date.now() < deadline && (await sealedRows()) < produced) await sleep(200);
    stop.done = true;
    await watching;
    expect(last, server.log()).toEqual(expected);
    expect(await sealedRows()).toBe(produced);
    expect(seenDuplicates).toEqual([]);
    expect(answered).toBeGreaterThan(50); // queries really ran beside the merges
    const status = (await server.request('GET', '/tables/merges/consumingSegmentsInfo')).json as { shardtableTable?: { compaction?: { merged: number } } };
    server.kill('SIGTERM');
    expect((await server.exited).code, server.log()).toBe(0);
    client.destroy();
    expect(status.shardtableTable?.compaction).toBeDefined();

    const tableDir = join(dataDir, 'merges');
    const files = await readdir(tableDir);
    expect(files.filter((f) => f.endsWith('.merging') || f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.includes('__merged__')).length).toBeGreaterThan(0);
    const seen = new Map<bigint, number>();
    for (const file of files.filter((f) => f.endsWith('.seg'))) {
      const segment = await openSegment(join(tableDir, file));
      for (let doc = 0; doc < segment.numDocs; doc++) {
        const id = segment.getValue('id', doc) as bigint;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      segment.close();
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    expect(seen.size).toBe(produced);
    expect(await readdir(join(tableDir, 'quarantine')).catch(() => [])).toEqual([]);
  }, 400_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
