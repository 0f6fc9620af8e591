import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbOracle } from './lib/duckdb-oracle.js';
import type { PinotField } from './lib/pinot-schema.js';
import { Harness } from './lib/harness.js';
import type { BrokerResponse } from './lib/broker-response.js';

/** A numeric field of the broker response the runners' type leaves out (Pinot's query stats). */
const stat = (r: BrokerResponse, key: string): number => Number((r as unknown as Record<string, unknown>)[key] ?? 0);

const ROWS = 3000;
const T0 = 1_700_000_000_000;
const COUNTRIES = ['NL', 'DE', 'US', 'FR'];
const DEVICES = ['ios', 'android', 'web'];

/** Raw records: 4 countries × 3 devices × 5 minutes, many records per group. */
const raw = Array.from({ length: ROWS }, (_, i) => ({
  country: COUNTRIES[i % 4]!,
  device: DEVICES[Math.floor(i / 4) % 3]!,
  ts: T0 + (Math.floor(i / 13) % 5) * 60_000,
  clicks: (i * 7) % 23,
  latency: (i * 37) % 1000,
}));

/**
 * shardtable's ingest-time rollup (rows of equal dimensions aggregated in the consuming segment as
 * they arrive, then sealed as they are) answers SUM, MIN, MAX and COUNT exactly as DuckDB over the
 * raw records — queried while every row is still in consuming segments, and again once sealed.
 */
describe('rollup against DuckDB over the raw records', () => {
  let h: Harness;
  let oracle: DuckDbOracle;

  beforeAll(async () => {
    h = await Harness.start();
    oracle = await DuckDbOracle.open();
    const fields: PinotField[] = [
      { name: 'country', dataType: 'STRING', kind: 'dimension', singleValue: true },
      { name: 'device', dataType: 'STRING', kind: 'dimension', singleValue: true },
      { name: 'ts', dataType: 'TIMESTAMP', kind: 'dateTime', singleValue: true },
      { name: 'clicks', dataType: 'LONG', kind: 'metric', singleValue: true },
      { name: 'latency', dataType: 'INT', kind: 'metric', singleValue: true },
    ];
    await oracle.createTable('raw', fields, raw);
    await h.createStream('rollup-duck', 2);
    await h.createSchemaAndTable(
      {
        schemaName: 'rolled',
        dimensionFieldSpecs: [{ name: 'country', dataType: 'STRING' }, { name: 'device', dataType: 'STRING' }],
        metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }, { name: 'minLatency', dataType: 'INT' }, { name: 'maxLatency', dataType: 'INT' }, { name: 'events', dataType: 'LONG' }],
        dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MINUTES' }],
      },
      {
        tableName: 'rolled',
        tableType: 'REALTIME',
        segmentsConfig: { timeColumnName: 'ts' },
        tableIndexConfig: { streamConfigs: h.kinesisStreamConfigs('rollup-duck', { 'realtime.segment.flush.threshold.rows': '100000', 'realtime.segment.flush.threshold.time': '6h' }) },
        ingestionConfig: {
          aggregationConfigs: [
            { columnName: 'clicks', aggregationFunction: 'SUM(clicks)' },
            { columnName: 'minLatency', aggregationFunction: 'MIN(latency)' },
            { columnName: 'maxLatency', aggregationFunction: 'MAX(latency)' },
            { columnName: 'events', aggregationFunction: 'COUNT(*)' },
          ],
        },
      },
    );
    await h.produce('rollup-duck', raw, (_r, i) => `k${i}`);
    for (const deadline = Date.now() + 90_000; ; ) {
      const r = await h.query('SELECT SUM(events) FROM rolled');
      if (Number(r.resultTable?.rows[0]?.[0] ?? 0) === ROWS) break;
      if (Date.now() > deadline) throw new Error(`not every record indexed: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 200));
    }
  }, 180_000);

  afterAll(async () => {
    oracle?.close();
    await h?.close();
  });

  /** [shardtable SQL over the rolled-up table, DuckDB SQL over the raw records]: same answer. */
  const pairs: [string, string][] = [
    ['SELECT SUM(clicks), MIN(minLatency), MAX(maxLatency), SUM(events) FROM rolled', 'SELECT SUM(clicks), MIN(latency), MAX(latency), COUNT(*) FROM raw'],
    [
      'SELECT country, device, SUM(clicks), MIN(minLatency), MAX(maxLatency), SUM(events) FROM rolled GROUP BY country, device ORDER BY country, device LIMIT 100',
      'SELECT country, device, SUM(clicks), MIN(latency), MAX(latency), COUNT(*) FROM raw GROUP BY country, device ORDER BY country, device',
    ],
    [
      `SELECT country, SUM(clicks), SUM(events), MIN(minLatency) FROM rolled WHERE country IN ('NL', 'US') AND ts >= ${T0 + 60_000} AND ts < ${T0 + 240_000} GROUP BY country ORDER BY country LIMIT 100`,
      `SELECT country, SUM(clicks), COUNT(*), MIN(latency) FROM raw WHERE country IN ('NL', 'US') AND ts >= ${T0 + 60_000} AND ts < ${T0 + 240_000} GROUP BY country ORDER BY country`,
    ],
    [
      "SELECT device, MAX(maxLatency) - MIN(minLatency), SUM(clicks) FROM rolled WHERE device <> 'web' GROUP BY device ORDER BY device LIMIT 100",
      "SELECT device, MAX(latency) - MIN(latency), SUM(clicks) FROM raw WHERE device <> 'web' GROUP BY device ORDER BY device",
    ],
  ];

  async function expectSameAnswers(): Promise<void> {
    for (const [ours, reference] of pairs) {
      const got = await h.query(ours);
      expect(got.exceptions ?? [], ours).toEqual([]);
      const want = await oracle.query(reference);
      const norm = (rows: readonly (readonly unknown[])[]): string[][] => rows.map((r) => r.map((c) => (typeof c === 'number' || typeof c === 'bigint' ? String(Number(c)) : String(c))));
      expect(norm(got.resultTable!.rows), ours).toEqual(norm(want.rows));
    }
  }

  it('while every row is in consuming segments: rolled up (one row per group) and the same answers', async () => {
    const stats = await h.query('SELECT COUNT(*) FROM rolled');
    expect(stat(stats, 'numSegmentsQueried')).toBeGreaterThan(0);
    expect(stat(stats, 'numConsumingSegmentsQueried')).toBe(stat(stats, 'numSegmentsQueried'));
    // At most 4 × 3 × 5 groups per consuming segment (one per shard), from 3000 records.
    expect(Number(stats.resultTable!.rows[0]![0])).toBeLessThanOrEqual(2 * 60);
    await expectSameAnswers();
  });

  it('after a force commit seals them: the same answers from the files', async () => {
    expect((await h.call('POST', '/tables/rolled/forceCommit')).status).toBe(200);
    for (const deadline = Date.now() + 60_000; ; ) {
      const info = JSON.parse((await h.call('GET', '/tables/rolled/consumingSegmentsInfo')).text) as { shardtablePartitions: { rowsInConsumingSegment: number }[] };
      const sealed = (JSON.parse((await h.call('GET', '/tables/rolled/segments')).text) as { REALTIME?: string[] }[])[0]?.REALTIME ?? [];
      if (info.shardtablePartitions.every((p) => p.rowsInConsumingSegment === 0) && sealed.length >= 2) break;
      if (Date.now() > deadline) throw new Error(`not sealed: ${JSON.stringify(info)}`);
      await new Promise((done) => setTimeout(done, 200));
    }
    await expectSameAnswers();
  }, 90_000);
});
