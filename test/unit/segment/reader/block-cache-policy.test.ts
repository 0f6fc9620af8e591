import { describe, expect, it } from 'vitest';
import { AccessFrequency } from '../../../../src/segment/reader/access-frequency.js';
import { BlockCache } from '../../../../src/segment/reader/block-cache.js';

/** Reads `key` through the cache as a sealed column does: a hit, or a miss then a put. Returns whether it hit. */
function read(cache: BlockCache, key: number, bytes: number): boolean {
  if (cache.get<number>(key) !== undefined) return true;
  cache.put(key, key, bytes);
  return false;
}

/** A deterministic pseudo-random sequence (tests never depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

describe('BlockCache eviction policy (scan-resistant, weighted by bytes)', () => {
  it('keeps hitting the part that fits when a cyclic scan is larger than the cache', () => {
    // 15 blocks of 100 bytes read in a loop through 1,000 bytes: plain LRU evicts each block
    // before its next use and never hits.
    const cache = new BlockCache(1000);
    const hitsPerPass: number[] = [];
    for (let pass = 0; pass < 10; pass++) {
      let hits = 0;
      for (let k = 0; k < 15; k++) {
        if (read(cache, k, 100)) hits++;
        expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
      }
      hitsPerPass.push(hits);
    }
    expect(hitsPerPass[0]).toBe(0);
    // From the second pass on, the 900 bytes of the main part hold 9 of the 15 blocks for good.
    for (const hits of hitsPerPass.slice(1)) expect(hits).toBeGreaterThanOrEqual(8);
    expect(cache.stats().rejected).toBeGreaterThan(0);
  });

  it('keeps a hot working set through a one-off scan many times its size', () => {
    const cache = new BlockCache(1000);
    const hot = [1, 2, 3, 4, 5];
    for (let round = 0; round < 3; round++) for (const k of hot) read(cache, k, 100);
    for (let k = 1000; k < 1200; k++) read(cache, k, 100); // 20,000 bytes read once
    for (const k of hot) expect(cache.get(k)).toBe(k);
    expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
  });

  it('makes room for a newcomer larger than the window by admission, not by pushing out what every pass reuses', () => {
    // The window is 1 % (10 bytes): each 250-byte block is larger. One entry read once per pass
    // (an index every query reads) and a scan of six blocks (1,500 bytes through 1,000) per pass.
    const cache = new BlockCache(1000);
    const indexHits: boolean[] = [];
    for (let pass = 0; pass < 8; pass++) {
      indexHits.push(read(cache, 1, 300));
      for (let k = 10; k < 16; k++) read(cache, k, 250);
      expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
    }
    expect(indexHits).toEqual([false, true, true, true, true, true, true, true]);
  });

  it('lets a new repeated working set replace an old one once the old one is no longer used', () => {
    const cache = new BlockCache(1000);
    for (let round = 0; round < 12; round++) for (let k = 0; k < 9; k++) read(cache, k, 100);
    let hits = 0;
    for (let round = 0; round < 40; round++) {
      hits = 0;
      for (let k = 100; k < 109; k++) if (read(cache, k, 100)) hits++;
    }
    expect(hits).toBe(9);
    // 1,000 bytes hold ten blocks: the nine new ones and at most one old one.
    expect(Array.from({ length: 9 }, (_, k) => cache.get(k)).filter((v) => v !== undefined).length).toBeLessThanOrEqual(1);
  });

  it('a block read over and over right after it is cached stays (the window admits every newcomer)', () => {
    const cache = new BlockCache(1000);
    for (let round = 0; round < 5; round++) for (let k = 0; k < 9; k++) read(cache, k, 100);
    // A block much larger than the window, read row by row: decoded once.
    let misses = 0;
    for (let row = 0; row < 50; row++) if (!read(cache, 500, 400)) misses++;
    expect(misses).toBe(1);
    expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
  });

  it('never holds more bytes than its capacity, and tells owners of exactly the entries that left', () => {
    const next = lcg(42);
    const cache = new BlockCache(10_000);
    const live = new Set<number>();
    for (let op = 0; op < 20_000; op++) {
      const key = Math.floor(next() * 300);
      const r = next();
      if (r < 0.6) {
        if (cache.get(key) === undefined) {
          const bytes = 1 + Math.floor(next() * 2500);
          live.add(key);
          cache.put(key, key, bytes, () => live.delete(key));
        }
      } else if (r < 0.7) {
        cache.touch(key);
      } else if (r < 0.72) {
        cache.deleteRange(key, 5);
      } else if (r < 0.7205) {
        cache.resize(2000 + Math.floor(next() * 12_000));
      } else if (r < 0.721) {
        cache.clear();
      } else {
        cache.get(key);
      }
      const s = cache.stats();
      expect(s.bytes).toBeLessThanOrEqual(s.capacityBytes);
      expect(s.entries).toBe(live.size);
    }
    for (const key of live) expect(cache.get(key)).toBe(key);
  });
});

describe('AccessFrequency', () => {
  it('counts uses up to 15 and halves every count once a period of uses has passed, forgetting the zeros', () => {
    const f = new AccessFrequency();
    for (let i = 0; i < 20; i++) f.record(7, 0);
    expect(f.of(7)).toBe(15);
    f.record(8, 0);
    for (let i = 0; i < 1024 - 21; i++) f.record(1000 + i, 0); // ends the 1,024-use period
    expect(f.of(7)).toBe(7);
    expect(f.of(8)).toBe(0);
    expect(f.size).toBe(1);
    f.forget(7);
    expect(f.of(7)).toBe(0);
  });
});
