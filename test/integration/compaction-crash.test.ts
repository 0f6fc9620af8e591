import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { crashFixture, expectEachIdOnce, idRange, sealedIdCounts, sleep } from '../helpers/crash-fixture.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import type { ServerProcess } from '../helpers/server-process.js';

const STREAM = 'compaction-crash';
const PER_ROUND = 500;

const schema = {
  schemaName: 'merges',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'kind', dataType: 'STRING' }],
  metricFieldSpecs: [{ name: 'amount', dataType: 'LONG' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

function tableConfig(endpoint: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream: STREAM,
    tableName: 'merges',
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder',
      'stream.kinesis.fetch.timeout.millis': '1000',
      maxRecordsToFetch: '60',
      'realtime.segment.flush.threshold.rows': '40',
      'realtime.segment.flush.threshold.time': '800ms',
    },
    extra: { task: { taskTypeConfigsMap: { MergeRollupTask: { mergeType: 'concat', maxNumRecordsPerSegment: '400', 'shardtable.smallSegmentRows': '100', 'shardtable.intervalMs': '250' } } } },
  });
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
  const fx = crashFixture({ streams: { [STREAM]: 2 }, dataDirPrefix: 'shardtable-compaction-' });

  it('answers as before after kills at every step of a merge and at random moments; no id lost or duplicated', async () => {
    let produced = 0;
    const produce = async (n: number): Promise<void> => {
      const rows = Array.from({ length: n }, (_, i) => ({ id: produced + i, kind: `k${(produced + i) % 5}`, amount: (produced + i) * 3, ts: Date.now() }));
      await putJsonRecords(fx.client, STREAM, rows, (row) => String(row.id));
      produced += n;
    };
    const seenDuplicates: Answer[] = [];
    let answered = 0;
    /** Queries `s` until it exits or `stop.done`, noting every answer that counts a row twice. */
    const watch = async (s: ServerProcess, stop = { done: false }): Promise<void> => {
      let exited = false;
      void s.exited.then(() => (exited = true));
      while (!stop.done && !exited) {
        const a = await answer(s);
        if (a !== null) answered++;
        if (a !== null && a.count !== a.distinct) seenDuplicates.push(a);
        await sleep(20);
      }
    };

    await fx.start();
    await fx.createTables([schema], [tableConfig(fx.endpoint)]);

    // Each round's server is queried from before its records until it is killed.
    const crashes: (string | null)[] = ['compaction:after-merging-file:1', null, 'compaction:after-ledger:1', null, 'compaction:after-rename:1', null];
    for (const fault of crashes) {
      let watching = Promise.resolve();
      const during = async (): Promise<void> => {
        watching = watch(fx.server);
        await produce(PER_ROUND);
      };
      await fx.crash(fault, during, { pause: { minMs: 600, spreadMs: 1500 }, faultTimeoutMs: 60_000 });
      await watching;
    }

    // The last run: everything is read, sealed and merged while queries keep watching.
    const server = fx.server;
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
      const body = (await server.request('GET', '/segments/merges/metadata')).json as Record<string, { numDocs: number }>;
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
    await fx.stop();
    expect(status.shardtableTable?.compaction).toBeDefined();

    const tableDir = fx.tableDir('merges');
    const files = await readdir(tableDir);
    expect(files.filter((f) => f.endsWith('.merging') || f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.includes('__merged__')).length).toBeGreaterThan(0);
    expectEachIdOnce(await sealedIdCounts(tableDir), idRange(produced));
    expect(await readdir(join(tableDir, 'quarantine')).catch(() => [])).toEqual([]);
  }, 400_000);
});
