import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NumberSet } from '../../../../src/query/exec/number-set.js';
import { FastDistinctValues } from '../../../../src/query/exec/distinct-values.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';
import { mulberry32 } from '../../../../src/util/random.js';

describe('NumberSet (typed DISTINCTCOUNT set)', () => {
  it('holds what a JS Set holds (SameValueZero), through many resizes', () => {
    const set = new NumberSet();
    const ref = new Set<number>();
    const r = mulberry32(11);
    const special = [0, -0, Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53), 1e-310, 0.1];
    const values = [...special];
    for (let i = 0; i < 60_000; i++) {
      const x = Math.floor(r() * 40_000);
      // Integers, multiples of 1,000 (clustered low bits), fractions.
      values.push(i % 3 === 0 ? x : i % 3 === 1 ? 1.79e12 + x * 1000 : x / 7);
    }
    let disagree = 0;
    for (const v of values) {
      if (set.has(v) !== ref.has(v)) disagree++;
      set.add(v);
      ref.add(v);
    }
    expect(disagree).toBe(0);
    expect(set.size).toBe(ref.size);
    expect(new Set(set.keys())).toEqual(ref);
    // 8-byte slots at most 3/4 full: under 22 bytes per value.
    expect(set.byteSize() / set.size).toBeLessThan(22);
  });

  it('counts sorted runs (one per segment dictionary) and hashed values exactly', () => {
    const distinct = new FastDistinctValues();
    const ref = new Set<number>();
    const r = mulberry32(5);
    for (let segment = 0; segment < 12; segment++) {
      const run = Float64Array.from(new Set(Array.from({ length: 5_000 }, () => Math.floor(r() * 30_000)))).sort();
      distinct.addSorted('long', run, run.length);
      for (const x of run) ref.add(x);
      const y = Math.floor(r() * 40_000);
      distinct.addSafeLong(y);
      ref.add(y);
    }
    expect(distinct.size).toBe(ref.size);
    expect(new Set([...distinct.values()].map(Number))).toEqual(ref);
  });
});

describe('DISTINCTCOUNT through the engine equals a Set of the values', () => {
  const rows: (bigint | number | string)[][] = [];
  let fx: QueryFixture;
  beforeAll(async () => {
    const r = mulberry32(3);
    for (let i = 0; i < 24_000; i++) {
      const u = Math.floor(r() * 9_000);
      rows.push([BigInt(u) * 1_000n, `s${u % 4_001}`, Math.floor(r() * 7_000) / 4, i % 5]);
    }
    fx = await buildFixture(
      {
        schemaName: 'dc',
        dimensionFieldSpecs: [
          { name: 'u', dataType: 'LONG' },
          { name: 's', dataType: 'STRING' },
          { name: 'g', dataType: 'INT' },
        ],
        metricFieldSpecs: [{ name: 'd', dataType: 'DOUBLE' }],
      },
      rows.map(([u, s, d, g]) => [u!, s!, g!, d!]),
      { segmentRows: 5_000, indexing: { noDictionaryColumns: ['d'] } },
    );
  }, 60_000);
  afterAll(async () => fx?.cleanup());

  it('over a LONG dictionary column, a STRING column and a raw DOUBLE column, in several segments, with and without GROUP BY', async () => {
    const count = (j: number, where: (row: (bigint | number | string)[], i: number) => boolean = () => true): number => new Set(rows.filter(where).map((row) => row[j])).size;
    // The last segment is consuming (its LONG and INT columns without a dictionary).
    expect(fx.consuming.length).toBe(1);
    const res = await fx.query('SELECT DISTINCTCOUNT(u), DISTINCTCOUNT(s), DISTINCTCOUNT(d), DISTINCTCOUNT(g) FROM dc');
    expect(res.exceptions).toEqual([]);
    expect(res.resultTable!.rows).toEqual([[count(0), count(1), count(2), 5]]);
    const consumingOnly = await fx.query(`SELECT DISTINCTCOUNT(u), DISTINCTCOUNT(g) FROM dc WHERE $segmentName = '${fx.consuming[0]!.name}'`);
    expect(consumingOnly.exceptions).toEqual([]);
    expect(consumingOnly.resultTable!.rows).toEqual([[count(0, (_, i) => i >= 20_000), 5]]);
    const grouped = await fx.query('SELECT g, DISTINCTCOUNT(u), DISTINCTCOUNT(d) FROM dc GROUP BY g ORDER BY g LIMIT 10');
    expect(grouped.resultTable!.rows).toEqual([0, 1, 2, 3, 4].map((g) => [g, count(0, (row) => row[3] === g), count(2, (row) => row[3] === g)]));
  });
});
