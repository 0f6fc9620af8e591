import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { QueryEngine } from '../../../../src/query/index.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';

const SCHEMA: PinotSchema = {
  schemaName: 'ticks',
  dimensionFieldSpecs: [{ name: 'k', dataType: 'INT' }],
  metricFieldSpecs: [{ name: 'v', dataType: 'INT' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};
const T0 = 1_700_000_000_000;
const ROWS = 60_000;
const DAY = 86_400_000;
/** One row a second: a 16,384-row block spans 4.5 hours, so most blocks lie inside one day. */
const rowOf = (i: number): [number, number, bigint] => [i % 5, (i * 7919) % 1000, BigInt(T0 + i * 1000)];

describe('GROUP BY DATETRUNC over a raw, time-ordered column (blocks inside one bucket, or a few)', () => {
  let table: FixtureTable;
  let engine: QueryEngine;
  beforeAll(async () => {
    table = await buildTableSegments(SCHEMA, Array.from({ length: ROWS }, (_, i) => rowOf(i)), { segmentRows: 50_000, indexing: { noDictionaryColumns: ['ts', 'v'] } });
    engine = new QueryEngine({ resolve: () => table.queryTable }, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    await table.cleanup();
  });

  it('equals the groups computed row by row, with and without a filter', async () => {
    expect(table.sealed.length).toBe(1);
    for (const [unit, width] of [['DAY', DAY], ['HOUR', 3_600_000]] as const) for (const where of ['', 'WHERE k <> 3']) {
      const r = await engine.query(`SELECT DATETRUNC('${unit}', ts) AS d, count(*), sum(v), min(v), max(v) FROM ticks ${where} GROUP BY DATETRUNC('${unit}', ts) ORDER BY d LIMIT 100`);
      expect(r.exceptions).toEqual([]);
      const want = new Map<number, [number, number, number, number]>();
      for (let i = 0; i < ROWS; i++) {
        const [k, v, ts] = rowOf(i);
        if (where !== '' && k === 3) continue;
        const d = Math.floor(Number(ts) / width) * width;
        const g = want.get(d) ?? [0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
        want.set(d, [g[0] + 1, g[1] + v, Math.min(g[2], v), Math.max(g[3], v)]);
      }
      const expected = [...want.entries()].sort((a, b) => a[0] - b[0]).map(([d, [c, s, lo, hi]]) => [BigInt(d), BigInt(c), s, lo, hi]);
      expect(r.rows, `${unit} ${where}`).toEqual(expected);
    }
  });
});
