import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ShardtableError } from '../../../../src/errors.js';
import { createMetricsRegistry } from '../../../../src/metrics/metrics-registry.js';
import type { TableManager } from '../../../../src/table/table-manager.js';
import { crc32 } from '../../../../src/segment/format/checksum.js';
import { openSegment, sealSegment } from '../../../../src/segment/index.js';
import type { DecodedBlock } from '../../../../src/segment/index.js';
import { BlockCache, blockCache, memoryBudgetFromEnv, parseBlockCacheMb } from '../../../../src/segment/reader/block-cache.js';
import type { SealedColumn } from '../../../../src/segment/reader/sealed-column.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from '../fixtures.js';

const block = (firstDoc: number): DecodedBlock => ({ firstDoc, numDocs: 1, nulls: null, offsets: null, dictIds: null, values: new Int32Array(1) });

describe('BlockCache', () => {
  it('evicts to stay within its byte bound (the oldest block on probation goes first)', () => {
    const cache = new BlockCache(1000);
    cache.put(1, block(1), 400);
    cache.put(2, block(2), 400);
    expect(cache.get(1)?.firstDoc).toBe(1); // 1 is now the most recently used
    cache.put(3, block(3), 400); // evicts 2
    expect(cache.get(2)).toBeUndefined();
    expect(cache.get(1)?.firstDoc).toBe(1);
    expect(cache.get(3)?.firstDoc).toBe(3);
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 1, evictions: 1, bytes: 800, entries: 2, capacityBytes: 1000 });
  });

  it('does not keep a block larger than the whole cache, and shrinks on resize', () => {
    const cache = new BlockCache(1000);
    cache.put(1, block(1), 600);
    expect(cache.put(2, block(2), 5000).firstDoc).toBe(2);
    expect(cache.get(2)).toBeUndefined();
    expect(cache.get(1)).toBeDefined();
    cache.put(3, block(3), 300);
    cache.resize(500);
    expect(cache.stats()).toMatchObject({ bytes: 300, entries: 1, capacityBytes: 500 });
    cache.resize(0);
    expect(cache.enabled).toBe(false);
    expect(cache.stats().bytes).toBe(0);
  });

  it('replaces an entry under the same key without counting it twice', () => {
    const cache = new BlockCache(1000);
    cache.put(7, block(1), 300);
    cache.put(7, block(2), 200);
    expect(cache.stats()).toMatchObject({ bytes: 200, entries: 1 });
    cache.deleteRange(5, 3);
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0 });
  });

  it('keeps small index sections resident while scans churn the decoded tier, all within the one budget', () => {
    const cache = new BlockCache(100_000); // resident share: 10 % = 10,000 bytes, entries up to 1,250
    const left: number[] = [];
    cache.putIndex(1, block(1), 1_000, () => left.push(1));
    for (let k = 100; k < 400; k++) {
      cache.put(k, block(k), 2_000);
      cache.get(k);
      expect(cache.stats().bytes).toBeLessThanOrEqual(100_000);
    }
    expect(cache.get(1)?.firstDoc).toBe(1);
    expect(left).toEqual([]);
    expect(cache.stats().resident).toMatchObject({ bytes: 1_000, entries: 1, capacityBytes: 10_000 });
    // Too large for the share: the decoded tier takes it, as `put`.
    cache.putIndex(2, block(2), 5_000);
    expect(cache.stats().resident.entries).toBe(1);
    // A full share lets its least recently used section go.
    for (let k = 10; k < 22; k++) {
      cache.putIndex(k, block(k), 1_000, () => left.push(k));
      expect(cache.stats().bytes).toBeLessThanOrEqual(100_000);
    }
    expect(cache.stats().resident).toMatchObject({ bytes: 10_000, entries: 10, evictions: 3 });
    expect(left).toEqual([1, 10, 11]);
    expect(cache.get(21)?.firstDoc).toBe(21);
    cache.deleteRange(21, 1);
    expect(cache.get(21)).toBeUndefined();
    expect(left).toEqual([1, 10, 11, 21]);
    cache.clear();
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0, resident: { bytes: 0, entries: 0 } });
  });

  it('parses its size setting in whole MiB, 0 = off', () => {
    expect(parseBlockCacheMb('0')).toBe(0);
    expect(parseBlockCacheMb('64')).toBe(64 * 1024 * 1024);
    expect(parseBlockCacheMb(undefined)).toBeGreaterThan(0);
    expect(parseBlockCacheMb(undefined)).toBeLessThanOrEqual(1024 * 1024 * 1024);
    expect(() => parseBlockCacheMb('1.5', '--block-cache-mb')).toThrow(/--block-cache-mb must be a whole number of MiB/);
    expect(() => parseBlockCacheMb('-1')).toThrow(/SHARDTABLE_BLOCK_CACHE_MB/);
  });

  it('takes the memory budget from SHARDTABLE_MEMORY_BUDGET_MB, else the older SHARDTABLE_BLOCK_CACHE_MB', () => {
    expect(memoryBudgetFromEnv({ SHARDTABLE_MEMORY_BUDGET_MB: '8', SHARDTABLE_BLOCK_CACHE_MB: '16' })).toBe(8 * 1024 * 1024);
    expect(memoryBudgetFromEnv({ SHARDTABLE_BLOCK_CACHE_MB: '16' })).toBe(16 * 1024 * 1024);
    expect(memoryBudgetFromEnv({})).toBeGreaterThan(0);
    expect(() => memoryBudgetFromEnv({ SHARDTABLE_MEMORY_BUDGET_MB: 'x' })).toThrow(/SHARDTABLE_MEMORY_BUDGET_MB must be a whole number/);
  });

  it('tells an owner when its entry leaves (evicted, replaced, deleted, cleared)', () => {
    const cache = new BlockCache(1000);
    const gone: string[] = [];
    cache.put(1, 'a', 600, () => gone.push('a'));
    cache.put(2, 'b', 600, () => gone.push('b')); // evicts a
    cache.put(2, 'c', 100, () => gone.push('c')); // replaces b
    cache.put(3, 'd', 5000, () => gone.push('d')); // too large: never kept
    cache.deleteRange(2, 1);
    cache.put(4, 'e', 10, () => gone.push('e'));
    cache.clear();
    expect(gone).toEqual(['a', 'b', 'd', 'c', 'e']);
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0 });
  });
});

