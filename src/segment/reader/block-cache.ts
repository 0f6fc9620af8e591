import { totalmem } from 'node:os';
import type { DecodedBlock } from '../segment-view.js';

/** Env var that sets the decoded-block cache size in MiB (0 turns the cache off). */
export const BLOCK_CACHE_ENV = 'SHARDTABLE_BLOCK_CACHE_MB';

const MIB = 1024 * 1024;

/** Counters of a block cache, for `/metrics` and tests. */
export interface BlockCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  /** Estimated bytes of the decoded blocks held now. */
  readonly bytes: number;
  readonly entries: number;
  readonly capacityBytes: number;
}

/**
 * Decoded blocks of sealed columns, shared by every segment of the process and bounded by bytes;
 * the least recently used block is evicted first. This is our stand-in for Pinot serving from
 * mmapped, uncompressed forward indexes: a block is decompressed and checked once, then queries
 * read its typed arrays directly. Blocks never change (segment files are immutable), so an entry
 * never goes stale; entries of dropped segments age out, or are removed when their column is
 * garbage-collected.
 *
 * Only decoded blocks enter the cache: a block that fails to decode raises `SEGMENT_CORRUPT`
 * and is decoded (and fails) again next time.
 *
 * @example
 *   const cache = new BlockCache(64 * 1024 * 1024);
 *   const block = cache.get(key) ?? cache.put(key, decode(), bytes);
 */
export class BlockCache {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<number, { readonly block: DecodedBlock; readonly bytes: number }>();
  private used = 0;
  private hitCount = 0;
  private missCount = 0;
  private evictionCount = 0;

  constructor(private capacity: number) {}

  get capacityBytes(): number {
    return this.capacity;
  }

  /** True when blocks are kept at all (capacity above 0). */
  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Changes the bound, evicting down to it at once. */
  resize(capacityBytes: number): void {
    this.capacity = Math.max(0, capacityBytes);
    this.evictTo(this.capacity);
  }

  /** The cached block under `key` (marking it most recently used), or undefined (a miss). */
  get(key: number): DecodedBlock | undefined {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.block;
  }

  /** Caches `block` (unless it alone exceeds the capacity) and returns it. */
  put(key: number, block: DecodedBlock, bytes: number): DecodedBlock {
    if (bytes > this.capacity) return block;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.used -= old.bytes;
    }
    this.evictTo(this.capacity - bytes);
    this.entries.set(key, { block, bytes });
    this.used += bytes;
    return block;
  }

  /** Removes the entries of keys `[from, from + count)` (the blocks of one column). */
  deleteRange(from: number, count: number): void {
    for (let k = from; k < from + count; k++) {
      const e = this.entries.get(k);
      if (e === undefined) continue;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  stats(): BlockCacheStats {
    return { hits: this.hitCount, misses: this.missCount, evictions: this.evictionCount, bytes: this.used, entries: this.entries.size, capacityBytes: this.capacity };
  }

  private evictTo(limit: number): void {
    for (const [key, e] of this.entries) {
      if (this.used <= limit) return;
      this.entries.delete(key);
      this.used -= e.bytes;
      this.evictionCount++;
    }
  }
}

/** Bytes a decoded block holds: its section buffer plus JS objects for RAW strings and bytes. */
export function decodedBlockBytes(block: DecodedBlock, sectionBytes: number): number {
  let bytes = sectionBytes + 256;
  const values = block.values;
  if (Array.isArray(values)) {
    for (const v of values) bytes += typeof v === 'string' ? 16 + 2 * v.length : 96 + (v as Uint8Array).byteLength;
  }
  return bytes;
}

/**
 * Default capacity: a quarter of the memory the process may use (the cgroup limit when there is
 * one, else physical memory), at most 1 GiB.
 */
export function defaultBlockCacheBytes(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  const memory = limit > 0 && limit < totalmem() ? limit : totalmem();
  return Math.min(1024 * MIB, Math.floor(memory / 4));
}

/**
 * Capacity in bytes for a `--block-cache-mb` / `SHARDTABLE_BLOCK_CACHE_MB` value: whole MiB, 0 =
 * off; unset or empty = the default. Throws a message naming the setting for anything else.
 */
export function parseBlockCacheMb(raw: string | undefined, what = BLOCK_CACHE_ENV): number {
  if (raw === undefined || raw.trim() === '') return defaultBlockCacheBytes();
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`${what} must be a whole number of MiB (0 = off), got ${JSON.stringify(raw)}`);
  return mb * MIB;
}

/**
 * The process-wide cache every sealed column reads through. Starts at the default size; `serve`
 * resizes it from `--block-cache-mb` or `SHARDTABLE_BLOCK_CACHE_MB`.
 */
export const blockCache = new BlockCache(defaultBlockCacheBytes());
