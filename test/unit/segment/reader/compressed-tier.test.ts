import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ShardtableError } from '../../../../src/errors.js';
import { onCorruptSegment, openSegment, sealSegment } from '../../../../src/segment/index.js';
import { BlockCache, blockCache, DEFAULT_COMPRESSED_SHARE, parseCompressedTierPercent } from '../../../../src/segment/reader/block-cache.js';
import type { SealedColumn } from '../../../../src/segment/reader/sealed-column.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from '../fixtures.js';

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe('BlockCache compressed tier', () => {
  it('splits one budget between the tiers and counts both in bytes and capacity', () => {
    const cache = new BlockCache(10_000, 0.25);
    cache.put(1, 'decoded', 3000);
    cache.putCompressed(1, bytes(1000));
    const s = cache.stats();
    expect(s.capacityBytes).toBe(10_000);
    expect(s.compressed.capacityBytes).toBe(2500);
    expect(s.decodedBytes).toBe(3000);
    expect(s.compressed.bytes).toBeGreaterThanOrEqual(1000);
    expect(s.bytes).toBe(s.decodedBytes + s.compressed.bytes);
    // The decoded tier is bounded by its share: 7,500 bytes, so a 7,600-byte value is not kept.
    cache.put(2, 'big', 7600);
    expect(cache.get(2)).toBeUndefined();
  });

  it('keeps sections that fit, refuses one larger than the tier, and serves them back', () => {
    const cache = new BlockCache(10_000, 0.2);
    const section = bytes(500, 7);
    cache.putCompressed(5, section);
    expect(cache.getCompressed(5)).toBe(section); // its own buffer: kept as is, not copied
    cache.putCompressed(6, bytes(3000));
    expect(cache.getCompressed(6)).toBeUndefined();
    expect(cache.stats().compressed).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    cache.dropCompressed(5);
    expect(cache.getCompressed(5)).toBeUndefined();
  });

  it('copies bytes that view a larger buffer, so what it counts is what it keeps alive', () => {
    const cache = new BlockCache(100_000, 0.5);
    const pool = bytes(8192, 3);
    const view = pool.subarray(100, 300);
    cache.putCompressed(1, view);
    const kept = cache.getCompressed(1)!;
    expect(kept).not.toBe(view);
    expect(kept.buffer.byteLength).toBe(200);
    expect(Array.from(kept)).toEqual(Array.from(view));
  });

  it('evicts within its share; a section whose decoded entry was just evicted outlives one still decoded', () => {
    const cache = new BlockCache(10_000, 0.2); // compressed tier: 2,000 bytes
    for (let k = 1; k <= 3; k++) {
      cache.put(k, `decoded ${k}`, 2000);
      cache.putCompressed(k, bytes(500));
    }
    // 1's decoded entry leaves the decoded tier (deleted here, as an eviction would): its copy becomes the most recently used.
    cache.put(1, 'replaced', 100);
    cache.putCompressed(4, bytes(500));
    cache.putCompressed(5, bytes(500));
    expect(cache.getCompressed(1)).toBeDefined();
    expect(cache.stats().compressed.bytes).toBeLessThanOrEqual(2000);
    expect(cache.stats().compressed.evictions).toBeGreaterThan(0);
  });

  it('never holds more than the budget across both tiers under a mixed load, and clears and deletes both', () => {
    const cache = new BlockCache(50_000, 0.3);
    let s = 12345;
    const next = (): number => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
    for (let i = 0; i < 2000; i++) {
      const key = Math.floor(next() * 200);
      if (cache.get(key) === undefined) {
        if (cache.getCompressed(key) === undefined) cache.putCompressed(key, bytes(200 + Math.floor(next() * 2000)));
        cache.put(key, key, 500 + Math.floor(next() * 4000));
      }
      expect(cache.stats().bytes).toBeLessThanOrEqual(50_000);
      expect(cache.stats().compressed.bytes).toBeLessThanOrEqual(15_000);
    }
    expect(cache.stats().compressed.hits).toBeGreaterThan(0);
    cache.deleteRange(0, 100);
    for (let k = 0; k < 100; k++) expect(cache.getCompressed(k) ?? cache.get(k)).toBeUndefined();
    cache.clear();
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0, compressed: expect.objectContaining({ bytes: 0, entries: 0 }) });
  });

  it('changes its share within the same budget, and rejects shares out of range', () => {
    const cache = new BlockCache(10_000);
    expect(cache.stats().compressed.capacityBytes).toBe(0);
    cache.putCompressed(1, bytes(10)); // no tier: not kept
    expect(cache.getCompressed(1)).toBeUndefined();
    cache.setCompressedShare(0.5);
    expect(cache.stats()).toMatchObject({ capacityBytes: 10_000, compressed: expect.objectContaining({ capacityBytes: 5000 }) });
    expect(() => cache.setCompressedShare(0.95)).toThrow(/share must be in \[0, 0.9\]/);
    expect(() => new BlockCache(10, -0.1)).toThrow(/share/);
  });

  it('parses its setting as a whole percent from 0 to 90', () => {
    expect(parseCompressedTierPercent(undefined)).toBe(DEFAULT_COMPRESSED_SHARE);
    expect(parseCompressedTierPercent('0')).toBe(0);
    expect(parseCompressedTierPercent('35')).toBe(0.35);
    expect(() => parseCompressedTierPercent('91', '--compressed-tier-percent')).toThrow(/--compressed-tier-percent must be a whole percent from 0/);
    expect(() => parseCompressedTierPercent('2.5')).toThrow(/SHARDTABLE_COMPRESSED_TIER_PERCENT/);
  });
});

