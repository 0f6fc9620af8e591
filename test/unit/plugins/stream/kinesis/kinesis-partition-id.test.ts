import { describe, expect, it } from 'vitest';
import { PartitionIdMap, numericPartitionId } from '../../../../../src/plugins/stream/kinesis/kinesis-partition-id.js';

describe('PartitionIdMap', () => {
  it('maps shardId-<digits> to its number without assigning anything', () => {
    const ids = new PartitionIdMap();
    expect(ids.idFor('shardId-000000000000')).toBe(0);
    expect(ids.idFor('shardId-000000000123')).toBe(123);
    expect(ids.idFor('shardId-2147483648')).toBe(2147483648); // past a 32-bit int: still numeric
    expect(ids.idFor(`shardId-${Number.MAX_SAFE_INTEGER}`)).toBe(Number.MAX_SAFE_INTEGER);
    expect(ids.changed).toBe(false);
    expect(ids.toJSON()).toEqual({ version: 1, assigned: {} });
  });

  it('assigns stable negative ids to overflowing and non-pattern ids', () => {
    const ids = new PartitionIdMap();
    const overflow = `shardId-${(BigInt(Number.MAX_SAFE_INTEGER) + 1n).toString()}`;
    expect(numericPartitionId(overflow)).toBeUndefined();
    const a = ids.idFor(overflow);
    const b = ids.idFor('shard-abc');
    const c = ids.idFor('shardId-');
    expect([a, b, c]).toEqual([-1, -2, -3]);
    expect(ids.idFor(overflow)).toBe(a);
    expect(ids.idFor('shard-abc')).toBe(b);
    expect(ids.changed).toBe(true);
    ids.markSaved();
    expect(ids.changed).toBe(false);
    ids.idFor('shard-abc');
    expect(ids.changed).toBe(false);
    ids.idFor('other');
    expect(ids.changed).toBe(true);
  });

  it('never collides: assigned ids are negative, numeric ids are not', () => {
    const ids = new PartitionIdMap();
    const shardIds = [
      ...Array.from({ length: 50 }, (_, i) => `shardId-${String(i).padStart(12, '0')}`),
      ...Array.from({ length: 50 }, (_, i) => `custom-${i}`),
      `shardId-${'9'.repeat(40)}`,
      'shardId-1', // same number as shardId-000000000001: the same shard id space, same id
    ];
    const byId = new Map<number, string>();
    for (const shardId of shardIds.slice(0, -1)) {
      const id = ids.idFor(shardId);
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(byId.has(id), `${shardId} collides with ${byId.get(id)}`).toBe(false);
      byId.set(id, shardId);
    }
    expect(ids.idFor('shardId-1')).toBe(1);
  });

  it('round-trips through JSON and keeps assigning after the highest persisted id', () => {
    const ids = new PartitionIdMap();
    ids.idFor('a');
    ids.idFor('b');
    ids.idFor('shardId-7');
    const restored = PartitionIdMap.fromJSON(JSON.parse(JSON.stringify(ids.toJSON())));
    expect(restored.changed).toBe(false);
    expect(restored.idFor('a')).toBe(-1);
    expect(restored.idFor('b')).toBe(-2);
    expect(restored.idFor('c')).toBe(-3);
    expect(restored.changed).toBe(true);
    expect(restored.toJSON()).toEqual({ version: 1, assigned: { a: -1, b: -2, c: -3 } });
    expect(PartitionIdMap.fromJSON(undefined).toJSON()).toEqual({ version: 1, assigned: {} });
  });

  it('rejects a corrupt persisted map', () => {
    expect(() => PartitionIdMap.fromJSON({ version: 2, assigned: {} })).toThrow(/version/);
    expect(() => PartitionIdMap.fromJSON({ version: 1, assigned: { a: 3 } })).toThrow(/a/);
    expect(() => PartitionIdMap.fromJSON({ version: 1, assigned: { a: -1, b: -1 } })).toThrow(/duplicate/);
    expect(() => PartitionIdMap.fromJSON({ version: 1, assigned: { 'shardId-5': -1 } })).toThrow(/numeric/);
  });
});
