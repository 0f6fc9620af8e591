import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { GroupKeyTable } from '../../../../src/query/exec/group-keys.js';
import { valueKey } from '../../../../src/query/functions/values.js';
import { mulberry32 } from '../../../../src/util/random.js';

/** The reference: a JS Map of `valueKey` text (what the table's equality must match) to dense ids. */
class ReferenceGroups {
  readonly ids = new Map<string, number>();
  readonly firstSeen: unknown[][] = [];

  idOf(values: readonly unknown[]): number {
    const text = values.map(valueKey).join('\u0001');
    let g = this.ids.get(text);
    if (g === undefined) {
      g = this.firstSeen.length;
      this.ids.set(text, g);
      this.firstSeen.push([...values]);
    }
    return g;
  }
}

const NO_LIMIT = 10_000_000;

/** Keys of each type, many more distinct ones than the table's initial capacity (1,024 groups, 2,048 slots). */
function keyOf(type: string, r: () => number): unknown {
  const x = Math.floor(r() * 12_000);
  switch (type) {
    case 'LONG':
      // Safe integers, and some beyond 2^53 (pooled, compared as bigints).
      return x % 97 === 0 ? 2n ** 60n + BigInt(x) : BigInt(x) - 30_000n;
    case 'DOUBLE':
      if (x % 1009 === 0) return Number.NaN;
      if (x % 1013 === 0) return -0;
      return x / 8;
    case 'STRING':
      return `user-${x}`;
    default:
      // A nullable key: null (one group), bytes by value.
      return x % 500 === 0 ? null : x % 3 === 0 ? Uint8Array.from([x & 255, x >> 8]) : x;
  }
}

function checkAgainstReference(types: readonly string[], rows: number): GroupKeyTable {
  const table = new GroupKeyTable(types.length, NO_LIMIT);
  const ref = new ReferenceGroups();
  const r = mulberry32(types.length * 7919 + rows);
  table.beginSegment();
  const wrong: string[] = [];
  for (let i = 0; i < rows; i++) {
    const values = types.map((t) => keyOf(t, r));
    const g = types.length === 1 ? table.idOf(values[0]) : table.idOfComposite(values);
    if (g !== ref.idOf(values)) wrong.push(`row ${i}: ${valueKey(values)} got ${g}`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
  expect(table.size).toBe(ref.firstSeen.length);
  expect(table.size).toBeGreaterThan(5_000);
  for (let g = 0; g < table.size; g++) if (valueKey(table.keysOf(g)) !== valueKey(ref.firstSeen[g])) wrong.push(`group ${g}`);
  expect(wrong.slice(0, 5)).toEqual([]);
  return table;
}

describe('GroupKeyTable (typed columns, open addressing)', () => {
  for (const types of [['LONG'], ['DOUBLE'], ['STRING'], ['NULLABLE'], ['LONG', 'STRING', 'DOUBLE'], ['LONG', 'LONG']]) {
    it(`groups ${types.join(' + ')} keys as a Map of valueKey does, through many resizes`, () => {
      checkAgainstReference(types, 20_000);
    });
  }

  it('files numbers, safe bigints and their numeric codes in the same groups (idOfNumeric = idOf)', () => {
    const table = new GroupKeyTable(1, NO_LIMIT);
    table.beginSegment();
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < 3_000; i++) got.push(table.idOfNumeric('long', i * 3), table.idOfNumeric('num', i * 3));
    for (let i = 0; i < 3_000; i++) got.push(table.idOf(BigInt(i * 3)), table.idOf(i * 3));
    for (let k = 0; k < 2; k++) for (let i = 0; i < 3_000; i++) want.push(2 * i, 2 * i + 1);
    expect(got).toEqual(want);
    expect(table.keyValue(0, 0)).toBe(0n);
    expect(table.keyValue(0, 1)).toBe(0);
  });

  it('exports its groups as typed columns that survive v8 serialisation and merge in order', () => {
    const source = checkAgainstReference(['LONG', 'STRING', 'DOUBLE'], 10_000);
    const keys = deserialize(serialize(source.exportGroups())) as ReturnType<GroupKeyTable['exportGroups']>;
    const merged = new GroupKeyTable(3, NO_LIMIT);
    merged.beginSegment();
    // Some groups exist already, in another order.
    for (const g of [17, 3, 900]) merged.idOfComposite(source.keysOf(g));
    merged.beginMerge();
    const gids = merged.importGroups(keys, source.size);
    expect(merged.size).toBe(source.size);
    let same = 0;
    for (let g = 0; g < source.size; g++) if (valueKey(merged.keysOf(gids[g]!)) === valueKey(source.keysOf(g))) same++;
    expect(same).toBe(source.size);
    expect([gids[17], gids[3], gids[900]]).toEqual([0, 1, 2]);
  });

  it('keeps the per-segment limit: a segment touches at most `limit` groups', () => {
    const table = new GroupKeyTable(1, 3);
    table.beginSegment();
    expect([1, 2, 3, 4, 1].map((k) => table.idOf(k))).toEqual([0, 1, 2, -1, 0]);
    expect(table.limitReached).toBe(true);
    table.beginSegment();
    expect([4, 5, 1, 2].map((k) => table.idOf(k))).toEqual([3, 4, 0, -1]);
  });

  it('costs a bounded number of bytes per group, counted from its typed arrays', () => {
    for (const [keys, bound] of [
      [1, 40],
      [2, 50],
    ] as const) {
      const table = new GroupKeyTable(keys, NO_LIMIT);
      table.beginSegment();
      const values = new Array<unknown>(keys);
      const groups = 300_000;
      for (let i = 0; i < groups; i++) {
        for (let j = 0; j < keys; j++) values[j] = i * (j + 1);
        if (keys === 1) table.idOfNumeric('long', i);
        else table.idOfComposite(values);
      }
      expect(table.size).toBe(groups);
      // Codes 8 + kind 1 per key, the group's segment mark 4, hash slots (8 bytes, at most 3/4
      // full, doubling) and the columns' growth by half: under 40 bytes for one key.
      expect(table.byteSize() / groups).toBeLessThan(bound);
    }
  });
});
