import { totalmem } from 'node:os';
import type { DecodedBlock } from '../segment-view.js';
import { LruSegment } from './lru-segment.js';
import type { CacheEntry } from './lru-segment.js';
import { MemoryReclaimer } from './memory-reclaimer.js';
import { TinyLfuCache } from './tiny-lfu-cache.js';
import type { TierStats } from './tiny-lfu-cache.js';

/** Env var that sets the memory budget of sealed segments in MiB (0 turns the cache off). */
export const MEMORY_BUDGET_ENV = 'SHARDTABLE_MEMORY_BUDGET_MB';
/** Older name of {@link MEMORY_BUDGET_ENV}, still read when the new one is unset. */
export const BLOCK_CACHE_ENV = 'SHARDTABLE_BLOCK_CACHE_MB';

const MIB = 1024 * 1024;

/** Counters of the memory budget: `bytes` and `capacityBytes` cover both tiers. */
export interface BlockCacheStats extends TierStats {
  /** Bytes of decoded entries (the decoded tier). */
  readonly decodedBytes: number;
  /** The compressed tier: section bytes as read from the file, decoded again on a decoded-tier miss. */
  readonly compressed: TierStats;
  /** Of `decodedBytes`: the small index sections kept apart from the decoded tier's eviction ({@link BlockCache.putIndex}). */
  readonly resident: { readonly bytes: number; readonly entries: number; readonly capacityBytes: number; readonly hits: number; readonly evictions: number };
}

/**
 * Most of the decoded share that small, often-used index sections (page directories, timestamp
 * indexes, bloom filters) may take apart from the decoded tier's eviction; what they do not use
 * stays with the decoded tier.
 */
export const RESIDENT_SHARE = 0.1;
/** Largest resident entry, as a fraction of the resident share: larger sections go to the decoded tier. */
const RESIDENT_MAX_ENTRY = 1 / 8;

/**
 * Share of the memory budget the process-wide cache gives its compressed tier unless told
 * otherwise: none. The OS page cache already keeps the files' (compressed) bytes of recently read
 * sections, outside the budget, and a read from it costs about what a decode from the tier does;
 * the budget is worth more decoded (docs/decisions.md, "The compressed tier is off by default").
 */
export const DEFAULT_COMPRESSED_SHARE = 0;
/** Largest compressed-tier share accepted: the decoded tier always keeps most of the budget. */
export const MAX_COMPRESSED_SHARE = 0.9;
/** Env var that sets the compressed tier's share of the budget, in percent (0 turns the tier off). */
export const COMPRESSED_TIER_ENV = 'SHARDTABLE_COMPRESSED_TIER_PERCENT';
/** Bookkeeping bytes counted per compressed entry beyond its bytes. */
const COMPRESSED_ENTRY_OVERHEAD = 96;

/**
 * The memory budget of sealed segments (`serve --memory-budget-mb`): everything a sealed segment
 * holds beyond its footer lives here, shared by every segment of every table and bounded by
 * bytes, in two tiers that split the one budget (`--compressed-tier-percent`, default 0 %: off):
 *
 * - the **decoded tier**: decoded column blocks, dictionaries and indexes that queries read
 *   directly (a hit costs nothing);
 * - the **compressed tier**: the sections' bytes exactly as read from the file (zstd frames), so
 *   a decoded entry evicted for room is decoded again from memory — checksum and decompression —
 *   instead of read from disk first. Raw numeric blocks compress 2-2.5 x, so the budget then
 *   covers a working set larger than its decoded share.
 *
 * A section read from the file enters the compressed tier once it has decoded cleanly (so the
 * tier holds only bytes whose checksum held); a decoded entry leaving the decoded tier marks its
 * compressed copy used, so the copies kept are those of recently evicted entries rather than of
 * entries still decoded. Each tier is a scan-resistant {@link TinyLfuCache}. This is our
 * stand-in for Pinot serving memory-mapped segments (the OS page cache as the compressed tier).
 * Files never change (segments are immutable), so an entry never goes stale; entries of dropped
 * segments are removed from both tiers when the segment is retired, or age out.
 *
 * Only decoded values enter the decoded tier: a block that fails to decode raises
 * `SEGMENT_CORRUPT` and is read (and fails) again next time.
 *
 * @example
 *   const cache = new BlockCache(64 * 1024 * 1024, 0.2);
 *   const block = cache.get(key) ?? cache.put(key, decode(cache.getCompressed(key) ?? read()), bytes);
 */
