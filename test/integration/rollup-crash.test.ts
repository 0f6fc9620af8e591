import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment } from '../../src/segment/index.js';
import { crashFixture, sleep } from '../helpers/crash-fixture.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';

const TOTAL = 3000;
const STREAM = 'rollup-crash';
const BUCKETS = 40;
const T0 = 1_700_000_000_000;

const schema = {
  schemaName: 'rolled',
  dimensionFieldSpecs: [{ name: 'bucket', dataType: 'INT' }],
  metricFieldSpecs: [
    { name: 'events', dataType: 'LONG' },
    { name: 'idSum', dataType: 'LONG' },
    { name: 'idMax', dataType: 'LONG' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MINUTES' }],
};

function tableConfig(endpoint: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream: STREAM,
    tableName: 'rolled',
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder',
      'stream.kinesis.fetch.timeout.millis': '1000',
      'stream.kinesis.shard.discovery.interval.ms': '1000',
      // Small fetches, 5 a second per shard: a batch of 500 takes about half a second to read.
      requests_per_second_limit: '5',
      maxRecordsToFetch: '97',
      'realtime.segment.flush.threshold.rows': '100000',
      'realtime.segment.flush.threshold.time': '1500ms',
    },
    extra: {
      ingestionConfig: {
        aggregationConfigs: [
          { columnName: 'events', aggregationFunction: 'COUNT(*)' },
          { columnName: 'idSum', aggregationFunction: 'SUM(id)' },
          { columnName: 'idMax', aggregationFunction: 'MAX(id)' },
        ],
      },
    },
  });
}

/**
 * Rollup in the consuming segment keeps exactly-once: rows are added into their group's doc as
 * they arrive, the segment's end offset still moves with every record, and a kill -9 loses only
 * the consuming segment, whose records are read again. Proven by sums: per (bucket, minute), the
 * sealed files' COUNT and SUM(id) equal those of the produced records — a record lost or read
 * twice changes both.
 */
describe('rollup in the consuming segment across SIGKILL', () => {
  const fx = crashFixture({ streams: { [STREAM]: 2 }, dataDirPrefix: 'shardtable-rollup-crash-' });

  it('sealed groups add up to the produced records exactly, after kills at random and inside seals', async () => {
    let produced = 0;
    const produceSome = async (count: number): Promise<void> => {
      const rows = Array.from({ length: Math.min(count, TOTAL - produced) }, (_, i) => {
        const id = produced + i;
        return { id, bucket: id % BUCKETS, ts: T0 + (id % 3) * 60_000 };
      });
      if (rows.length === 0) return;
      await putJsonRecords(fx.client, STREAM, rows, (row) => String(row.id));
      produced += rows.length;
    };

    await fx.start();
    await fx.createTables([schema], [tableConfig(fx.endpoint)]);

    // A query over the consuming segments sees rolled-up rows: at most one per (bucket, minute).
    await produceSome(600);
    let consuming: { rows: number; events: number } = { rows: 0, events: 0 };
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && consuming.events < 600;) {
      const answer = (await fx.server.request('POST', '/query/sql', { sql: 'SELECT COUNT(*), SUM(events) FROM rolled' })).json as { resultTable?: { rows: number[][] } };
      const row = answer.resultTable?.rows[0] ?? [0, 0];
      consuming = { rows: Number(row[0]), events: Number(row[1]) };
      await sleep(200);
    }
    expect(consuming.events).toBe(600);
    // Each consuming or sealed segment holds at most BUCKETS × 3 groups; 600 records never need 600 rows.
    expect(consuming.rows).toBeLessThan(600);

    // Kills at a random moment, just before a seal's rename, just after it.
    for (const fault of [null, 'seal:before-rename:2', 'seal:after-publish:2']) {
      await fx.crash(fault, () => produceSome(fault === null ? 500 : 600), { pause: { minMs: 300, spreadMs: 700 }, faultTimeoutMs: 30_000 });
    }
    await produceSome(TOTAL);
    expect(produced).toBe(TOTAL);

    // The last run seals everything by the 1.5 s time threshold; then the files are read directly.
    const tableDir = fx.tableDir('rolled');
    let groups = new Map<string, { events: bigint; idSum: bigint; idMax: bigint }>();
    let files: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      files = (await readdir(tableDir)).filter((f) => f.endsWith('.seg'));
      groups = new Map();
      let events = 0n;
      for (const file of files) {
        const segment = await openSegment(join(tableDir, file)).catch(() => null);
        if (segment === null) continue;
        const seen = new Set<string>();
        for (let doc = 0; doc < segment.numDocs; doc++) {
          const key = `${String(segment.getValue('bucket', doc))}|${String(segment.getValue('ts', doc))}`;
          // Rolled up in the consuming segment: one doc per group in each file.
          expect(seen.has(key), `${file} holds group ${key} twice`).toBe(false);
          seen.add(key);
          const g = groups.get(key) ?? { events: 0n, idSum: 0n, idMax: -1n };
          const idMax = segment.getValue('idMax', doc) as bigint;
          groups.set(key, { events: g.events + (segment.getValue('events', doc) as bigint), idSum: g.idSum + (segment.getValue('idSum', doc) as bigint), idMax: idMax > g.idMax ? idMax : g.idMax });
          events += segment.getValue('events', doc) as bigint;
        }
        segment.close();
      }
      if (events >= BigInt(TOTAL)) break;
      await sleep(300);
    }
    await fx.stop();

    const expected = new Map<string, { events: bigint; idSum: bigint; idMax: bigint }>();
    for (let id = 0; id < TOTAL; id++) {
      const key = `${id % BUCKETS}|${T0 + (id % 3) * 60_000}`;
      const g = expected.get(key) ?? { events: 0n, idSum: 0n, idMax: -1n };
      expected.set(key, { events: g.events + 1n, idSum: g.idSum + BigInt(id), idMax: BigInt(id) > g.idMax ? BigInt(id) : g.idMax });
    }
    expect(new Map([...groups].sort())).toEqual(new Map([...expected].sort()));
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  }, 240_000);
});

