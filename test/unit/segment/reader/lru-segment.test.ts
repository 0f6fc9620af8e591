import { describe, expect, it } from 'vitest';
import { LruSegment } from '../../../../src/segment/reader/lru-segment.js';
import type { CacheEntry } from '../../../../src/segment/reader/lru-segment.js';

const entry = (value: unknown, bytes: number): CacheEntry => ({ value, bytes, onEvict: undefined });

describe('LruSegment', () => {
  it('keeps keys from least to most recently used through add, refresh and remove', () => {
    const s = new LruSegment();
    expect(s.oldest()).toBeUndefined();
    for (const k of [1, 2, 3, 4]) s.add(k, entry(`v${k}`, k));
    expect([...s.keys()]).toEqual([1, 2, 3, 4]);
    s.refresh(1); // the oldest becomes the newest
    s.refresh(1); // already the newest: unchanged
    s.refresh(99); // absent: ignored
    expect([...s.keys()]).toEqual([2, 3, 4, 1]);
    s.add(3, entry('v3b', 30)); // re-added: moved to the end with its new cost
    expect([...s.keys()]).toEqual([2, 4, 1, 3]);
    expect(s.get(3)?.value).toBe('v3b');
    expect(s.bytes).toBe(2 + 4 + 1 + 30);
    expect(s.remove(2)?.value).toBe('v2'); // the head
    expect(s.remove(3)?.value).toBe('v3b'); // the tail
    expect(s.remove(3)).toBeUndefined();
    expect([...s.keys()]).toEqual([4, 1]);
    expect(s.oldest()).toBe(4);
    expect(s.size).toBe(2);
    expect(s.bytes).toBe(5);
    expect(s.has(1)).toBe(true);
    expect(s.has(2)).toBe(false);
  });

  it('charges a value in place, keeping its recency, only while the key holds that value', () => {
    const s = new LruSegment();
    const value = { block: 1 };
    s.add(1, entry(value, 10));
    s.add(2, entry('other', 5));
    expect(s.charge(1, value, 6)).toBe(true);
    expect(s.charge(1, { block: 1 }, 6)).toBe(false); // another object
    expect(s.charge(9, value, 6)).toBe(false);
    expect(s.get(1)?.bytes).toBe(16);
    expect(s.bytes).toBe(21);
    expect([...s.keys()]).toEqual([1, 2]);
  });

  it('drains everything in recency order and can be used again', () => {
    const s = new LruSegment();
    for (const k of [5, 6, 7]) s.add(k, entry(k, 1));
    s.refresh(5);
    expect(s.drain().map((e) => e.value)).toEqual([6, 7, 5]);
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
    expect(s.oldest()).toBeUndefined();
    s.add(8, entry(8, 1));
    expect([...s.keys()]).toEqual([8]);
  });

  it('keeps the exact order when used as a queue with some reuse (a thrashing scan), against a model', () => {
    // Evicting the front and adding at the back 50,000 times over 200 keys, refreshing one in the
    // middle now and then: the order the eviction path relies on, checked against a plain array.
    const s = new LruSegment();
    const model: number[] = [];
    for (let k = 0; k < 200; k++) {
      s.add(k, entry(k, 1));
      model.push(k);
    }
    for (let k = 200; k < 50_200; k++) {
      expect(s.oldest()).toBe(model[0]);
      s.remove(model.shift()!);
      s.add(k, entry(k, 1));
      model.push(k);
      if (k % 7 === 0) {
        const again = model.splice(100, 1)[0]!;
        s.refresh(again);
        model.push(again);
      }
    }
    expect([...s.keys()]).toEqual(model);
    expect(s.bytes).toBe(200);
  });
});
