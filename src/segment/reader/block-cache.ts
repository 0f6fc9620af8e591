import { totalmem } from 'node:os';
import type { DecodedBlock } from '../segment-view.js';
import { AccessFrequency } from './access-frequency.js';
import { LruSegment } from './lru-segment.js';
import type { CacheEntry } from './lru-segment.js';

/** Env var that sets the memory budget of sealed segments in MiB (0 turns the cache off). */
export const MEMORY_BUDGET_ENV = 'SHARDTABLE_MEMORY_BUDGET_MB';
/** Older name of {@link MEMORY_BUDGET_ENV}, still read when the new one is unset. */
export const BLOCK_CACHE_ENV = 'SHARDTABLE_BLOCK_CACHE_MB';

const MIB = 1024 * 1024;

/** Counters of a block cache, for `/metrics` and tests. */
export interface BlockCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries that left to keep the cache within its bound, newcomers refused admission included. */
  readonly evictions: number;
  /** Of `evictions`: newcomers refused a place because they were used less than what they would push out. */
  readonly rejected: number;
  /** Estimated bytes of the decoded blocks held now. */
  readonly bytes: number;
  readonly entries: number;
  readonly capacityBytes: number;
}

/** Share of the capacity for the admission window, where every newcomer starts (plain LRU). */
const WINDOW_SHARE = 0.1;
/** Share of the main part kept for entries used at least twice while cached. */
const PROTECTED_SHARE = 0.8;

/**
 * The memory budget of sealed segments (`serve --memory-budget-mb`): everything a sealed segment
 * holds beyond its footer — decoded column blocks, dictionaries, inverted indexes — lives here,
 * shared by every segment of every table and bounded by bytes; what does not fit is read again
 * from the file (positioned reads) when next needed. This is our stand-in for Pinot serving
 * memory-mapped segments: a block is read, checked and decompressed once, then queries read its
 * typed arrays directly. Files never change (segments are immutable), so an entry never goes
 * stale; entries of dropped segments are removed when the segment is retired, or age out.
 *
 * Eviction is scan-resistant (W-TinyLFU, weighted by bytes; docs/decisions.md): a newcomer enters
 * a small LRU window (10 % of the bytes), so a block read row by row stays while it is read; when
 * it leaves the window it is admitted to the main part only if it was used more often lately
 * ({@link AccessFrequency}) than the entries it would push out, else it is dropped. The main part
 * is a segmented LRU: probation, and a protected 80 % for entries hit again while cached. So a
 * repeated scan larger than the budget keeps hitting the part that fits (plain LRU evicts every
 * block of a cyclic scan before its reuse: 0 hits), and a one-off scan cannot flush a hot working
 * set. The bound is on the sum of the entries' bytes, always.
 *
 * Only decoded values enter the cache: a block that fails to decode raises `SEGMENT_CORRUPT` and
 * is decoded (and fails) again next time.
 *
 * @example
 *   const cache = new BlockCache(64 * 1024 * 1024);
 *   const block = cache.get(key) ?? cache.put(key, decode(), bytes);
 */
