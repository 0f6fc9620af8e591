import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeleteTableCommand, PutItemCommand, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { openSegment } from '../../src/segment/index.js';
import { writeDynamoDbExport } from '../helpers/dynamodb-export-files.js';
import { createStreamTable, withMoto } from '../helpers/moto.js';
import { enableStream, expectedRows, item, ItemWriter, itemsTableConfig, ITEMS_SCHEMA, normaliseRows, ROWS_SQL, seedItems } from '../helpers/dynamodb-items.js';
import { ServerProcess } from '../helpers/server-process.js';

const SEEDED = 2000;

/**
 * A DynamoDB table on moto followed by `shardtable serve`: the initial scan load while a writer
 * puts, updates and deletes, then the stream; every row equals a final consistent scan.
 */
describe('dynamodb source on moto', () => {
  const moto = withMoto();
  let client: DynamoDBClient;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    client = moto.server.client();
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-dynamodb-'));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    client?.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (): Promise<ServerProcess> => {
    server = await ServerProcess.start({ dataDir, env: moto.server.env() });
    return server;
  };

  const rows = async (table = 'items'): Promise<unknown[][]> => {
    const response = await server!.request('POST', '/query/sql', { sql: ROWS_SQL.replace('FROM items', `FROM ${table}`) });
    const json = response.json as { resultTable?: { rows: unknown[][] }; exceptions?: unknown[] };
    if ((json.exceptions ?? []).length > 0) return [[JSON.stringify(json.exceptions)]];
    return normaliseRows(json.resultTable?.rows ?? []);
  };

  /** Waits until the table's rows equal a consistent scan of DynamoDB (both taken after the writes stopped). */
  const expectEqualToScan = async (dynamoTable: string, table = 'items'): Promise<void> => {
    const want = await expectedRows(client, dynamoTable);
    const deadline = Date.now() + 60_000;
    let got: unknown[][] = [];
    while (Date.now() < deadline) {
      got = await rows(table);
      if (JSON.stringify(got) === JSON.stringify(want)) break;
      await sleep(300);
    }
    const gotIds = new Set(got.map((r) => r[0]));
    const wantIds = new Set(want.map((r) => r[0]));
    const missing = [...wantIds].filter((id) => !gotIds.has(id));
    const extra = [...gotIds].filter((id) => !wantIds.has(id));
    if (missing.length + extra.length > 0) {
      const ids = [...missing.slice(0, 3), ...extra.slice(0, 3)].map((id) => `'${String(id)}'`).join(',');
      const detail = await server!.request('POST', '/query/sql', { sql: `SELECT _id, n, _deleted, $segmentName, $docId FROM ${table} WHERE _id IN (${ids}) LIMIT 100`, queryOptions: 'skipUpsert=true' });
      console.log('DIAG', JSON.stringify({ missing: missing.slice(0, 10), missingCount: missing.length, extra: extra.slice(0, 10), extraCount: extra.length, rows: (detail.json as { resultTable?: unknown }).resultTable }));
      const segs = await server!.request('GET', `/tables/${table}/segments`);
      console.log('SEGS', JSON.stringify(segs.json));
      const info = (await server!.request('GET', `/tables/${table}/consumingSegmentsInfo`)).json as { shardtablePartitions?: unknown[] };
      console.log('PARTS', JSON.stringify(info.shardtablePartitions));
      console.log('LOG', server!.log().split('\n').filter((l) => /"level":(40|50|60)/.test(l)).slice(-15).join('\n'));
    }
    expect({ missing: missing.slice(0, 30), missingCount: missing.length, extra: extra.slice(0, 30) }).toEqual({ missing: [], missingCount: 0, extra: [] });
    expect(got).toEqual(want);
  };

  it('refuses configs a DynamoDB source cannot serve, naming the field', async () => {
    await start();
    expect((await server!.request('POST', '/schemas', ITEMS_SCHEMA)).status).toBe(200);
    const noStream = await createStreamTable(client, { viewType: 'none' });
    const keysOnly = await createStreamTable(client, { viewType: 'KEYS_ONLY' });
    const idKey = await createStreamTable(client, { keys: [{ name: '_id', type: 'S', role: 'HASH' }] });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...itemsTableConfig(noStream), upsertConfig: undefined }, /upsertConfig: missing; a DynamoDB-fed table is an upsert table keyed by _id/],
      [{ ...itemsTableConfig(noStream), upsertConfig: { mode: 'FULL' } }, /upsertConfig.deleteRecordColumn: required for a DynamoDB source/],
      [itemsTableConfig(noStream, { 'stream.dynamodb.initial.load': 'copy' }), /stream.dynamodb.initial.load: must be scan, export or none/],
      [itemsTableConfig(noStream, { 'stream.dynamodb.scan.rcu.limit': '0' }), /stream.dynamodb.scan.rcu.limit: must be a number/],
      [itemsTableConfig(noStream, { 'stream.dynamodb.scan.segmnets': '2' }), /stream.dynamodb.scan.segmnets: unknown key/],
      [itemsTableConfig(noStream), /has no stream; enable DynamoDB Streams/],
      [itemsTableConfig(keysOnly), /has view type KEYS_ONLY; it must be NEW_AND_OLD_IMAGES or NEW_IMAGE/],
      [itemsTableConfig(idKey), /stream.dynamodb.id.attribute.rename: DynamoDB table \S+ has its own _id key attribute/],
      [itemsTableConfig('no-such-table'), /does not exist/],
    ];
    for (const [config, message] of cases) {
      const response = await server!.request('POST', '/tables', config);
      expect(response.status, JSON.stringify(response.json)).toBe(400);
      expect((response.json as { error: string }).error).toMatch(message);
    }
    expect((await server!.request('GET', '/tables')).json).toEqual({ tables: [] });
  });

  it('scan load during writes, then the stream: every row equals a final consistent scan, across kill -9 during scan and streaming', async () => {
    const table = await createStreamTable(client, { viewType: 'none' });
    await seedItems(client, table, SEEDED);
    await enableStream(client, table);
    // A tight read-capacity budget keeps the scan running for seconds, so kills land inside it.
    const config = itemsTableConfig(table, { 'stream.dynamodb.scan.rcu.limit': '1' });
    const created = await server!.request('POST', '/tables', config);
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const writer = new ItemWriter(client, table, SEEDED);
    writer.start();
    try {

    // kill -9 twice during the scan, each time after a new scan segment was sealed: the load
    // resumes after what was sealed, not from zero.
    for (let i = 0; i < 2; i++) {
      const before = await sealedScanSegments();
      const sealDeadline = Date.now() + 60_000;
      while (Date.now() < sealDeadline && (await sealedScanSegments()) <= before) await sleep(100);
      expect(await sealedScanSegments()).toBeGreaterThan(before);
      expect(await streaming()).toBe(false);
      const loadingMetrics = String((await server!.request('GET', '/metrics')).json);
      expect(loadingMetrics).toContain('shardtable_snapshot_loading{table="items"} 1');
      expect(loadingMetrics).toMatch(/shardtable_snapshot_items_loaded\{table="items"\} [1-9]/);
      if (i === 0) {
        // The CLI shows the load: phase, progress, the scan partitions.
        const shown = await cli(['status', 'items', '--server', server!.url]);
        expect(shown.code, shown.stderr).toBe(0);
        expect(shown.stdout).toMatch(/table items: ingestion RUNNING\nphase LOADING: \d of 3 load partitions read to their end\nload: [\d,]+ items of ~[\d,]+ \([\d.]+%\), [\d.]+ MB, [\d,]+ capacity units \(cap 1\/s\)/);
        expect(shown.stdout).toMatch(/scan-0/);
        expect((await cli(['status', 'nope', '--server', server!.url])).code).toBe(1);
        expect((await cli(['status', 'items', '--server', 'http://127.0.0.1:1', '--timeout-ms', '2000'])).code).toBe(3);
      }
      server!.kill('SIGKILL');
      await server!.exited;
      const sealedRows = await scanRowsSealed();
      await start();
      // The load's counters continue from the checkpoints: at least what was sealed, at once.
      let progress = await loadProgress();
      const listedDeadline = Date.now() + 20_000;
      while (Date.now() < listedDeadline && !progress) progress = (await sleep(100), await loadProgress());
      expect(sealedRows).toBeGreaterThan(0);
      expect(progress?.items).toBeGreaterThanOrEqual(sealedRows);
      let resumed = '';
      const resumeDeadline = Date.now() + 20_000;
      while (Date.now() < resumeDeadline && !/scan resumed after item \d+/.test(resumed)) {
        resumed = JSON.stringify((await server!.request('GET', '/tables/items/consumingSegmentsInfo')).json);
        await sleep(100);
      }
      expect(resumed).toMatch(/scan resumed after item \d+/);
    }
    // Wait for the load to finish (the CLI's --wait-loaded: progress lines, then the status), then
    // kill -9 during streaming twice.
    const waited = await cli(['status', 'items', '--wait-loaded', '--server', server!.url], 120_000);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toMatch(/phase STREAMING: 3 of 3 load partitions read to their end/);
    expect(waited.stderr).toMatch(/items: phase (LOADING|STREAMING).*; load: [\d,]+ items/);
    expect(await streaming(), JSON.stringify((await server!.request('GET', '/tables/items/consumingSegmentsInfo')).json)).toBe(true);
    // Each item the scan loaded counted once across the two kills: the counters equal the rows of
    // the scan segments' sealed segments.
    const loaded = await loadProgress();
    expect(loaded?.items).toBe(await scanRowsSealed());
    expect(loaded?.capacityUnits).toBeGreaterThan(0);
    for (let i = 0; i < 2; i++) {
      await sleep(1500);
      server!.kill('SIGKILL');
      await server!.exited;
      await start();
    }
    await sleep(1500);
    } finally {
      await writer.stop();
    }
    expect(writer.writes).toBeGreaterThan(200);
    await expectEqualToScan(table);
    const metrics = String((await server!.request('GET', '/metrics')).json);
    expect(metrics).toContain('shardtable_snapshot_loading{table="items"} 0');
    expect(metrics).toMatch(/shardtable_ms_behind_latest\{table="items"[^}]*shard="shardId-[^"]+",partition="1000000"\} \d+/);
  }, 300_000);

  it('initial.load none follows the stream from its oldest record: equal to a final consistent scan', async () => {
    const table = await createStreamTable(client);
    await seedItems(client, table, 300);
    const created = await server!.request('POST', '/tables', itemsTableConfig(table, { 'stream.dynamodb.initial.load': 'none' }, 'items_stream'));
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const writer = new ItemWriter(client, table, 300, true);
    writer.start();
    await sleep(3000);
    await writer.stop();
    await expectEqualToScan(table, 'items_stream');
  }, 120_000);

  it('a DynamoDB table deleted and created again under its name: nothing is read until reset, then the new table is loaded', async () => {
    const table = await createStreamTable(client);
    await seedItems(client, table, 50);
    const created = await server!.request('POST', '/tables', itemsTableConfig(table, {}, 'items_re'));
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    await expectEqualToScan(table, 'items_re');
    const before = (await tableInfo('items_re')).streamIdentity?.recorded['0'];
    expect(before?.id).toMatch(new RegExp(`table/${table}/stream/`));
    await client.send(new DeleteTableCommand({ TableName: table }));
    await waitUntilTableNotExists({ client, maxWaitTime: 30 }, { TableName: table });
    await createStreamTable(client, { name: table });
    await seedItems(client, table, 30);
    // The next listing sees another table under the name: STREAM_RECREATED, saying what to do.
    let info = await tableInfo('items_re');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && info.ingestion?.state !== 'STREAM_RECREATED') info = (await sleep(200), await tableInfo('items_re'));
    expect(info.ingestion?.state, JSON.stringify(info)).toBe('STREAM_RECREATED');
    expect(info.ingestion?.lastError).toMatch(/was deleted and created again.*POST \/tables\/items_re\/resetStream/);
    expect(info.streamIdentity?.recreated[0]?.current.createdAtMs).toBeGreaterThan(before!.createdAtMs);
    // The reset drops the old table's rows and loads the new one by scan, then follows its stream.
    const reset = await server!.request('POST', '/tables/items_re/resetStream?consumeFrom=smallest');
    expect(reset.status, JSON.stringify(reset.json)).toBe(200);
    await client.send(new PutItemCommand({ TableName: table, Item: item('after-reset', 7, 1) }));
    await expectEqualToScan(table, 'items_re');
    expect((await tableInfo('items_re')).ingestion?.state).toBe('RUNNING');
  }, 120_000);

  it('initial.load export: loads a DYNAMODB_JSON export from S3, then the stream from its oldest record: equal to a final consistent scan', async () => {
    const table = await createStreamTable(client);
    await seedItems(client, table, 300);
    const s3 = new S3Client({ endpoint: moto.server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'exports' }));
      const exported = await writeDynamoDbExport(client, s3, { table, bucket: 'exports', prefix: 'ddb', exportId: '01700000000000-a1b2c3d4', files: 5 });
      await writeDynamoDbExport(client, s3, { table, bucket: 'exports', prefix: 'ddb', exportId: '01600000000000-00000000', files: 1, exportTimeMs: Date.now() - 2 * 86_400_000 });
      const exportConfig = (id: string, name = 'items_export') =>
        itemsTableConfig(table, { 'stream.dynamodb.initial.load': 'export', 'stream.dynamodb.export.s3.bucket': 'exports', 'stream.dynamodb.export.s3.prefix': 'ddb', 'stream.dynamodb.export.id': id }, name);
      // Exports that cannot be continued by the stream, or are not there: a 400 saying so.
      for (const [id, message] of [
        ['01600000000000-00000000', /more than 24 hours ago; the table's stream no longer holds the changes since/],
        ['01700000000000-missing0', /manifest-summary.json does not exist \(NoSuchKey\)/],
      ] as const) {
        const refused = await server!.request('POST', '/tables', exportConfig(id, 'items_refused'));
        expect(refused.status, JSON.stringify(refused.json)).toBe(400);
        expect((refused.json as { error: string }).error).toMatch(message);
      }
      // Changes after the export, while the table loads it: they come from the stream.
      const writer = new ItemWriter(client, table, 300, true);
      writer.start();
      const created = await server!.request('POST', '/tables', exportConfig('01700000000000-a1b2c3d4'));
      expect(created.status, JSON.stringify(created.json)).toBe(200);
      while (writer.writes < 60) await sleep(100);
      await writer.stop();
      await expectEqualToScan(table, 'items_export');
      const info = (await server!.request('GET', '/tables/items_export/consumingSegmentsInfo')).json as { shardtableTable: { phase: { state: string; progress: { items: number; sourceItemCount: number; percent: number } } } };
      expect(info.shardtableTable.phase).toMatchObject({ state: 'STREAMING', progress: { items: exported.itemCount, sourceItemCount: exported.itemCount, percent: 100 } });
    } finally {
      s3.destroy();
    }
  }, 120_000);

  /** `consumingSegmentsInfo` → `shardtableTable` of a table. */
  async function tableInfo(name: string): Promise<{ ingestion?: { state: string; lastError: string | null }; streamIdentity?: { recorded: Record<string, { id: string; createdAtMs: number }>; recreated: { current: { id: string; createdAtMs: number } }[] } }> {
    const info = (await server!.request('GET', `/tables/${name}/consumingSegmentsInfo`)).json as { shardtableTable?: Awaited<ReturnType<typeof tableInfo>> };
    return info.shardtableTable ?? {};
  }

  /** Sealed segments of the scan's partitions (ids 0-2). */
  async function sealedScanSegments(): Promise<number> {
    const text = JSON.stringify((await server!.request('GET', '/tables/items/segments')).json);
    return (text.match(/items__[0-2]__\d+__/g) ?? []).length;
  }

  /** Rows in the sealed segments of the scan's partitions (ids 0-2); the server may be down (read from its files). */
  async function scanRowsSealed(): Promise<number> {
    const dir = join(dataDir, 'items');
    let rows = 0;
    for (const file of (await readdir(dir)).filter((f) => /^items__[0-2]__\d+__.*\.seg$/.test(f))) {
      const segment = await openSegment(join(dir, file), { verifyChecksum: false });
      rows += segment.metadata.numDocs;
      segment.close();
    }
    return rows;
  }

  async function loadProgress(): Promise<{ items: number; capacityUnits: number } | null | undefined> {
    const info = (await server!.request('GET', '/tables/items/consumingSegmentsInfo')).json as { shardtableTable?: { phase?: { progress?: { items: number; capacityUnits: number } | null } } };
    return info.shardtableTable?.phase?.progress;
  }

  async function streaming(): Promise<boolean> {
    const info = (await server!.request('GET', '/tables/items/consumingSegmentsInfo')).json as { shardtableTable?: { phase?: { state?: string } } };
    return info.shardtableTable?.phase?.state === 'STREAMING';
  }
});

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));

/** The command as a user types it, output piped (no terminal). */
async function cli(args: string[], timeout = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
