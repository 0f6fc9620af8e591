import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CatalogPoller } from '../../src/cluster/catalog-poller.js';
import { ClusterCatalog } from '../../src/cluster/cluster-catalog.js';
import type { TableManager } from '../../src/table/index.js';
import { clusterTableNames } from '../../src/cluster/cluster-context.js';
import type { ClusterContext } from '../../src/cluster/cluster-context.js';
import { ensureClusterTables } from '../../src/cluster/cluster-tables.js';
import { ClusterNode } from '../../src/cluster/cluster-node.js';
import { LeaseCoordinator } from '../../src/cluster/lease-coordinator.js';
import type { ResolvedTable } from '../../src/ingest/resolved-table.js';
import { LeaseStore } from '../../src/cluster/lease-store.js';
import { SegmentStore } from '../../src/cluster/segment-store.js';
import { purgeTable } from '../../src/cluster/table-purge.js';
import { silentLogger } from '../../src/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsSchema } from '../helpers/emulator-table.js';
import { withMoto } from '../helpers/moto.js';
import { ServerProcess, httpCall } from '../helpers/server-process.js';

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));
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
    const answer: any = (await server.request('POST', '/query/sql', { sql: `SELECT count(*) FROM ${table}` })).json;
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

  it('refuses a retention interval under a second, naming the flag (exit code 2)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-ops-flag-'));
    dirs.push(dataDir);
    const run = spawnSync(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--retention-interval-ms', '10'], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([2, expect.stringContaining('--retention-interval-ms 10: must be at least 1000')]);
  });

  it('the stores: segment deletes keep each shard\'s latest as a mark, purge removes one table\'s all, the catalog checks the whole cluster', async () => {
    const dynamodb = moto.server.client();
    const ctx: ClusterContext = { serverId: 'x', advertisedUrl: 'http://127.0.0.1:1', tables: clusterTableNames('unit'), deepStore: { bucket: BUCKET, prefix: 'u' }, dynamodb, s3, destroy: () => undefined };
    await ensureClusterTables(ctx);
    const store = new SegmentStore(ctx);
    const commit = async (table: string, shard: number, sequence: number): Promise<string> => {
      const name = `${table}__${shard}__${sequence}__20260101T0000Z`;
      const s3Key = `u/${table}/${name}/x-${sequence}`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: s3Key, Body: 'segment' }));
      await dynamodb.send(new PutItemCommand({ TableName: 'unit-segments', Item: { table: { S: table }, segmentName: { S: name }, s3Key: { S: s3Key }, shardId: { S: `s${shard}` }, partition: { N: String(shard) }, startOffset: { S: String(sequence * 10) }, endOffset: { S: String(sequence * 10 + 9) }, numDocs: { N: '5' }, endOfShard: { BOOL: false } } }));
      return name;
    };
    const state = async (table: string): Promise<string[]> => (await store.listCommitted(table)).map((c) => `${c.segmentName}${c.deleted ? ' deleted' : ''}`).sort();
    const keys = async (table: string): Promise<number> => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `u/${table}/` }))).Contents ?? []).length;
    const [s0a, s0b, s0c] = [await commit('t', 0, 0), await commit('t', 0, 1), await commit('t', 0, 2)];
    const s1a = await commit('t', 1, 0);
    expect(await store.deleteCommitted('t', [s0b])).toEqual([s0b]);
    expect(await state('t')).toEqual([s0a, s0c, s1a].sort());
    // The shard's latest: kept, marked deleted (the checkpoint), its object removed.
    expect(await store.deleteCommitted('t', [s0c, 'nope'])).toEqual([s0c]);
    expect(await state('t')).toEqual([s0a, `${s0c} deleted`, s1a].sort());
    expect(await keys('t')).toBe(2);
    expect(await store.deleteCommitted('t', [s0c])).toEqual([]);
    // A later commit supersedes the mark: the next delete removes it.
    const s0d = await commit('t', 0, 3);
    expect(await store.deleteCommitted('t', [s0a])).toEqual([s0a]);
    expect(await state('t')).toEqual([s0d, s1a].sort());

    // purge: one table's leases, items and objects; another table's stay.
    await commit('t2', 0, 0);
    for (const table of ['t', 't2']) await dynamodb.send(new PutItemCommand({ TableName: 'unit-leases', Item: { leaseKey: { S: `${table}#s0` }, table: { S: table }, shardId: { S: 's0' }, leaseCounter: { N: '3' } } }));
    expect(await purgeTable(ctx, 't')).toEqual({ leases: 1, segmentItems: 2, s3Objects: 2 });
    expect([await state('t'), await keys('t'), (await state('t2')).length, await keys('t2')]).toEqual([[], 0, 1, 1]);

    // The catalog: a live table elsewhere blocks a create and its schema's delete, though this server has neither.
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-ops-cat-'));
    dirs.push(dataDir);
    const catalog = new ClusterCatalog(dataDir, ctx, silentLogger());
    await catalog.putSchema('s', { schemaName: 's' });
    await dynamodb.send(new PutItemCommand({ TableName: 'unit-tables', Item: { kind: { S: 'table' }, name: { S: 't2' }, json: { S: JSON.stringify({ tableName: 't2', segmentsConfig: { schemaName: 's' } }) } } }));
    await expect(catalog.createTable('t2', { tableName: 't2' })).rejects.toThrow(/table t2_REALTIME already exists/);
    await expect(catalog.deleteSchema('s')).rejects.toThrow(/schema s is used by table t2/);
    // Deleted through "another server": the mark lets a create through, which purges what t2 left first.
    await dynamodb.send(new PutItemCommand({ TableName: 'unit-tables', Item: { kind: { S: 'table' }, name: { S: 't2' }, deleted: { BOOL: true } } }));
    await catalog.createTable('t2', { tableName: 't2', segmentsConfig: { schemaName: 's' } });
    expect([(await state('t2')).length, await keys('t2')]).toEqual([0, 0]);
    await expect(catalog.createTable('t3', { tableName: 't3', upsertConfig: { mode: 'FULL' } })).rejects.toThrow(/upsertConfig is not supported with --cluster/);

    // A table deleted here: its held leases are released (free at once), not left to expire.
    const leaseStore = new LeaseStore(dynamodb, 'unit-leases');
    await leaseStore.ensure('rel', { partitionId: 0, shardId: 'shardId-000000000000', parentShardIds: [], closed: false });
    const coordinator = new LeaseCoordinator({ store: leaseStore, serverId: 'x', leaseTimeoutMs: 60_000, logger: silentLogger() });
    coordinator.attach({ tableName: 'rel', acquireShard: async () => undefined, releaseShard: async () => undefined, leasesChanged: () => undefined });
    await coordinator.runRound();
    expect(coordinator.heldShards()).toEqual([{ table: 'rel', shardId: 'shardId-000000000000', counter: 1 }]);
    await coordinator.releaseTable('rel');
    expect(coordinator.heldShards()).toEqual([]);
    expect((await leaseStore.scan()).find((l) => l.table === 'rel')).toMatchObject({ leaseOwner: null, leaseCounter: 2 });

    // An upsert table already on this server's disk (from before --cluster) fails to start, saying why.
    const node = await ClusterNode.start({ ...ctx, deepStore: { bucket: BUCKET, prefix: 'u' } }, silentLogger());
    const keyed = { config: { tableName: 'k', pinot: { tableName: 'k', upsertConfig: { mode: 'FULL' } } } } as unknown as ResolvedTable;
    expect(() => node.runtimeFactory()({ table: keyed, tableDir: dataDir })).toThrow(/upsertConfig is not supported with --cluster/);

    // The poll, against an in-process double of the table manager that records what it is asked.
    const put = (kind: string, name: string, item: Record<string, AttributeValue>) => dynamodb.send(new PutItemCommand({ TableName: 'unit-tables', Item: { kind: { S: kind }, name: { S: name }, ...item } }));
    await put('table', 'gone', { deleted: { BOOL: true } });
    await put('table', 'fresh', { deleted: { BOOL: true } });
    await put('schema', 'oldschema', { deleted: { BOOL: true } });
    await put('table', 'newtable', { json: { S: JSON.stringify({ tableName: 'newtable' }) } });
    const calls: string[] = [];
    // 'fresh' is created through this server while the catalog is read: here after the read, not before.
    let listed = 0;
    const local = { tables: new Set(['gone', 'mine']), schemas: new Set(['s', 'oldschema']) };
    const manager = {
      listTables: () => (listed++ === 0 ? [...local.tables] : [...local.tables, 'fresh']),
      listSchemas: () => [...local.schemas],
      hasTable: (name: string) => local.tables.has(name) || name === 'fresh',
      addSchema: async (json: { schemaName: string }, o: unknown) => void calls.push(`addSchema ${json.schemaName} ${JSON.stringify(o)}`),
      addTable: async (json: { tableName: string }, o: unknown) => void calls.push(`addTable ${json.tableName} ${JSON.stringify(o)}`),
      deleteTable: async (name: string, o: unknown) => void calls.push(`deleteTable ${name} ${JSON.stringify(o)}`),
      deleteSchema: async (name: string, o: unknown) => void calls.push(`deleteSchema ${name} ${JSON.stringify(o)}`),
    } as unknown as TableManager;
    await new CatalogPoller(ctx, manager, 60_000, silentLogger()).poll();
    const here = '{"scope":"local"}';
    // t2 (live above) and newtable are created, gone and oldschema deleted; 'mine' (never listed) and 'fresh' are left alone.
    expect(calls.sort()).toEqual([`addTable newtable ${here}`, `addTable t2 ${here}`, `deleteSchema oldschema ${here}`, `deleteTable gone ${here}`].sort());
  });

  it('deletes segments and tables through any server, everywhere; refuses upsert tables; retention keeps the checkpoint', async () => {
    const [{ server: a, dataDir: aDir }, { server: b, dataDir: bDir }] = await Promise.all([start('a'), start('b')]);
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
    expect((refused.json as any).error).toContain('upsertConfig is not supported with --cluster');

    await putJsonRecords(kinesis.client, stream, rows(700, 0, (i) => 1_700_000_000_000 + i), key);
    await until('every row through a, both servers serving sealed segments', async () => (await whole(a, 'events', 700)) && (await servedBy(a, 'events')).length > 0 && (await servedBy(b, 'events')).length > 0, 25_000, logs);

    // Rewind and stream reset are refused in cluster mode, naming what.
    const rewind = await b.request('POST', '/tables/events/rewind?to=TRIM_HORIZON');
    expect([rewind.status, (rewind.json as any).error]).toEqual([400, expect.stringContaining('consumeFrom (rewind) is not supported with --cluster')]);
    const reset = await b.request('POST', '/tables/events/resetStream');
    expect([reset.status, (reset.json as any).error]).toEqual([400, expect.stringContaining('resetStream is not supported with --cluster')]);
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
    await until('the same answer through a', async () => whole(a, 'events', 700 - victim.numDocs), 5_000, logs);
    expect((await a.request('DELETE', `/segments/events/${victim.name}`)).status).toBe(404);
    // Several at once (one pass over the committed items), through b: a's lowest and the one already gone (404, nothing deleted), then a's lowest alone.
    const onA = (await servedBy(a, 'events')).sort((x, y) => sequenceOf(x) - sequenceOf(y));
    const second = committed.find((c) => c.segmentName!.S === onA[0])!;
    expect((await b.request('POST', '/segments/events/delete', [onA[0], victim.name])).status).toBe(404);
    const batch = await b.request('POST', '/segments/events/delete', [onA[0]]);
    expect([batch.status, (batch.json as any).deleted]).toEqual([200, [onA[0]]]);
    const left = 700 - victim.numDocs - Number(second.numDocs!.N);
    await until('the second deleted segment gone from a', async () => (await whole(a, 'events', left)) && (await whole(b, 'events', left)), 10_000, logs);

    // Delete the table through b: gone from a too, with its leases, committed items and objects.
    expect((await b.request('DELETE', '/tables/events')).status).toBe(200);
    expect([await leases('events'), (await items('events')).length, (await objects('events')).length]).toEqual([0, 0, 0]);
    await until('a to drop the table', async () => ((await a.request('GET', '/tables')).json as any).tables.length === 0, 10_000, logs);
    // Both data dirs lost the table's folder: b took the delete, a applied it.
    for (const dir of [aDir, bDir]) await expect(stat(join(dir, 'events'))).rejects.toThrow();
    expect(a.log()).toContain('deleted from the cluster catalog');
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