export class BlockCache {
  /** Returns what leaves the tiers to the system (docs/decisions.md, "Freed memory returned to the system"). */
  readonly reclaimer = new MemoryReclaimer(() => this.capacity);
  private readonly decoded = new TinyLfuCache(0, (bytes) => this.reclaimer.released(bytes));
  private readonly compressedTier = new TinyLfuCache(0, (bytes) => this.reclaimer.released(bytes));
  /** Small index sections, least recently used first, bounded by {@link RESIDENT_SHARE} of the decoded share. */
  private readonly resident = new LruSegment();
  /** The key each cached object value was put under (for {@link chargeValue}). */
  private readonly keys = new WeakMap<object, number>();
  private residentHits = 0;
  private residentEvictions = 0;
  private capacity = 0;
  /** Bytes running queries reserved from the same budget ({@link setReserved}): the tiers share what is left. */
  private reserved = 0;
  /** The decoded share: the decoded tier plus the resident index sections. */
  private decodedShare = 0;
  /** Bytes the resident index sections may hold: a share of the decoded share of the whole budget. */
  private residentLimit = 0;

  /** `compressedShare`: the fraction of `capacity` given to the compressed tier (0 = no tier). */
  constructor(capacity: number, private compressedShare = 0) {
    checkShare(compressedShare);
    this.resize(capacity);
  }

  /** The whole budget, both tiers. */
  get capacityBytes(): number {
    return this.capacity;
  }

  /** Bytes the compressed tier may hold now (0: it keeps nothing). */
  get compressedTierCapacity(): number {
    return this.compressedTier.capacityBytes;
  }

  /** The compressed tier's share of the budget. */
  get compressedTierShare(): number {
    return this.compressedShare;
  }

  /** True when blocks are kept at all (capacity above 0). */
  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Changes the bound of both tiers, evicting down to it at once. */
  resize(capacityBytes: number): void {
    this.capacity = Math.max(0, capacityBytes);
    this.apportion();
  }

  /**
   * Gives `bytes` of the budget to running queries (`QueryMemory`): both tiers shrink to what is
   * left, evicting at once, but never below {@link floorBytes} (the resident index share: the
   * sections every query of a column reads). Reserving less gives the room back.
   */
  setReserved(bytes: number): void {
    this.reserved = Math.max(0, bytes);
    this.apportion();
  }

  /** Bytes held by every tier now (as `stats().bytes`, without building the stats). */
  get bytes(): number {
    return this.decoded.bytes + this.compressedTier.bytes + this.resident.bytes;
  }

  /** Bytes queries have reserved from the budget. */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** The least the tiers keep however much queries reserve: the resident index share of the budget. */
  get floorBytes(): number {
    return Math.floor((this.capacity - Math.floor(this.capacity * this.compressedShare)) * RESIDENT_SHARE);
  }

  /** Splits what queries leave of the budget between the tiers, evicting down to each bound at once. */
  private apportion(): void {
    const usable = this.capacity === 0 ? 0 : Math.max(this.floorBytes, this.capacity - this.reserved);
    const compressed = Math.floor(usable * this.compressedShare);
    this.compressedTier.resize(compressed);
    this.decodedShare = usable - compressed;
    this.residentLimit = Math.min(this.floorBytes, this.decodedShare);
    this.evictResidentWhileOver(this.residentCapacity);
    this.decoded.resize(this.decodedShare - this.resident.bytes);
  }

  /** Bytes the resident index sections may hold. */
  private get residentCapacity(): number {
    return this.residentLimit;
  }

