import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { DenseBuckets } from '../../../../src/query/exec/bucket-groups.js';
import { QueryEngine } from '../../../../src/query/index.js';
import { mulberry32 } from '../../../../src/util/random.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = 1_700_000_000_000;
const TL_NULL = -1_000;

const SCHEMA: PinotSchema = {
  schemaName: 'clicks',
  dimensionFieldSpecs: [
    { name: 'k', dataType: 'INT' },
    // Millis around 1970 (negative before), nulls stored as TL_NULL.
    { name: 'tl', dataType: 'LONG', defaultNullValue: TL_NULL },
    // Millis as an INT.
    { name: 'ti', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'v', dataType: 'DOUBLE' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

type Row = [number, bigint | null, number, number, bigint];

/**
 * 50,000 rows: sealed segments of 20,000 (two blocks each) sorted by the random `k`, so every
 * block interleaves the ~6 hours of `ts` and buckets cross block boundaries. Row 25,000 (second
 * segment) is ten years early: that segment spans too many hours for the dense path.
 */
function rows(): Row[] {
  const rand = mulberry32(7);
  return Array.from({ length: 50_000 }, (_, i): Row => {
    const ts = i === 25_000 ? T0 - 3650 * DAY : T0 + Math.floor(rand() * 6 * HOUR);
    const tl = i % 97 === 0 ? null : BigInt(Math.floor((rand() - 0.5) * 40 * HOUR));
    return [Math.floor(rand() * 5_000), tl, Math.floor(rand() * 2_000_000_000), [Number.NaN, -0, 0.25, 1e17, -3.5, 7][i % 6]! * (1 + rand()), BigInt(ts)];
  });
}

/** The bucket DATETRUNC gives in a zone `offset` ms east of UTC (fixed), by exact arithmetic. */
const bucket = (t: number, width: number, offset: number): number => Math.floor((t + offset) / width) * width - offset;

describe('GROUP BY DATETRUNC: the dense small-range key path', () => {
  let table: FixtureTable;
  let engine: QueryEngine;
  const data = rows();
  beforeAll(async () => {
    table = await buildTableSegments(SCHEMA, data, {
      segmentRows: 20_000,
      indexing: { noDictionaryColumns: ['ts', 'tl', 'ti', 'v'], sortedColumn: 'k', nullHandlingEnabled: true },
    });
    engine = new QueryEngine({ resolve: () => table.queryTable }, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    await table.cleanup();
  });

  /** count, sum(v), min(v), max(v) per bucket of `column`, computed row by row in row order per segment. */
  function expected(col: 1 | 2 | 4, width: number, offset: number, where: (r: Row) => boolean = () => true): unknown[][] {
    const groups = new Map<number, { c: number; s: number; lo: number; hi: number }>();
    for (const r of data) {
      if (!where(r)) continue;
      const t = r[col] === null ? TL_NULL : Number(r[col]);
      const b = bucket(t, width, offset);
      const g = groups.get(b) ?? { c: 0, s: 0, lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY };
      g.c++;
      g.s += r[3];
      if (r[3] < g.lo) g.lo = r[3];
      if (r[3] > g.hi) g.hi = r[3];
      groups.set(b, g);
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([b, g]) => [col === 2 ? b : BigInt(b), BigInt(g.c), g.s, g.lo, g.hi]);
  }

  async function query(sql: string): Promise<unknown[][]> {
    const r = await engine.query(sql);
    expect(r.exceptions).toEqual([]);
    return r.rows as unknown[][];
  }

  /** Sums: the engine adds in segment row order (sorted by k); compare to a tolerance, counts and extremes exactly. */
  function same(actual: unknown[][], want: unknown[][]): void {
    expect(actual.length).toBe(want.length);
    actual.forEach((row, i) => {
      const w = want[i]!;
      expect([row[0], row[1], row[3], row[4]]).toEqual([w[0], w[1], w[3], w[4]]);
      const s = row[2] as number;
      const ws = w[2] as number;
      if (Number.isNaN(ws)) expect(s).toBeNaN();
      else expect(Math.abs(s - ws)).toBeLessThanOrEqual(Math.abs(ws) * 1e-12);
    });
  }

  it('answers as row-by-row bucketing, through block boundaries, and takes the dense path on sealed blocks', async () => {
    const spy = vi.spyOn(DenseBuckets.prototype, 'group');
    try {
      for (const [unit, width] of [['HOUR', HOUR], ['MINUTE', 60_000], ['DAY', DAY]] as const) {
        const sql = `SELECT DATETRUNC('${unit}', ts) AS b, count(*), sum(v), min(v), max(v) FROM clicks GROUP BY DATETRUNC('${unit}', ts) ORDER BY b LIMIT 100000`;
        same(await query(sql), expected(4, width, 0));
      }
      const dense = spy.mock.results.filter((r) => r.value !== null).length;
      // Segment 0's two blocks for each unit. Segment 1 spans ten years: too many hours or
      // minutes for the dense path; for DAY its block without the early row is read densely, the
      // other spans more than 2^31 ms from its first bucket and is read row by row.
      expect(dense).toBe(2 * 3 + 1);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps filters, nulls (their default value), pre-1970 millis, INT millis and fixed-offset zones', async () => {
    same(
      await query(`SELECT DATETRUNC('HOUR', ts) AS b, count(*), sum(v), min(v), max(v) FROM clicks WHERE k < 2500 GROUP BY DATETRUNC('HOUR', ts) ORDER BY b LIMIT 1000`),
      expected(4, HOUR, 0, (r) => r[0] < 2500),
    );
    same(await query(`SELECT DATETRUNC('HOUR', tl) AS b, count(*), sum(v), min(v), max(v) FROM clicks GROUP BY DATETRUNC('HOUR', tl) ORDER BY b LIMIT 1000`), expected(1, HOUR, 0));
    const zoned = await query(
      `SELECT DATETRUNC('DAY', tl, 'MILLISECONDS', '+05:30') AS b, count(*), sum(v), min(v), max(v) FROM clicks GROUP BY DATETRUNC('DAY', tl, 'MILLISECONDS', '+05:30') ORDER BY b LIMIT 1000`,
    );
    same(zoned, expected(1, DAY, 5.5 * HOUR));
    expect(zoned.some((r) => (r[0] as bigint) < 0n)).toBe(true);
    const ints = await query(`SELECT DATETRUNC('DAY', ti) AS b, count(*), sum(v), min(v), max(v) FROM clicks GROUP BY DATETRUNC('DAY', ti) ORDER BY b LIMIT 1000`);
    same(
      ints.map((r) => [Number(r[0]), ...r.slice(1)]),
      expected(2, DAY, 0),
    );
  });

  it('keeps numGroupsLimit per segment as the row-by-row path does', async () => {
    const limited = async (key: string): Promise<unknown[][]> => {
      const r = await engine.query(`SELECT DATETRUNC('HOUR', ${key}) AS b, count(*), sum(v) FROM clicks GROUP BY DATETRUNC('HOUR', ${key}) ORDER BY b LIMIT 100`, 'numGroupsLimit=3');
      expect(r.exceptions).toEqual([]);
      expect(r.numGroupsLimitReached).toBe(true);
      return r.rows as unknown[][];
    };
    // `ts + 0` is not a column: its buckets are computed per row and looked up per row.
    const dense = await limited('ts');
    expect(dense).toEqual(await limited('ts + 0'));
    expect(dense.length).toBeGreaterThanOrEqual(3);
  });
});