export class BlockCache {
  private readonly window = new LruSegment();
  private readonly probation = new LruSegment();
  private readonly protected = new LruSegment();
  private readonly frequency = new AccessFrequency();
  private hitCount = 0;
  private missCount = 0;
  private evictionCount = 0;
  private rejectedCount = 0;

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
    this.evictWhileOver(this.capacity, true);
  }

  /** The cached value under `key` (marking it used), or undefined (a miss). */
  get<T = DecodedBlock>(key: number): T | undefined {
    const e = this.use(key);
    if (e === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    return e.value as T;
  }

  /** Marks `key` used, if cached (no hit or miss counted). */
  touch(key: number): void {
    this.use(key);
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
    this.frequency.record(key, this.entryCount);
    this.window.add(key, { value, bytes, onEvict });
    // The newest entry always stays in the window, even when it alone is larger than the window.
    while (this.window.bytes > this.windowTarget && this.window.size > 1) {
      const oldest = this.window.oldest()!;
      this.admit(oldest, this.window.remove(oldest)!);
    }
    this.evictWhileOver(this.capacity, false);
    return value;
  }

  /** Removes the entries of keys `[from, from + count)` (the entries of one column). */
  deleteRange(from: number, count: number): void {
    for (let k = from; k < from + count; k++) {
      this.remove(k);
      this.frequency.forget(k);
    }
  }

  /** Empties the cache and forgets its usage history. */
  clear(): void {
    const all = [...this.window.drain(), ...this.probation.drain(), ...this.protected.drain()];
    this.frequency.clear();
    for (const e of all) e.onEvict?.();
  }

  stats(): BlockCacheStats {
    return {
      hits: this.hitCount,
      misses: this.missCount,
      evictions: this.evictionCount,
      rejected: this.rejectedCount,
      bytes: this.used,
      entries: this.entryCount,
      capacityBytes: this.capacity,
    };
  }

  private get used(): number {
    return this.window.bytes + this.probation.bytes + this.protected.bytes;
  }

  private get entryCount(): number {
    return this.window.size + this.probation.size + this.protected.size;
  }

  private get windowTarget(): number {
    return Math.floor(this.capacity * WINDOW_SHARE);
  }

  private get mainTarget(): number {
    return this.capacity - this.windowTarget;
  }

  /** Records a use of a cached `key` and moves it up its segments; undefined if not cached. */
  private use(key: number): CacheEntry | undefined {
    let e = this.window.get(key);
    if (e !== undefined) {
      this.window.refresh(key);
    } else if ((e = this.protected.get(key)) !== undefined) {
      this.protected.refresh(key);
    } else if ((e = this.probation.remove(key)) !== undefined) {
      // Used again while on probation: protected, demoting the protected segment's oldest.
      this.protected.add(key, e);
      while (this.protected.bytes > Math.floor(this.mainTarget * PROTECTED_SHARE) && this.protected.size > 1) {
        const oldest = this.protected.oldest()!;
        this.probation.add(oldest, this.protected.remove(oldest)!);
      }
    } else {
      return undefined;
    }
    this.frequency.record(key, this.entryCount);
    return e;
  }

  /**
   * An entry leaving the window: into probation if the main part has room, or if it was used more
   * often than every entry it would push out (probation's oldest first, then protected's); else
   * dropped. Ties keep the incumbents, which is what makes a cyclic scan keep a fixed part.
   */
  private admit(key: number, e: CacheEntry): void {
    const need = this.probation.bytes + this.protected.bytes + e.bytes - this.mainTarget;
    const victims: number[] = [];
    if (need > 0) {
      const candidate = this.frequency.of(key);
      let freed = 0;
      for (const segment of [this.probation, this.protected]) {
        for (const v of segment.keys()) {
          if (freed >= need) break;
          if (this.frequency.of(v) >= candidate) return this.reject(e);
          victims.push(v);
          freed += segment.get(v)!.bytes;
        }
      }
      if (freed < need) return this.reject(e);
    }
    for (const v of victims) this.evict(v);
    this.probation.add(key, e);
  }

  private reject(e: CacheEntry): void {
    this.evictionCount++;
    this.rejectedCount++;
    e.onEvict?.();
  }

  /** Evicts the main part's oldest entries (then the window's, if `window`) until at most `limit` bytes are held. */
  private evictWhileOver(limit: number, window: boolean): void {
    while (this.used > limit) {
      const key = this.probation.oldest() ?? this.protected.oldest() ?? (window ? this.window.oldest() : undefined);
      if (key === undefined) return;
      this.evict(key);
    }
  }

  /** Evicts cached `key` to make room. */
  private evict(key: number): void {
    const e = this.window.remove(key) ?? this.probation.remove(key) ?? this.protected.remove(key);
    if (e === undefined) return;
    this.evictionCount++;
    e.onEvict?.();
  }

  /** Takes `key` out (deleted or replaced: not an eviction). */
  private remove(key: number): void {
    const e = this.window.remove(key) ?? this.probation.remove(key) ?? this.protected.remove(key);
    e?.onEvict?.();
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
