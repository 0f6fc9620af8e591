import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsSchema } from '../helpers/emulator-table.js';
import { withMoto } from '../helpers/moto.js';
import { ServerProcess, httpCall } from '../helpers/server-process.js';

const PREFIX = 'ops';
const BUCKET = 'ops-bucket';

/**
 * Cluster operations across two `serve --cluster` processes (moto for DynamoDB and S3, kinesalite):
 * a segment deleted through the server that does not serve it, a table deleted through one server
 * and gone from both (leases, committed items and S3 objects too), created again clean; and
 * retention acting on the lease holder, keeping each shard's checkpoint as a `deleted` mark so the
 * next holder resumes after it.
 */
describe('cluster operations across processes', () => {
  const moto = withMoto();
  const kinesis = withEmulator('kinesalite');
  let s3: S3Client;
  beforeAll(async () => {
    s3 = new S3Client({ endpoint: moto.server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    s3?.destroy();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const start = async (id: string): Promise<{ server: ServerProcess; dataDir: string }> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-ops-'));
    dirs.push(dataDir);
    const args = ['--cluster', `dynamodb:${PREFIX}`, '--deep-store', `s3://${BUCKET}/deep`, '--server-id', id, '--heartbeat-ms', '200', '--membership-timeout-ms', '1500', '--lease-timeout-ms', '2000', '--retention-interval-ms', '1000'];
    const server = await ServerProcess.start({ dataDir, args, env: moto.server.env() });
    servers.push(server);
    return { server, dataDir };
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000, log?: () => string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${log ? `\n${log()}` : ''}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const count = async (server: ServerProcess, table: string): Promise<{ rows: number | undefined; partial: boolean }> => {
    const answer = (await server.request('POST', '/query/sql', { sql: `SELECT count(*) FROM ${table}` })).json;
    return { rows: answer.resultTable?.rows[0][0], partial: answer.partialResult === true || (answer.exceptions ?? []).length > 0 };
  };
  const whole = async (server: ServerProcess, table: string, rows: number): Promise<boolean> => {
    const c = await count(server, table);
    return c.rows === rows && !c.partial;
  };
  const items = async (table: string): Promise<Record<string, AttributeValue>[]> =>
    (await moto.server.client().send(new QueryCommand({ TableName: `${PREFIX}-segments`, KeyConditionExpression: '#t = :t', ExpressionAttributeNames: { '#t': 'table' }, ExpressionAttributeValues: { ':t': { S: table } }, ConsistentRead: true }))).Items ?? [];
  const leases = async (table: string): Promise<number> =>
    ((await moto.server.client().send(new ScanCommand({ TableName: `${PREFIX}-leases`, ConsistentRead: true }))).Items ?? []).filter((i) => i.table?.S === table).length;
  const objects = async (table: string): Promise<string[]> =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `deep/${table}/` }))).Contents ?? []).map((o) => o.Key!);
  const servedBy = async (server: ServerProcess, table: string): Promise<string[]> => {
    const listed = await httpCall(server.url, 'GET', `/internal/cluster/tables/${table}/segments`);
    return listed.status === 200 ? (listed.json.segments as { name: string; consuming: boolean }[]).filter((s) => !s.consuming).map((s) => s.name) : [];
  };
  const sequenceOf = (name: string): number => Number(name.split('__')[2]);
  const key = (r: Record<string, unknown>): string => String(r.id);
  const rows = (n: number, from: number, ts: (i: number) => number): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => ({ id: from + i, kind: `k${i % 3}`, ts: ts(i) }));

  it('deletes segments and tables through any server, everywhere; refuses upsert tables; retention keeps the checkpoint', async () => {
    const [{ server: a }, { server: b, dataDir: bDir }] = await Promise.all([start('a'), start('b')]);
    const logs = (): string => `log a:\n${a.log().slice(-3000)}\nlog b:\n${b.log().slice(-3000)}`;
    const stream = await kinesis.newStream(2, 'ops');
    const timing = { 'realtime.segment.flush.threshold.rows': '150', 'stream.kinesis.fetch.timeout.millis': '500' };
    expect((await a.request('POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const config = emulatorTableConfig({ endpoint: kinesis.endpoint, stream, timeColumn: 'ts', streamConfigs: timing });
    const created = await a.request('POST', '/tables', config);
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    // An upsert table is refused with --cluster, naming the field.
    expect((await b.request('POST', '/schemas', { ...idKindTsSchema('keyed'), primaryKeyColumns: ['id'] })).status).toBe(200);
    const refused = await b.request('POST', '/tables', { ...emulatorTableConfig({ endpoint: kinesis.endpoint, stream, tableName: 'keyed', timeColumn: 'ts' }), upsertConfig: { mode: 'FULL' } });
    expect(refused.status, JSON.stringify(refused.json)).toBe(400);
    expect(refused.json.error).toContain('upsertConfig is not supported with --cluster');

    await putJsonRecords(kinesis.client, stream, rows(700, 0, (i) => 1_700_000_000_000 + i), key);
    await until('every row through a, both servers serving sealed segments', async () => (await whole(a, 'events', 700)) && (await servedBy(a, 'events')).length > 0 && (await servedBy(b, 'events')).length > 0, 25_000, logs);

    // A schema a table uses cannot be deleted (through the server that did not create either).
    expect((await b.request('DELETE', '/schemas/events')).status).toBe(409);

    // Delete a sealed segment that is not its shard's latest, through the server that does not serve it.
    const committed = await items('events');
    const onB = new Set(await servedBy(b, 'events'));
    const victim = committed
      .map((i) => ({ name: i.segmentName!.S!, shardId: i.shardId!.S!, numDocs: Number(i.numDocs!.N), s3Key: i.s3Key!.S! }))
      .filter((c) => onB.has(c.name))
      .sort((x, y) => sequenceOf(x.name) - sequenceOf(y.name))[0]!;
    const deleted = await a.request('DELETE', `/segments/events/${victim.name}`);
    expect(deleted.status, JSON.stringify(deleted.json)).toBe(200);
    const latestOfShard = Math.max(...committed.filter((c) => c.shardId!.S === victim.shardId).map((c) => sequenceOf(c.segmentName!.S!)));
    const after = (await items('events')).find((i) => i.segmentName?.S === victim.name);
    if (sequenceOf(victim.name) === latestOfShard) expect(after?.deleted?.BOOL).toBe(true);
    else expect(after).toBeUndefined();
    expect(await objects('events')).not.toContain(victim.s3Key);
    // b drops its copy at its next poll: whole answers without those rows, through either server.
    await until('the deleted segment gone from b', async () => !(await servedBy(b, 'events')).includes(victim.name) && (await whole(b, 'events', 700 - victim.numDocs)), 15_000, logs);
    expect(await whole(a, 'events', 700 - victim.numDocs)).toBe(true);
    expect((await a.request('DELETE', `/segments/events/${victim.name}`)).status).toBe(404);

    // Delete the table through b: gone from a too, with its leases, committed items and objects.
    expect((await b.request('DELETE', '/tables/events')).status).toBe(200);
    expect([await leases('events'), (await items('events')).length, (await objects('events')).length]).toEqual([0, 0, 0]);
    await until('a to drop the table', async () => (await a.request('GET', '/tables')).json.tables.length === 0, 10_000, logs);
    await expect(stat(join(bDir, 'events'))).rejects.toThrow();
    // a released (or found purged) its leases: none came back.
    expect(await leases('events')).toBe(0);
    // The schema is unused now: deleted through a, gone from b at its next poll.
    expect((await a.request('DELETE', '/schemas/events')).status).toBe(200);
    await until('b to drop the schema', async () => !((await b.request('GET', '/schemas')).json as string[]).includes('events'), 10_000, logs);

    // Created again under the same name on a new stream (through b): it starts clean.
    const again = await kinesis.newStream(2, 'ops2');
    expect((await b.request('POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const recreated = await b.request('POST', '/tables', emulatorTableConfig({ endpoint: kinesis.endpoint, stream: again, timeColumn: 'ts', streamConfigs: timing }));
    expect(recreated.status, JSON.stringify(recreated.json)).toBe(200);
    await putJsonRecords(kinesis.client, again, rows(40, 5000, (i) => 1_700_000_000_000 + i), key);
    await until('the re-created table whole through a with only its new rows', async () => whole(a, 'events', 40), 20_000, logs);

    // Retention: rows from 2020 with a one-day retention. Each holder drops its shards' sealed
    // segments from the cluster; each shard's latest stays as a `deleted` mark (its checkpoint).
    const oldStream = await kinesis.newStream(2, 'old');
    expect((await a.request('POST', '/schemas', idKindTsSchema('old'))).status).toBe(200);
    const retained = emulatorTableConfig({ endpoint: kinesis.endpoint, stream: oldStream, tableName: 'old', timeColumn: 'ts', streamConfigs: { ...timing, 'realtime.segment.flush.threshold.time': '1s' } });
    (retained.segmentsConfig as Record<string, unknown>).retentionTimeUnit = 'DAYS';
    (retained.segmentsConfig as Record<string, unknown>).retentionTimeValue = '1';
    expect((await a.request('POST', '/tables', retained)).status).toBe(200);
    await putJsonRecords(kinesis.client, oldStream, rows(300, 0, (i) => 1_600_000_000_000 + i), key);
    const marks = async (): Promise<Map<string, bigint>> => new Map((await items('old')).filter((i) => i.deleted?.BOOL === true).map((i) => [i.shardId!.S!, BigInt(i.endOffset!.S!)]));
    await until('every old row sealed and dropped by retention, one mark per shard', async () => {
      const all = await items('old');
      return all.length === 2 && all.every((i) => i.deleted?.BOOL === true) && (await objects('old')).length === 0 && (await whole(a, 'old', 0));
    }, 25_000, logs);
    const checkpoints = await marks();

    // a stops: b takes its shards and resumes after the marks, never re-reading the dropped rows.
    a.kill('SIGTERM');
    await a.exited;
    await putJsonRecords(kinesis.client, oldStream, rows(20, 1000, () => Date.now()), key);
    await until('only the new rows, through b', async () => whole(b, 'old', 20), 20_000, logs);
    await until('the new rows committed', async () => (await items('old')).filter((i) => i.deleted?.BOOL !== true).reduce((n, i) => n + Number(i.numDocs!.N), 0) === 20, 15_000, logs);
    for (const item of (await items('old')).filter((i) => i.deleted?.BOOL !== true)) {
      expect(BigInt(item.startOffset!.S!) > checkpoints.get(item.shardId!.S!)!, item.segmentName!.S).toBe(true);
    }
  }, 120_000);
});