describe('sealed columns read through the shared block cache', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let path: string;
  const capacity = blockCache.capacityBytes;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ noDictionaryColumns: ['sv_int', 'sv_long', 'sv_double'] }));
    for (let i = 0; i < 40_000; i++) seg.index(rowOf(schema, i, false), String(i), 0);
    path = (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
  });
  afterAll(async () => cleanup());
  afterEach(() => blockCache.resize(capacity));

  it('decodes a block once, then serves it from the cache', async () => {
    blockCache.resize(64 * 1024 * 1024);
    const column = (await openSegment(path)).column('sv_double');
    const before = blockCache.stats();
    const first = column.readBlock(1);
    expect(column.readBlock(1)).toBe(first);
    const after = blockCache.stats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
    expect(after.bytes).toBeGreaterThan(before.bytes);
  });

  it('stays within a small bound by evicting, and still reads every block correctly', async () => {
    const segment = await openSegment(path);
    const column = segment.column('sv_long') as SealedColumn;
    const one = column.decodeBlock(0);
    blockCache.clear();
    // Room for one decoded block in the decoded tier (its share of the budget).
    blockCache.resize(Math.floor((one.values!.length * 8 * 1.2) / (1 - blockCache.compressedTierShare)));
    for (let b = 0; b < column.blocks.length; b++) expect(Array.from(column.readBlock(b).values as BigInt64Array)).toEqual(Array.from(column.decodeBlock(b).values as BigInt64Array));
    expect(blockCache.stats().entries).toBe(1);
    expect(blockCache.stats().evictions).toBeGreaterThan(0);
    expect(blockCache.stats().bytes).toBeLessThanOrEqual(blockCache.capacityBytes);
  });

  it('works with the cache off (0 bytes)', async () => {
    blockCache.resize(0);
    const column = (await openSegment(path)).column('sv_int') as SealedColumn;
    expect(column.getValue(20_000)).toEqual(column.decodeBlock(1).values![20_000 - 16_384]);
    expect(blockCache.stats().entries).toBe(0);
  });

  it('reports hits, misses, evictions and bytes on /metrics', async () => {
    blockCache.resize(64 * 1024 * 1024);
    const column = (await openSegment(path)).column('sv_int');
    column.readBlock(0);
    column.readBlock(0);
    const registry = createMetricsRegistry({ listTables: () => [] } as unknown as TableManager);
    const text = await registry.metrics();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const s = blockCache.stats();
    expect(value('shardtable_block_cache_hits_total')).toBe(s.hits);
    expect(value('shardtable_block_cache_misses_total')).toBe(s.misses);
    expect(value('shardtable_block_cache_evictions_total')).toBe(s.evictions);
    expect(value('shardtable_block_cache_bytes')).toBe(s.bytes);
    expect(value('shardtable_block_cache_capacity_bytes')).toBe(64 * 1024 * 1024);
    expect(s.hits).toBeGreaterThan(0);
  });

  it('raises SEGMENT_CORRUPT for a damaged block every time and never caches it', async () => {
    blockCache.resize(64 * 1024 * 1024);
    const original = await readFile(path);
    const segment = await openSegment(path);
    const section = segment.footer.columns.find((c) => c.name === 'sv_double')!.blocks[1]!.section;
    // Break the block's zstd frame magic and fix the file checksum, so the file opens.
    const bad = Buffer.from(original);
    bad[section.offset]! ^= 0xff;
    bad.writeUInt32LE(crc32(bad.subarray(0, bad.length - 8)), bad.length - 8);
    const badPath = `${dir}/damaged.seg`;
    await writeFile(badPath, bad);
    const column = (await openSegment(badPath)).column('sv_double');
    expect(column.readBlock(0).numDocs).toBe(16_384);
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = blockCache.stats();
      const err = (() => {
        try {
          column.readBlock(1);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ShardtableError);
      expect((err as ShardtableError).errorName).toBe('SEGMENT_CORRUPT');
      expect((err as ShardtableError).message).toMatch(/block 1 of column sv_double/);
      const after = blockCache.stats();
      expect(after.misses - before.misses).toBe(1);
      expect(after.entries).toBe(before.entries);
      expect(after.compressed.entries).toBe(before.compressed.entries); // nor its file bytes
    }
  });
});
