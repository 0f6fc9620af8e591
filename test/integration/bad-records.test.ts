import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import { tableIngestionFactory } from '../../src/ingest/index.js';
import { silentLogger } from '../../src/logger.js';
import { buildApp } from '../../src/server/app.js';
import { TableManager } from '../../src/table/table-manager.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { sortedIds, waitForWith } from '../helpers/table-rows.js';

const schemaJson = {
  schemaName: 'bad',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'kind', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'amount', dataType: 'INT' }],
};

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The records, in stream order on one shard: index = record id; `good: false` = a bad record and why. */
const RECORDS: { bytes: Uint8Array; good: boolean; why?: RegExp }[] = [
  { bytes: enc('{"id":0,"kind":"ok","amount":1}'), good: true },
  { bytes: enc('{"id": 1, "kind": '), good: false, why: /not valid JSON/ },
  { bytes: enc('{"id":2,"kind":"ok","amount":"7"}'), good: true },
  { bytes: enc('{"id":3,"kind":"ok","amount":"seven"}'), good: false, why: /"amount".*not an INT/ },
  { bytes: enc('{"id":4,"kind":"ok"}'), good: true },
  { bytes: new Uint8Array([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x35, 0x2c, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), good: false, why: /UTF-8/ },
  { bytes: enc(`{"id":6,"kind":${'['.repeat(3000)}${']'.repeat(3000)}}`), good: false, why: /deeper/ },
  { bytes: enc(`{"id":7,"kind":"${'x'.repeat(1_000_000 - 40)}`), good: false, why: /not valid JSON/ },
  { bytes: enc('{"id":8,"kind":"ok","amount":8}'), good: true },
  { bytes: enc('{"id":9,"kind":"ok","amount":9}'), good: true },
];
const GOOD = RECORDS.flatMap((r, i) => (r.good ? [BigInt(i)] : []));
const BAD = RECORDS.flatMap((r, i) => (r.good ? [] : [i]));

const waitFor = waitForWith({ timeoutMs: 45_000, pollMs: 100 });

describe.each(EMULATOR_KINDS)('bad-record policies on %s', (kind) => {
  const env = withEmulator(kind);
  const dirs: string[] = [];
  const apps: { close(): Promise<unknown> }[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  /** Puts RECORDS on a one-shard stream, one call each (the 1 MB record fills a call), and returns their sequence numbers. */
  async function produce(stream: string): Promise<string[]> {
    const seqs: string[] = [];
    for (const r of RECORDS) {
      const out = await env.client.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: r.bytes, PartitionKey: 'k' }] }));
      expect(out.FailedRecordCount ?? 0).toBe(0);
      seqs.push(out.Records![0]!.SequenceNumber!);
    }
    return seqs;
  }

  const tableJson = (stream: string, extra: Record<string, string>, ingestionConfig: Record<string, unknown> = {}): Record<string, unknown> =>
    emulatorTableConfig({ endpoint: env.endpoint, stream, tableName: 'bad', streamConfigs: extra, extra: { ingestionConfig } });

  async function server(dataDir: string) {
    const manager = new TableManager({ dataDir, runtimeFactory: tableIngestionFactory(silentLogger()) });
    await manager.start();
    const app = buildApp({ manager });
    apps.push(app);
    return { manager, app };
  }

  async function setUp(extra: Record<string, string>, ingestionConfig: Record<string, unknown> = {}) {
    const stream = await env.newStream(1);
    const seqs = await produce(stream);
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-bad-'));
    dirs.push(dataDir);
    const s = await server(dataDir);
    expect((await s.app.inject({ method: 'POST', url: '/schemas', payload: schemaJson })).statusCode).toBe(200);
    const created = await s.app.inject({ method: 'POST', url: '/tables', payload: tableJson(stream, extra, ingestionConfig) });
    expect(created.statusCode, created.body).toBe(200);
    return { ...s, stream, seqs, dataDir };
  }

  const ids = (manager: TableManager): bigint[] => sortedIds(manager.getRuntime('bad')!);

  const consumedAll = (manager: TableManager, seqs: string[]) => (): boolean => manager.partitions('bad')[0]?.currentOffset === seqs[seqs.length - 1];

  it('skip (default): good records indexed, bad ones counted, nothing dead-lettered', async () => {
    const { manager, app, seqs, dataDir } = await setUp({});
    await waitFor('all records consumed', consumedAll(manager, seqs));
    expect(ids(manager)).toEqual(GOOD);
    const p = manager.partitions('bad')[0]!;
    expect(p.recordsDropped).toBe(BAD.length);
    expect(p.recordsConsumed).toBe(RECORDS.length);
    expect(p.errorPolicy).toBe('skip');
    const view = await app.inject({ method: 'GET', url: '/tables/bad/deadLetters' });
    expect(view.json()).toMatchObject({ total: 0, deadLetters: [] });
    await expect(readFile(join(dataDir, 'bad', 'dead-letter', 'shardId-000000000000.jsonl'))).rejects.toThrow();
  });

  it('deadLetter: bad records written with bytes, reason, shard and sequence number; not duplicated after a restart', async () => {
    const { manager, app, seqs, dataDir } = await setUp({ 'stream.kinesis.decoder.errorPolicy': 'deadLetter' });
    await waitFor('all records consumed', consumedAll(manager, seqs));
    expect(ids(manager)).toEqual(GOOD);
    expect(manager.partitions('bad')[0]).toMatchObject({ recordsDropped: BAD.length, recordsDeadLettered: BAD.length, errorPolicy: 'deadLetter' });
    const view = (await app.inject({ method: 'GET', url: '/tables/bad/deadLetters?limit=100' })).json() as { total: number; deadLetters: { sequenceNumber: string; shardId: string; reason: string; valueBase64: string }[] };
    expect(view.total).toBe(BAD.length);
    expect(view.deadLetters.map((d) => d.sequenceNumber)).toEqual(BAD.map((i) => seqs[i]));
    view.deadLetters.forEach((d, k) => {
      const i = BAD[k]!;
      expect(d.shardId).toBe('shardId-000000000000');
      expect(d.reason).toMatch(RECORDS[i]!.why!);
      expect(Buffer.from(d.valueBase64, 'base64').equals(Buffer.from(RECORDS[i]!.bytes))).toBe(true);
    });
    expect(((await app.inject({ method: 'GET', url: '/tables/bad/deadLetters?limit=2' })).json() as { deadLetters: unknown[] }).deadLetters).toHaveLength(2);
    expect((await app.inject({ method: 'GET', url: '/tables/bad/deadLetters?limit=x' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/tables/nope/deadLetters' })).statusCode).toBe(404);

    // Restart: nothing was sealed, so every record is read again; the dead letters are not repeated.
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    const again = await server(dataDir);
    await waitFor('all records consumed again', consumedAll(again.manager, seqs));
    expect(ids(again.manager)).toEqual(GOOD);
    const lines = (await readFile(join(dataDir, 'bad', 'dead-letter', 'shardId-000000000000.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { sequenceNumber: string }).sequenceNumber)).toEqual(BAD.map((i) => seqs[i]));
  });

  it('fail: the partition stops at the first bad record, and resumes at it after PUT', async () => {
    const flush = { 'realtime.segment.flush.threshold.rows': '1' };
    const { manager, app, seqs, stream } = await setUp({ ...flush }, { errorPolicy: 'fail' });
    await waitFor('ERROR state', () => manager.partitions('bad')[0]?.state === 'ERROR');
    const p = manager.partitions('bad')[0]!;
    expect(p.lastError).toContain('shardId-000000000000');
    expect(p.lastError).toContain(seqs[1]);
    expect(p.lastError).toMatch(/not valid JSON/);
    expect(p.currentOffset).toBe(seqs[0]);
    expect(ids(manager)).toEqual([0n]);
    const info = (await app.inject({ method: 'GET', url: '/tables/bad/consumingSegmentsInfo' })).body;
    expect(info).toContain(seqs[1]);

    const fixed = await app.inject({ method: 'PUT', url: '/tables/bad', payload: tableJson(stream, { ...flush }, { errorPolicy: 'skip' }) });
    expect(fixed.statusCode, fixed.body).toBe(200);
    await waitFor('all records consumed', consumedAll(manager, seqs));
    const after = manager.partitions('bad')[0]!;
    expect(after.startedFrom).toContain(seqs[0]);
    expect(after.state).not.toBe('ERROR');
    expect(after.recordsDropped).toBe(BAD.length);
    expect(ids(manager)).toEqual(GOOD);
  });
});
