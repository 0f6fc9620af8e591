import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsNotWorse } from '../../../../src/query/exec/top-cut.js';
import type { NumericKeys } from '../../../../src/query/exec/top-cut.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

const kept = (keys: NumericKeys, sel: number[], cut: number, desc: boolean): number[] => {
  const out = new Int32Array(sel.length);
  return Array.from(out.subarray(0, rowsNotWorse(keys, Int32Array.from(sel), sel.length, cut, desc, out)));
};

describe('rowsNotWorse (the numeric first key against a top-k cut-off)', () => {
  const values = Float64Array.from([5, 1, 3, NaN, 3, -0, 9]);
  it('keeps the selected rows not strictly worse than the cut-off: ties and NaN stay', () => {
    const raw: NumericKeys = { values, ids: null, nums: null };
    expect(kept(raw, [0, 1, 2, 3, 4, 5, 6], 3, true)).toEqual([0, 2, 3, 4, 6]);
    expect(kept(raw, [0, 1, 2, 3, 4, 5, 6], 3, false)).toEqual([1, 2, 3, 4, 5]);
    expect(kept(raw, [6, 4, 1], 0, false)).toEqual([]);
    expect(kept(raw, [5], 0, false)).toEqual([5]);
  });

  it('reads INT arrays and dictionary ids alike', () => {
    expect(kept({ values: Int32Array.from([7, -2, 7, 4]), ids: null, nums: null }, [3, 2, 1, 0], 7, true)).toEqual([2, 0]);
    expect(kept({ values: Uint16Array.from([7, 2, 7, 4]), ids: null, nums: null }, [0, 1, 3], 4, false)).toEqual([1, 3]);
    const dict: NumericKeys = { values: null, ids: Uint8Array.from([2, 0, 1, 2]), nums: Float64Array.from([1.5, 2.5, 3.5]) };
    expect(kept(dict, [0, 1, 2, 3], 2.5, true)).toEqual([0, 2, 3]);
    expect(kept(dict, [0, 1, 2, 3], 2.5, false)).toEqual([1, 2]);
  });
});

// Keys of every kind the cut reads (raw DOUBLE, dictionary INT, raw FLOAT, raw INT), over two
// sealed segments of two blocks and a consuming one, against a brute-force sort.
const N = 30_000;
const price = (i: number): number => ((i * 7919) % 1000) / 4;
const rank = (i: number): number => (i * 104_729) % 503;
const ratio = (i: number): number => Math.fround(((i * 31) % 257) / 8);
const qty = (i: number): number => ((i * 613) % 4001) - 2000;

describe('ORDER BY … LIMIT over typed keys with the block cut-off', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await buildFixture(
      {
        schemaName: 'items',
        dimensionFieldSpecs: [{ name: 'id', dataType: 'INT' }, { name: 'rank', dataType: 'INT' }],
        metricFieldSpecs: [{ name: 'price', dataType: 'DOUBLE' }, { name: 'ratio', dataType: 'FLOAT' }, { name: 'qty', dataType: 'INT' }],
      },
      Array.from({ length: N }, (_, i) => [i, rank(i), price(i), ratio(i), qty(i)]),
      { segmentRows: 10_000, indexing: { noDictionaryColumns: ['price', 'ratio', 'qty', 'id'] } },
    );
  });
  afterAll(() => f.cleanup());

  const brute = (key: (i: number) => number, desc: boolean, limit: number, idDesc: boolean): number[][] =>
    Array.from({ length: N }, (_, i) => i)
      .sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)) || (idDesc ? b - a : a - b))
      .slice(0, limit)
      .map((i) => [i, key(i)]);

  it.each([
    ['price', price],
    ['rank', rank],
    ['ratio', ratio],
    ['qty', qty],
  ] as const)('%s: the best rows both ways, ties broken by id either way (a later tie at the cut-off can win)', async (column, key) => {
    for (const desc of [true, false]) {
      for (const idDesc of [false, true]) {
        const r = await f.query(`SELECT id, ${column} FROM items ORDER BY ${column} ${desc ? 'DESC' : 'ASC'}, id ${idDesc ? 'DESC' : ''} LIMIT 25`);
        expect(r.exceptions).toEqual([]);
        expect(r.resultTable!.rows).toEqual(brute(key, desc, 25, idDesc));
      }
    }
  });
});
