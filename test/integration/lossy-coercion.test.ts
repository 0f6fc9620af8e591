import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { sortedIds, tableRows, waitForWith } from '../helpers/table-rows.js';

const schemaJson = {
  schemaName: 'lossy',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }],
  metricFieldSpecs: [
    { name: 'n', dataType: 'INT' },
    { name: 'd', dataType: 'DOUBLE' },
  ],
};

/** One shard, in order: index = id. Records 1, 3 and 4 need a lossy coercion; the others are exact. */
const RECORDS = [
  '{"id":0,"n":1,"d":0.5}',
  '{"id":1,"n":1.5,"d":1}',
  '{"id":2,"n":" 2 ","d":"2.5"}',
  '{"id":3,"n":true,"d":3}',
  '{"id":4,"n":4,"d":"NaN"}',
  '{"id":5,"n":5,"d":"Infinity"}',
];
const LOSSY = 3;

const waitFor = waitForWith({ timeoutMs: 45_000, pollMs: 100 });

interface PartitionInfo {
  state: string;
  currentOffset: string | null;
  recordsWithLossyCoercion: number;
  recordsDropped: number;
  lastError: string | null;
}

describe.each(EMULATOR_KINDS)('lossy coercions on %s', (kind) => {
  const env = withEmulator(kind);
  const dirs: string[] = [];
  const apps: { close(): Promise<unknown> }[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function setUp(ingestionConfig: Record<string, unknown>) {
    const stream = await env.newStream(1);
    const records = RECORDS.map((r) => ({ Data: new TextEncoder().encode(r), PartitionKey: 'k' }));
    const put = await env.client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
    expect(put.FailedRecordCount ?? 0).toBe(0);
    const seqs = put.Records!.map((r) => r.SequenceNumber!);
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-lossy-'));
    dirs.push(dataDir);
    const manager = new TableManager({ dataDir, runtimeFactory: tableIngestionFactory(silentLogger()) });
    await manager.start();
    const app = buildApp({ manager });
    apps.push(app);
    expect((await app.inject({ method: 'POST', url: '/schemas', payload: schemaJson })).statusCode).toBe(200);
    const table = emulatorTableConfig({ endpoint: env.endpoint, stream, tableName: 'lossy', indexing: { nullHandlingEnabled: true }, extra: { ingestionConfig } });
    const created = await app.inject({ method: 'POST', url: '/tables', payload: table });
    expect(created.statusCode, created.body).toBe(200);
    const partition = async (): Promise<PartitionInfo> => {
      const info = (await app.inject({ method: 'GET', url: '/tables/lossy/consumingSegmentsInfo' })).json() as { shardtablePartitions: PartitionInfo[] };
      return info.shardtablePartitions[0]!;
    };
    return { manager, seqs, partition };
  }

  it('skip and deadLetter store Pinot\'s lenient value and count the records in consumingSegmentsInfo', async () => {
    for (const errorPolicy of ['skip', 'deadLetter']) {
      const { manager, seqs, partition } = await setUp({ errorPolicy });
      await waitFor(`all records consumed (${errorPolicy})`, async () => (await partition()).currentOffset === seqs[seqs.length - 1]);
      expect(await partition()).toMatchObject({ recordsWithLossyCoercion: LOSSY, recordsDropped: 0, lastError: null });
      const rows = tableRows(manager.getRuntime('lossy')!, ['id', 'n', 'd']).sort((a, b) => Number(a.id) - Number(b.id));
      expect(rows.map((r) => [r.id, r.n, r.d])).toEqual([
        [0n, 1, 0.5],
        [1n, 1, 1],
        [2n, 2, 2.5],
        [3n, 1, 3],
        [4n, 4, null],
        [5n, 5, Infinity],
      ]);
    }
  });

  it('fail stops the partition at the first lossy record, naming the field, the value and the column type', async () => {
    const { manager, seqs, partition } = await setUp({ errorPolicy: 'fail' });
    await waitFor('ERROR state', async () => (await partition()).state === 'ERROR');
    const p = await partition();
    expect(p.currentOffset).toBe(seqs[0]);
    expect(p.lastError).toContain(seqs[1]);
    expect(p.lastError).toContain('field "n": lossy coercion of 1.5 to INT (fraction dropped: stored 1)');
    expect(p.recordsWithLossyCoercion).toBe(0);
    expect(sortedIds(manager.getRuntime('lossy')!)).toEqual([0n]);
  });
});
