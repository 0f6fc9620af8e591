import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { DEFAULT_NUM_GROUPS_LIMIT } from '../../../../src/query/index.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';
import { pinotLimitedTop } from './pinot-group-cut.js';

/**
 * `numGroupsLimit` applies per segment, as in Pinot: a table with many more groups than the
 * limit still answers exactly while no segment holds more than the limit, and the response says
 * when a segment did drop groups.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'g',
  dimensionFieldSpecs: [
    { name: 'k', dataType: 'LONG' },
    { name: 'kr', dataType: 'LONG' },
    { name: 's', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'v', dataType: 'INT' }],
};

const SEGMENTS = 5;
const PER_SEGMENT = 400;
/** Distinct keys per segment (each segment a different slice of 0..KEYS). */
const KEYS_PER_SEGMENT = 60;

/** Row r of segment s: key from the segment's own slice, weights skewed so the top 10 is clear. */
function rows(): (CellValue | null)[][] {
  const out: (CellValue | null)[][] = [];
  for (let s = 0; s < SEGMENTS; s++) {
    for (let r = 0; r < PER_SEGMENT; r++) {
      // Key j of the segment appears about (KEYS_PER_SEGMENT - j) times; heavy keys come first.
      const j = Math.floor(Math.sqrt(((r * 7919) % PER_SEGMENT) / PER_SEGMENT) * KEYS_PER_SEGMENT);
      const key = s * 37 + j; // slices overlap: 60 keys per segment, 208 in all
      out.push([BigInt(key), BigInt(key), `s${key}`, (r % 13) + 1]);
    }
  }
  return out;
}

/** The true answer: full aggregation in a Map, sorted by count desc, then key. */
function truth(data: (CellValue | null)[][], limit: number, byText = false): [number, number, number][] {
  const m = new Map<number, [number, number]>();
  for (const row of data) {
    const k = Number(row[0] as bigint);
    const e = m.get(k) ?? [0, 0];
    e[0]++;
    e[1] += row[3] as number;
    m.set(k, e);
  }
  return [...m.entries()]
    .map(([k, [n, sum]]): [number, number, number] => [k, n, sum])
    .sort((a, b) => b[1] - a[1] || (byText ? (`s${a[0]}` < `s${b[0]}` ? -1 : 1) : a[0] - b[0]))
    .slice(0, limit);
}

describe('numGroupsLimit per segment', () => {
  let f: QueryFixture;
  const data = rows();
  beforeAll(async () => {
    f = await buildFixture(SCHEMA, data, { segmentRows: PER_SEGMENT, indexing: { noDictionaryColumns: ['kr'] } });
  });
  afterAll(() => f.cleanup());

  const distinct = new Set(data.map((r) => r[0])).size;

  it('has more groups in the table than the limit used below', () => {
    expect(distinct).toBeGreaterThan(3 * KEYS_PER_SEGMENT);
  });

  for (const [key, label] of [['k', 'dictionary LONG'], ['kr', 'raw LONG'], ['s', 'STRING']] as const) {
    it(`answers the true top 10 over ${distinct} groups with numGroupsLimit ${KEYS_PER_SEGMENT} (${label} key)`, async () => {
      const r = await f.query(`SELECT ${key}, count(*) AS n, sum(v) FROM g GROUP BY ${key} ORDER BY n DESC, ${key} LIMIT 10`, `numGroupsLimit=${KEYS_PER_SEGMENT}`);
      expect(r.exceptions).toEqual([]);
      expect(r.numGroupsLimitReached).toBe(false);
      expect(r.partialResult).toBe(false);
      const want = truth(data, 10, key === 's');
      const got = r.resultTable!.rows.map((row) => [key === 's' ? Number((row[0] as string).slice(1)) : Number(row[0]), row[1], row[2]]);
      expect(got).toEqual(want.map(([k, n, sum]) => [k, n, sum]));
    });
  }

  it('answers every group exactly with two keys (composite) when each segment fits', async () => {
    const r = await f.query('SELECT k, s, count(*) FROM g GROUP BY k, s ORDER BY k LIMIT 1000', `numGroupsLimit=${KEYS_PER_SEGMENT}`);
    expect(r.numGroupsLimitReached).toBe(false);
    expect(r.resultTable!.rows).toHaveLength(distinct);
  });

  it('says so when a segment holds more groups than the limit, and keeps the groups it saw first', async () => {
    const limit = KEYS_PER_SEGMENT - 10;
    const r = await f.query('SELECT k, count(*) AS n FROM g GROUP BY k ORDER BY n DESC, k LIMIT 10', `numGroupsLimit=${limit}`);
    expect(r.numGroupsLimitReached).toBe(true);
    expect(r.partialResult).toBe(true);
    // Pinot's answer: each segment aggregates the first `limit` keys it meets, in doc order.
    const want = pinotLimitedTop(Array.from({ length: SEGMENTS }, (_, s) => data.slice(s * PER_SEGMENT, (s + 1) * PER_SEGMENT)), limit, 10);
    expect(r.resultTable!.rows.map((row) => [Number(row[0]), row[1]])).toEqual(want);
    // The heavy keys come first in each segment, so this top 10 is also the true one.
    expect(want).toEqual(truth(data, 10).map(([k, n]) => [k, n]));
  });

  it('answers GROUP BY without ORDER BY with whole groups, making no more groups than LIMIT', async () => {
    const r = await f.query('SELECT kr, count(*) FROM g GROUP BY kr LIMIT 5', `numGroupsLimit=${KEYS_PER_SEGMENT}`);
    expect(r.numGroupsLimitReached).toBe(false);
    const rows = r.resultTable!.rows;
    expect(rows).toHaveLength(5);
    const counts = new Map<number, number>();
    for (const row of data) counts.set(Number(row[1] as bigint), (counts.get(Number(row[1] as bigint)) ?? 0) + 1);
    // The first five keys met, each with every one of its rows counted.
    const firstFive = [...new Set(data.map((row) => Number(row[1] as bigint)))].slice(0, 5);
    expect(rows).toEqual(firstFive.map((k) => [k, counts.get(k)]));
  });

  it('filters on an expression of one dictionary column the same on repeated and similar queries (per-id results kept across queries)', async () => {
    const want = (m: number): number => data.filter((row) => Number(row[0] as bigint) % 7 === m).length;
    for (const m of [1, 2, 1, 2, 3]) {
      const r = await f.query(`SELECT count(*) FROM g WHERE k % 7 = ${m}`);
      expect(r.resultTable!.rows).toEqual([[want(m)]]);
    }
    const r = await f.query("SELECT count(*) FROM g WHERE k % 7 = '1'");
    expect(r.resultTable!.rows).toEqual([[want(1)]]);
  });

  it('defaults to a limit that keeps more than 100,000 groups of one segment exact', async () => {
    expect(DEFAULT_NUM_GROUPS_LIMIT).toBeGreaterThanOrEqual(1_000_000);
    const n = 120_000;
    const big = await buildFixture(SCHEMA, Array.from({ length: n }, (_, i) => [BigInt(i), BigInt(i), 'x', i % 3 === 0 ? 2 : 1]), { segmentRows: n, consumingSegments: 1 });
    try {
      const r = await big.query('SELECT kr, sum(v) AS t FROM g GROUP BY kr ORDER BY t DESC, kr LIMIT 3');
      expect(r.numGroupsLimitReached).toBe(false);
      expect(r.resultTable!.rows).toEqual([[0, 2], [3, 2], [6, 2]]);
    } finally {
      await big.cleanup();
    }
  });
});
