import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { KeyEncoder } from '../../../src/upsert/key-encoder.js';
import { KeyIndex } from '../../../src/upsert/key-index.js';
import { mulberry32 } from '../../helpers/random.js';

const schema = buildTableSchema({
  schemaName: 'keys',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'name', dataType: 'STRING' },
    { name: 'd', dataType: 'DOUBLE' },
  ],
  primaryKeyColumns: ['id'],
});


describe('KeyIndex', () => {
  it('finds, inserts and removes keys like a Map, across growth, removal runs and id reuse', () => {
    const next = mulberry32(1);
    const index = new KeyIndex(512);
    const ids = new KeyEncoder(schema, [0]);
    const names = new KeyEncoder(schema, [1]);
    const pairs = new KeyEncoder(schema, [0, 1]);
    const reference = new Map<string, number>();
    const inUse = new Set<number>();
    const probe = (kind: number, n: number): string => {
      // LONG keys (some beyond ±2^53, stored as bytes), strings (some non-ASCII), composite keys.
      if (kind === 0) {
        const id = n % 3 === 0 ? 2n ** 60n + BigInt(n) : BigInt(n * 16);
        ids.probe(index, [id, null, null]);
        return `L${id}`;
      }
      if (kind === 1) {
        const name = n % 5 === 0 ? `clé-${n}-é` : `k${n}`;
        names.probe(index, [null, name, null]);
        return `S${name}`;
      }
      pairs.probe(index, [BigInt(n), `p${n % 7}`, null]);
      return `P${n}/${n % 7}`;
    };
    const wrong: string[] = [];
    for (let step = 0; step < 40_000; step++) {
      const kind = Math.floor(next() * 3);
      const n = Math.floor(next() * 3000);
      const key = probe(kind, n);
      const found = index.find();
      if (found !== (reference.get(key) ?? -1)) wrong.push(`step ${step}: ${key} found ${found}, want ${reference.get(key) ?? -1}`);
      if (found < 0) {
        const id = index.insert();
        if (inUse.has(id)) wrong.push(`step ${step}: id ${id} given twice`);
        inUse.add(id);
        reference.set(key, id);
      } else if (next() < 0.3) {
        index.remove(found);
        index.recycle(found);
        inUse.delete(found);
        reference.delete(key);
      }
      if (index.size !== reference.size) wrong.push(`step ${step}: size ${index.size}, want ${reference.size}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Every key still found after all the shifting and the arena compactions.
    for (const [key, id] of reference) {
      const [kind, rest] = [key[0], key.slice(1)];
      if (kind === 'L') ids.probe(index, [BigInt(rest), null, null]);
      else if (kind === 'S') names.probe(index, [null, rest, null]);
      else {
        const [a, b] = rest.split('/');
        pairs.probe(index, [BigInt(a!), `p${b}`, null]);
      }
      expect(index.find(), key).toBe(id);
    }
  });

  it('one key for 0 and -0, one for every NaN; a LONG and a DOUBLE column key by value; a missing cell is the default', () => {
    const index = new KeyIndex();
    const d = new KeyEncoder(schema, [2]);
    d.probe(index, [null, null, 0]);
    const zero = index.insert();
    d.probe(index, [null, null, -0]);
    expect(index.find()).toBe(zero);
    d.probe(index, [null, null, Number.NaN]);
    const nan = index.insert();
    d.probe(index, [null, null, 0 / 0]);
    expect(index.find()).toBe(nan);
    const ids = new KeyEncoder(schema, [0]);
    ids.probe(index, [null, null, null]);
    expect(index.find()).toBe(-1);
    const missing = index.insert();
    ids.probe(index, [schema.columns[0]!.defaultNullValue, null, null]);
    expect(index.find()).toBe(missing);
  });
});