  private evictResidentWhileOver(limit: number): void {
    while (this.resident.bytes > limit) {
      const key = this.resident.oldest()!;
      this.residentEvictions++;
      // As for the decoded tier: its compressed copy, if still held, becomes the one to keep.
      this.compressedTier.touch(key);
      this.releaseResident(this.resident.remove(key));
    }
  }

  /** Gives the decoded tier what the resident sections do not use (evicting from it at once if that shrank). */
  private settleDecoded(): void {
    this.decoded.resize(this.decodedShare - this.resident.bytes);
  }

  /** Changes the compressed tier's share of the same budget (0 turns the tier off). */
  setCompressedShare(share: number): void {
    checkShare(share);
    this.compressedShare = share;
    this.resize(this.capacity);
  }

  /** The decoded value under `key` (marking it used), or undefined (a miss). */
  get<T = DecodedBlock>(key: number): T | undefined {
    if (this.resident.size > 0) {
      const e = this.resident.get(key);
      if (e !== undefined) {
        this.resident.refresh(key);
        this.residentHits++;
        return e.value as T;
      }
    }
    return this.decoded.get<T>(key);
  }

  /** Marks decoded `key` used, if cached (no hit or miss counted). */
  touch(key: number): void {
    if (this.resident.has(key)) this.resident.refresh(key);
    else this.decoded.touch(key);
  }

  /**
   * Caches a small index section every query of its column reads (a page directory, a timestamp
   * index, a bloom filter) apart from the decoded tier's eviction: such sections are held least
   * recently used first within {@link RESIDENT_SHARE} of the decoded share, so scans of blocks and
   * large indexes cannot push them out (they would be decoded again by every query). A section
   * larger than an eighth of that share goes to the decoded tier as `put` does. Returns `value`.
   */
  putIndex<T>(key: number, value: T, bytes: number, onEvict?: () => void): T {
    const capacity = this.residentCapacity;
    if (bytes > capacity * RESIDENT_MAX_ENTRY) return this.put(key, value, bytes, onEvict);
    this.decoded.deleteRange(key, 1);
    this.releaseResident(this.resident.remove(key));
    this.evictResidentWhileOver(capacity - bytes);
    this.resident.add(key, { value, bytes, onEvict });
    this.remember(key, value);
    this.settleDecoded();
    return value;
  }

  /**
   * Caches decoded `value` of `bytes` (unless it alone exceeds the decoded tier) and returns it.
   * `onEvict` runs when the entry leaves the decoded tier, so an owner holding a direct reference
   * drops it too.
   */
  put<T>(key: number, value: T, bytes: number, onEvict?: () => void): T {
    this.remember(key, value);
    return this.decoded.put(key, value, bytes, () => {
      // Leaving the decoded tier: its compressed copy, if still held, becomes the one to keep.
      this.compressedTier.touch(key);
      onEvict?.();
    });
  }

  /**
   * Adds `extra` bytes to the cost of the decoded entry holding `value` (what a query derived from
   * it and keeps as long as the entry lives: a dictionary's decoded numbers), evicting to stay
   * within the budget; false when `value` is not cached (any more).
   */
  chargeValue(value: object, extra: number): boolean {
    const key = this.keys.get(value);
    if (key === undefined) return false;
    if (this.resident.charge(key, value, extra)) {
      this.evictResidentWhileOver(this.residentCapacity);
      this.settleDecoded();
      return true;
    }
    return this.decoded.charge(key, value, extra);
  }

  /** A resident index section left: its owner drops its reference, and the bytes are reported. */
  private releaseResident(e: CacheEntry | undefined): void {
    if (e === undefined) return;
    this.reclaimer.released(e.bytes);
    e.onEvict?.();
  }

  private remember(key: number, value: unknown): void {
    if (typeof value === 'object' && value !== null) this.keys.set(value, key);
  }

  /** The file bytes of section `key` held by the compressed tier, or undefined. */
  getCompressed(key: number): Uint8Array | undefined {
    return this.compressedTier.get<Uint8Array>(key);
  }

