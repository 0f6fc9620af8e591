import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorStreamConfigs, emulatorTableConfig } from '../helpers/emulator-table.js';
import { withMoto } from '../helpers/moto.js';
import { ServerProcess, httpCall } from '../helpers/server-process.js';

const ROWS_PER_STREAM = 1500;
const MEMBERSHIP_TIMEOUT_MS = 1500;

const schema = {
  schemaName: 'events',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'country', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

function row(id: number): Record<string, unknown> {
  // Quarters: sums are exact in any order.
  return { id, country: `c${id % 7}`, amount: (id % 37) * 0.25, ts: 1_700_000_000_000 + id * 1000 };
}

/** Queries whose answers must not depend on how rows are spread over servers. */
const QUERIES = [
  'SELECT count(*) FROM events',
  'SELECT sum(amount), min(id), max(id), avg(amount) FROM events',
  'SELECT country, count(*), sum(amount) FROM events GROUP BY country ORDER BY sum(amount) DESC, country LIMIT 5',
  'SELECT id, country, amount FROM events WHERE amount > 5 ORDER BY id DESC LIMIT 7',
  'SELECT distinctcount(country), distinctcount(id), percentile(amount, 90) FROM events',
];

/**
 * The broker side of cluster mode over real HTTP: two `serve --cluster` processes (own data dirs
 * and ports; DynamoDB and S3 in moto) share one table's partitions through leases, and a query
 * through either answers as one plain server that consumed every row; kill -9 one and answers say
 * they are partial until membership drops it, then whole once its leases are taken over.
 */
describe('cluster broker across processes', () => {
  const moto = withMoto();
  const kinesis = withEmulator('kinesalite');
  beforeAll(async () => {
    // The lease side's deep store: the bucket must exist.
    const s3 = new S3Client({ endpoint: moto.server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'brk-bucket' }));
    s3.destroy();
  });
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const start = async (args: string[] = []): Promise<ServerProcess> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-cluster-'));
    dirs.push(dataDir);
    const server = await ServerProcess.start({ dataDir, args, env: moto.server.env() });
    servers.push(server);
    return server;
  };
  const timing = { 'realtime.segment.flush.threshold.rows': '400', 'stream.kinesis.fetch.timeout.millis': '500' };
  /** A table on `streams` (several: Pinot's streamConfigMaps, partition ids 0…, 10000…). */
  const createTable = async (server: ServerProcess, streams: string[]): Promise<void> => {
    expect((await server.request('POST', '/schemas', schema)).status).toBe(200);
    const maps = streams.map((stream) => emulatorStreamConfigs(kinesis.endpoint, stream, timing));
    const config =
      streams.length === 1
        ? emulatorTableConfig({ endpoint: kinesis.endpoint, stream: streams[0]!, timeColumn: 'ts', streamConfigs: timing })
        : { tableName: 'events', tableType: 'REALTIME', segmentsConfig: { timeColumnName: 'ts' }, tableIndexConfig: {}, ingestionConfig: { streamIngestionConfig: { streamConfigMaps: maps } } };
    const created = await server.request('POST', '/tables', config);
    expect(created.status, JSON.stringify(created.json)).toBe(200);
  };
  const query = async (server: ServerProcess, sql: string): Promise<any> => (await server.request('POST', '/query/sql', { sql })).json;
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('answers through any server as one server holding every row; partial after kill -9 until the dead server leaves', async () => {
    // One table on two streams (partitions 0-1 and 10000-10001), created through a; b creates it
    // from the shared catalog, and leases split the four partitions between a and b.
    const [s1, s2, all] = await Promise.all([kinesis.newStream(2, 'c1'), kinesis.newStream(2, 'c2'), kinesis.newStream(2, 'call')]);
    const cluster = (id: string): string[] => ['--cluster', 'dynamodb:brk', '--deep-store', 's3://brk-bucket/segments', '--server-id', id, '--heartbeat-ms', '200', '--membership-timeout-ms', String(MEMBERSHIP_TIMEOUT_MS), '--lease-timeout-ms', '2000'];
    const [a, b, single] = await Promise.all([start(cluster('a')), start(cluster('b')), start()]);
    await Promise.all([createTable(a, [s1, s2]), createTable(single, [all])]);
    const first = Array.from({ length: ROWS_PER_STREAM }, (_, i) => row(i));
    const second = Array.from({ length: ROWS_PER_STREAM }, (_, i) => row(ROWS_PER_STREAM + i));
    const key = (r: Record<string, unknown>): string => String(r.id);
    await Promise.all([putJsonRecords(kinesis.client, s1, first, key), putJsonRecords(kinesis.client, s2, second, key), putJsonRecords(kinesis.client, all, [...first, ...second], key)]);

    const total = 2 * ROWS_PER_STREAM;
    await until('every row in the single server', async () => (await query(single, 'SELECT count(*) FROM events')).resultTable?.rows[0][0] === total);
    let last: unknown;
    const served = async (server: ServerProcess): Promise<number> => {
      const listed = await httpCall(server.url, 'GET', '/internal/cluster/tables/events/segments');
      return listed.status === 200 ? (listed.json.segments as { numDocs: number }[]).reduce((n, seg) => n + seg.numDocs, 0) : 0;
    };
    const consuming = async (server: ServerProcess): Promise<number> => {
      const listed = await httpCall(server.url, 'GET', '/internal/cluster/tables/events/segments');
      return listed.status === 200 ? (listed.json.segments as { consuming: boolean }[]).filter((seg) => seg.consuming).length : 0;
    };
    // Balanced (two partitions consumed on each server: no lease left to move, so no hand-over
    // while the queries below run) and whole.
    await until('every row through the broker, the leases balanced two and two', async () => {
      last = await query(a, 'SELECT count(*) FROM events');
      return (last as any).resultTable?.rows[0][0] === total && (last as any).partialResult === false && (await consuming(a)) === 2 && (await consuming(b)) === 2;
    }).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}\nlog a:\n${a.log().slice(-3000)}`);
    });

    for (const broker of [a, b]) {
      for (const sql of QUERIES) {
        const got = await query(broker, sql);
        const want = await query(single, sql);
        expect(got.exceptions, sql).toEqual([]);
        expect(got.resultTable, sql).toEqual(want.resultTable);
        expect([got.numServersQueried, got.numServersResponded, got.partialResult], sql).toEqual([2, 2, false]);
        expect([got.totalDocs, got.numDocsScanned], sql).toEqual([want.totalDocs, want.numDocsScanned]);
      }
    }
    const instances = (await httpCall(a.url, 'GET', '/instances')).json.instances as string[];
    const portOf = (s: ServerProcess): string => new URL(s.url).port;
    expect(instances.sort()).toEqual([`Broker_127.0.0.1_${portOf(a)}`, `Broker_127.0.0.1_${portOf(b)}`, `Server_127.0.0.1_${portOf(a)}`, `Server_127.0.0.1_${portOf(b)}`].sort());

    // The internal endpoints: what a server serves, and an unknown segment named in a 404.
    const listed = await httpCall(b.url, 'GET', '/internal/cluster/tables/events/segments');
    expect(listed.json.serverId).toBe('b');
    const servedByA = await served(a);
    expect(servedByA + (await served(b))).toBe(total);
    const some = listed.json.segments[0].name as string;
    const unknown = await httpCall(b.url, 'POST', '/internal/cluster/query', { sql: 'SELECT count(*) FROM events', table: 'events', segments: [some, 'events__9__9__20990101T0000Z'] });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toContain('segment events__9__9__20990101T0000Z of table events does not exist');
    expect((await b.request('POST', '/internal/cluster/query', { sql: 'SELECT 1', table: 'events' })).status).toBe(400);
    expect((await single.request('GET', '/internal/cluster/tables/events/segments')).status).toBe(404);
    expect((await single.request('GET', '/internal/cluster/tables/events/consumingSegmentsInfo')).status).toBe(404);
    // Without --cluster, /segments/{t}/servers names this server alone with every segment it lists.
    const alone = ((await single.request('GET', '/segments/events/servers')).json as [{ tableName: string; serverToSegmentsMap: Record<string, string[]>; serverToSegmentsCountMap: Record<string, number> }])[0];
    const own = ((await single.request('GET', '/segments/events')).json as [{ REALTIME: string[] }])[0].REALTIME;
    expect(alone.tableName).toBe('events_REALTIME');
    expect(Object.values(alone.serverToSegmentsMap).map((names) => names.length)).toEqual([Object.values(alone.serverToSegmentsCountMap)[0]]);
    expect(Object.values(alone.serverToSegmentsMap)[0]).toContain(own[0]);

    b.kill('SIGKILL');
    await b.exited;
    const partial = await query(a, 'SELECT count(*) FROM events');
    expect(partial.partialResult).toBe(true);
    expect(partial.numServersQueried).toBe(2);
    expect(partial.numServersResponded).toBe(1);
    expect(partial.resultTable.rows[0][0]).toBe(servedByA);
    // 427 for b; with leases, b's committed segments are served by no live server too (305).
    const codes = (partial.exceptions as { errorCode: number }[]).map((e) => e.errorCode);
    expect(codes.filter((c) => c !== 305)).toEqual([427]);
    expect(partial.exceptions.find((e: { errorCode: number }) => e.errorCode === 427).message).toContain(`server b (${b.url})`);

    await until('the dead server to leave /instances', async () => ((await httpCall(a.url, 'GET', '/instances')).json.instances as string[]).length === 2, 10_000);
    // a takes b's leases after the lease timeout and serves its committed segments: whole again.
    let whole: any;
    await until('a whole answer from a alone', async () => {
      whole = await query(a, 'SELECT count(*) FROM events');
      return whole.resultTable?.rows[0][0] === total && whole.partialResult === false;
    }, 20_000);
    expect([whole.numServersQueried, whole.numServersResponded, whole.partialResult, whole.exceptions]).toEqual([1, 1, false, []]);

    // A graceful stop deregisters.
    a.kill('SIGTERM');
    await a.exited;
    const items = await moto.server.client().send(new ScanCommand({ TableName: 'brk-servers' }));
    expect((items.Items ?? []).map((i) => i.serverId?.S)).toEqual(['b']);
  }, 90_000);
});
