import { totalmem } from 'node:os';
import type { DecodedBlock } from '../segment-view.js';
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
}

/** Share of the memory budget the process-wide cache gives its compressed tier unless told otherwise. */
export const DEFAULT_COMPRESSED_SHARE = 0.2;
/** Largest compressed-tier share accepted: the decoded tier always keeps most of the budget. */
export const MAX_COMPRESSED_SHARE = 0.9;
/** Env var that sets the compressed tier's share of the budget, in percent (0 turns the tier off). */
export const COMPRESSED_TIER_ENV = 'SHARDTABLE_COMPRESSED_TIER_PERCENT';
/** Bookkeeping bytes counted per compressed entry beyond its bytes. */
const COMPRESSED_ENTRY_OVERHEAD = 96;

/**
 * The memory budget of sealed segments (`serve --memory-budget-mb`): everything a sealed segment
 * holds beyond its footer lives here, shared by every segment of every table and bounded by
 * bytes, in two tiers that split the one budget (`--compressed-tier-percent`, default 20 %):
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
  private readonly decoded = new TinyLfuCache(0);
  private readonly compressedTier = new TinyLfuCache(0);
  private capacity = 0;

  /** `compressedShare`: the fraction of `capacity` given to the compressed tier (0 = no tier). */
  constructor(capacity: number, private compressedShare = 0) {
    checkShare(compressedShare);
    this.resize(capacity);
  }

  /** The whole budget, both tiers. */
  get capacityBytes(): number {
    return this.capacity;
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
    const compressed = Math.floor(this.capacity * this.compressedShare);
    this.compressedTier.resize(compressed);
    this.decoded.resize(this.capacity - compressed);
  }

  /** Changes the compressed tier's share of the same budget (0 turns the tier off). */
  setCompressedShare(share: number): void {
    checkShare(share);
    this.compressedShare = share;
    this.resize(this.capacity);
  }

  /** The decoded value under `key` (marking it used), or undefined (a miss). */
  get<T = DecodedBlock>(key: number): T | undefined {
    return this.decoded.get<T>(key);
  }

  /** Marks decoded `key` used, if cached (no hit or miss counted). */
  touch(key: number): void {
    this.decoded.touch(key);
  }

  /**
   * Caches decoded `value` of `bytes` (unless it alone exceeds the decoded tier) and returns it.
   * `onEvict` runs when the entry leaves the decoded tier, so an owner holding a direct reference
   * drops it too.
   */
  put<T>(key: number, value: T, bytes: number, onEvict?: () => void): T {
    return this.decoded.put(key, value, bytes, () => {
      // Leaving the decoded tier: its compressed copy, if still held, becomes the one to keep.
      this.compressedTier.touch(key);
      onEvict?.();
    });
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

  /** Removes the entries of keys `[from, from + count)` (the entries of one column) from both tiers. */
  deleteRange(from: number, count: number): void {
    this.decoded.deleteRange(from, count);
    this.compressedTier.deleteRange(from, count);
  }

  /** Empties both tiers and forgets their usage history. */
  clear(): void {
    this.decoded.clear();
    this.compressedTier.clear();
  }

  stats(): BlockCacheStats {
    const d = this.decoded.stats();
    const c = this.compressedTier.stats();
    return { ...d, bytes: d.bytes + c.bytes, capacityBytes: this.capacity, decodedBytes: d.bytes, compressed: c };
  }
}

function checkShare(share: number): void {
  if (!(share >= 0 && share <= MAX_COMPRESSED_SHARE)) throw new RangeError(`the compressed tier's share must be in [0, ${MAX_COMPRESSED_SHARE}], got ${share}`);
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