describe('sealed columns read through the two tiers', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let path: string;
  const capacity = blockCache.capacityBytes;
  const share = blockCache.compressedTierShare;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ noDictionaryColumns: ['sv_int', 'sv_long', 'sv_double'], invertedIndexColumns: ['sv_string'] }));
    for (let i = 0; i < 40_000; i++) seg.index(rowOf(schema, i, false), String(i), 0);
    path = (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
  });
  afterAll(async () => cleanup());
  afterEach(() => {
    vi.restoreAllMocks();
    blockCache.setCompressedShare(share);
    blockCache.resize(capacity);
  });

  /** A budget whose decoded tier holds one block of `column` and whose compressed tier holds them all. */
  function oneDecodedBlock(column: SealedColumn): void {
    const decoded = column.decodeBlock(0).values!.length * 8 * 1.2;
    blockCache.clear();
    blockCache.setCompressedShare(0.8);
    blockCache.resize(Math.floor(decoded / 0.2));
  }

  it('re-reads an evicted block from memory (a decode, no disk read) and gets the same values', async () => {
    const column = (await openSegment(path)).column('sv_long') as SealedColumn;
    oneDecodedBlock(column);
    const expected = column.blocks.map((_, b) => Array.from(column.decodeBlock(b).values as BigInt64Array));
    for (let b = 0; b < column.blocks.length; b++) column.readBlock(b); // each read evicts the one before
    const before = blockCache.stats();
    expect(before.compressed.entries).toBe(column.blocks.length);
    const read = vi.spyOn(column['ctx'].source, 'read');
    for (let b = 0; b < column.blocks.length - 1; b++) expect(Array.from(column.readBlock(b).values as BigInt64Array)).toEqual(expected[b]);
    const after = blockCache.stats();
    expect(read).not.toHaveBeenCalled();
    expect(after.compressed.hits - before.compressed.hits).toBe(column.blocks.length - 1);
    expect(after.misses - before.misses).toBe(column.blocks.length - 1); // decoded-tier misses
    expect(after.bytes).toBeLessThanOrEqual(after.capacityBytes);
  });

  it('verification (decodeBlock) always reads the file, not the tier', async () => {
    const column = (await openSegment(path)).column('sv_double') as SealedColumn;
    column.readBlock(0);
    const read = vi.spyOn(column['ctx'].source, 'read');
    column.decodeBlock(0);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('reports a block whose bytes in the tier fail their checksum as SEGMENT_CORRUPT, drops them, and reads the file next time', async () => {
    const column = (await openSegment(path)).column('sv_long') as SealedColumn;
    oneDecodedBlock(column);
    const kept = new Map<number, Uint8Array>();
    const put = blockCache.putCompressed.bind(blockCache);
    vi.spyOn(blockCache, 'putCompressed').mockImplementation((key, bytes) => {
      kept.set(key, bytes);
      put(key, bytes);
    });
    const good = Array.from(column.decodeBlock(0).values as BigInt64Array);
    column.readBlock(0);
    column.readBlock(1); // evicts block 0's decoded entry; its bytes stay in the tier
    const [first] = [...kept.keys()];
    const inTier = blockCache.getCompressed(first!)!;
    inTier[inTier.length >> 1]! ^= 0x5a; // damage the copy in memory
    const reports: string[] = [];
    const off = onCorruptSegment((p, detail) => reports.push(`${p}: ${detail}`));
    try {
      let error: unknown;
      try {
        column.readBlock(0);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ShardtableError);
      expect((error as ShardtableError).errorName).toBe('SEGMENT_CORRUPT');
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/block 0 of column sv_long.*checksum mismatch/);
      expect(blockCache.getCompressed(first!)).toBeUndefined();
      // The file is intact: the next read goes to it and succeeds (and caches the good bytes).
      expect(Array.from(column.readBlock(0).values as BigInt64Array)).toEqual(good);
      expect(reports).toHaveLength(1);
    } finally {
      off();
    }
  });

  it('keeps an index that every query uses while scans of another column cycle through the decoded tier', async () => {
    const segment = await openSegment(path);
    const indexed = segment.column('sv_string') as SealedColumn;
    const scanned = segment.column('sv_long') as SealedColumn;
    const indexBytes = indexed.footer.invertedIndex!.rawLength + 256;
    const blockBytes = scanned.footer.blocks[0]!.section.rawLength + 256;
    blockCache.clear();
    blockCache.setCompressedShare(0);
    // Room for the index and about two of the three blocks: each pass over the blocks evicts something.
    blockCache.resize(Math.floor(indexBytes + 2.2 * blockBytes));
    const index = indexed.invertedIndex!;
    for (let query = 0; query < 12; query++) {
      // One "query": the index (through the column's direct reference), then a scan of every block.
      expect(indexed.invertedIndex).toBe(index); // still cached: never read again
      for (let b = 0; b < scanned.blocks.length; b++) scanned.readBlock(b);
    }
    expect(blockCache.stats().bytes).toBeLessThanOrEqual(blockCache.capacityBytes);
  });
});
