import { describe, expect, it } from 'vitest';
import { NumberTable } from '../../../../src/query/exec/number-table.js';

describe('NumberTable', () => {
  it('maps numbers like a JS Map (SameValueZero), through growth', () => {
    const table = new NumberTable();
    const map = new Map<number, number>();
    const special = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53) + 1, 2 ** 31, -(2 ** 31), 0.1, 0.2, 1e-310, -1e-310];
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const keys = [...special];
    for (let i = 0; i < 20_000; i++) {
      const r = next();
      keys.push(r % 3 === 0 ? r : r % 3 === 1 ? (r % 1000) * 3_600_000 + 1.79e12 : r / 7);
    }
    for (const k of keys) {
      const want = map.get(k) ?? -1;
      expect(table.get(k)).toBe(want);
      if (want < 0) {
        table.insert(k, map.size);
        map.set(k, map.size);
      }
    }
    expect(table.size).toBe(map.size);
    for (const [k, v] of map) expect(table.get(k)).toBe(v);
    expect(table.get(-0)).toBe(map.get(0));
    expect(table.get(12345.678)).toBe(-1);
    expect(new Set(table)).toEqual(new Set(map.keys()));
    expect(new Set(table.keys())).toEqual(new Set(map.keys()));
  });

  it('works as a set', () => {
    const set = new NumberTable();
    for (const k of [1, 1, 2, Number.NaN, Number.NaN, -0, 0]) set.add(k);
    expect(set.size).toBe(4);
  });
});
