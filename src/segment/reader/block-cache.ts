import { totalmem } from 'node:os';
import type { DecodedBlock } from '../segment-view.js';

/** Env var that sets the memory budget of sealed segments in MiB (0 turns the cache off). */
export const MEMORY_BUDGET_ENV = 'SHARDTABLE_MEMORY_BUDGET_MB';
/** Older name of {@link MEMORY_BUDGET_ENV}, still read when the new one is unset. */
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

interface Entry {
  readonly value: unknown;
  readonly bytes: number;
  /** Called when the entry leaves the cache (evicted, replaced, deleted, cleared). */
  readonly onEvict: (() => void) | undefined;
}

/**
 * The memory budget of sealed segments (`serve --memory-budget-mb`): everything a sealed segment
 * holds beyond its footer — decoded column blocks, dictionaries, inverted indexes — lives here,
 * shared by every segment of every table and bounded by bytes; the least recently used entry is
 * evicted first and read again from the file (positioned reads) when next needed. This is our
 * stand-in for Pinot serving memory-mapped segments: a block is read, checked and decompressed
 * once, then queries read its typed arrays directly. Files never change (segments are immutable),
 * so an entry never goes stale; entries of dropped segments are removed when the segment is
 * retired, or age out.
 *
 * Only decoded values enter the cache: a block that fails to decode raises `SEGMENT_CORRUPT` and
 * is decoded (and fails) again next time.
 *
 * @example
 *   const cache = new BlockCache(64 * 1024 * 1024);
 *   const block = cache.get(key) ?? cache.put(key, decode(), bytes);
 */
export class BlockCache {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<number, Entry>();
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

  /** The cached value under `key` (marking it most recently used), or undefined (a miss). */
  get<T = DecodedBlock>(key: number): T | undefined {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value as T;
  }

  /** Marks `key` most recently used, if cached (no hit or miss counted). */
  touch(key: number): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.entries.set(key, e);
  }

  /**
   * Caches `value` of `bytes` (unless it alone exceeds the capacity) and returns it. `onEvict`
   * runs when the entry leaves the cache, so an owner holding a direct reference drops it too.
   */
  put<T>(key: number, value: T, bytes: number, onEvict?: () => void): T {
    if (bytes > this.capacity) {
      onEvict?.();
      return value;
    }
    this.remove(key);
    this.evictTo(this.capacity - bytes);
    this.entries.set(key, { value, bytes, onEvict });
    this.used += bytes;
    return value;
  }

  /** Removes the entries of keys `[from, from + count)` (the entries of one column). */
  deleteRange(from: number, count: number): void {
    for (let k = from; k < from + count; k++) this.remove(k);
  }

  clear(): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.used = 0;
    for (const e of all) e.onEvict?.();
  }

  stats(): BlockCacheStats {
    return { hits: this.hitCount, misses: this.missCount, evictions: this.evictionCount, bytes: this.used, entries: this.entries.size, capacityBytes: this.capacity };
  }

  private remove(key: number): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.used -= e.bytes;
    e.onEvict?.();
  }

  private evictTo(limit: number): void {
    for (const [key, e] of this.entries) {
      if (this.used <= limit) return;
      this.entries.delete(key);
      this.used -= e.bytes;
      this.evictionCount++;
      e.onEvict?.();
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
 * Capacity in bytes for a `--memory-budget-mb` / `--block-cache-mb` /
 * `SHARDTABLE_MEMORY_BUDGET_MB` value: whole MiB, 0 = off; unset or empty = the default. Throws a
 * message naming the setting for anything else.
 */
export function parseBlockCacheMb(raw: string | undefined, what = BLOCK_CACHE_ENV): number {
  if (raw === undefined || raw.trim() === '') return defaultBlockCacheBytes();
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`${what} must be a whole number of MiB (0 = off), got ${JSON.stringify(raw)}`);
  return mb * MIB;
}

/** The budget from the environment: `SHARDTABLE_MEMORY_BUDGET_MB`, else `SHARDTABLE_BLOCK_CACHE_MB`, else the default. */
export function memoryBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  if (env[MEMORY_BUDGET_ENV] !== undefined && env[MEMORY_BUDGET_ENV]!.trim() !== '') return parseBlockCacheMb(env[MEMORY_BUDGET_ENV], MEMORY_BUDGET_ENV);
  return parseBlockCacheMb(env[BLOCK_CACHE_ENV], BLOCK_CACHE_ENV);
}

/**
 * The process-wide cache every sealed column reads through (the memory budget). Starts at the
 * default size; `serve` resizes it from `--memory-budget-mb` (alias `--block-cache-mb`) or the
 * environment.
 */
export const blockCache = new BlockCache(defaultBlockCacheBytes());