  /**
   * Keeps the file bytes of section `key` (checked: they decoded cleanly) in the compressed tier.
   * Bytes that view a larger buffer (a small read from Node's shared pool) are copied, so the
   * tier's count is what it keeps alive.
   */
  putCompressed(key: number, bytes: Uint8Array): void {
    const cost = bytes.byteLength + COMPRESSED_ENTRY_OVERHEAD;
    if (cost > this.compressedTier.capacityBytes) return;
    const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes : bytes.slice();
    this.compressedTier.put(key, own, cost);
  }

  /** Drops section `key` from the compressed tier (its bytes failed to decode). */
  dropCompressed(key: number): void {
    this.compressedTier.deleteRange(key, 1);
  }

  /** Removes the entries of keys `[from, from + count)` (the entries of one column) from every tier. */
  deleteRange(from: number, count: number): void {
    this.decoded.deleteRange(from, count);
    this.compressedTier.deleteRange(from, count);
    if (this.resident.size > 0) {
      const before = this.resident.bytes;
      for (let k = from; k < from + count; k++) this.releaseResident(this.resident.remove(k));
      if (this.resident.bytes !== before) this.settleDecoded();
    }
  }

  /** Empties every tier and forgets their usage history. */
  clear(): void {
    const resident = this.resident.drain();
    this.decoded.clear();
    this.compressedTier.clear();
    for (const e of resident) this.releaseResident(e);
    this.settleDecoded();
  }

  stats(): BlockCacheStats {
    const d = this.decoded.stats();
    const c = this.compressedTier.stats();
    const r = this.resident;
    return {
      ...d,
      hits: d.hits + this.residentHits,
      bytes: d.bytes + c.bytes + r.bytes,
      capacityBytes: this.capacity,
      decodedBytes: d.bytes + r.bytes,
      compressed: c,
      resident: { bytes: r.bytes, entries: r.size, capacityBytes: this.residentCapacity, hits: this.residentHits, evictions: this.residentEvictions },
    };
  }
}

function checkShare(share: number): void {
  if (!(share >= 0 && share <= MAX_COMPRESSED_SHARE)) throw new RangeError(`the compressed tier's share must be in [0, ${MAX_COMPRESSED_SHARE}], got ${share}`);
}

/**
 * Bytes a decoded block holds: its section buffer plus JS objects for RAW strings and bytes; a
 * narrowed INT block (`narrowInts`) holds its own copies instead of the section.
 */
export function decodedBlockBytes(block: DecodedBlock, sectionBytes: number): number {
  const values = block.values;
  if (values instanceof Uint16Array) return values.byteLength + (block.nulls?.byteLength ?? 0) + 256;
  let bytes = sectionBytes + 256;
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
 * The compressed tier's share for a `--compressed-tier-percent` / `SHARDTABLE_COMPRESSED_TIER_PERCENT`
 * value: a whole percent of the memory budget from 0 (no compressed tier) to 90; unset or empty =
 * {@link DEFAULT_COMPRESSED_SHARE}. Throws a message naming the setting for anything else.
 */
export function parseCompressedTierPercent(raw: string | undefined, what = COMPRESSED_TIER_ENV): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_COMPRESSED_SHARE;
  const percent = Number(raw);
  const max = MAX_COMPRESSED_SHARE * 100;
  if (!Number.isInteger(percent) || percent < 0 || percent > max) throw new Error(`${what} must be a whole percent from 0 (no compressed tier) to ${max}, got ${JSON.stringify(raw)}`);
  return percent / 100;
}

/**
 * The process-wide cache every sealed column reads through (the memory budget). Starts at the
 * default size and compressed share; `serve` sets both from `--memory-budget-mb` (alias
 * `--block-cache-mb`) and `--compressed-tier-percent`, or the environment.
 */
export const blockCache = new BlockCache(defaultBlockCacheBytes(), DEFAULT_COMPRESSED_SHARE);
