import { AccessFrequency } from './access-frequency.js';
import { LruSegment } from './lru-segment.js';
import type { CacheEntry } from './lru-segment.js';

/** Counters of one cache tier. */
export interface TierStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries that left to keep the tier within its bound, newcomers refused admission included. */
  readonly evictions: number;
  /** Of `evictions`: newcomers refused a place because they were used less than what they would push out. */
  readonly rejected: number;
  /** Bytes of the entries held now. */
  readonly bytes: number;
  readonly entries: number;
  readonly capacityBytes: number;
}

/**
 * Share of the capacity for the admission window, where every newcomer starts (plain LRU): 1 %,
 * Caffeine's default. A larger window is dead weight for a repeated scan larger than the cache
 * (its entries are the ones used furthest in the future): at 10 % the storage bench's broad
 * queries hit 5-8 points less (bench/notes.md, "Storage: the cost of a miss").
 */
const WINDOW_SHARE = 0.01;
/** Share of the main part kept for entries used at least twice while cached. */
const PROTECTED_SHARE = 0.8;

/**
 * A byte-bounded, scan-resistant cache keyed by small integers: one tier of the memory budget
 * (`BlockCache` holds two, decoded and compressed). Eviction is W-TinyLFU weighted by bytes
 * (docs/decisions.md): a newcomer enters a small LRU window (1 % of the bytes, and at least the
 * newest entry), so an entry read over and over right after it is cached stays; when it leaves
 * the window it is admitted to the main part only if it was used more often lately
 * ({@link AccessFrequency}) than the entries it would push out, else it is dropped. The main part is a segmented LRU: probation, and a protected
 * 80 % for entries hit again while cached. So a repeated scan larger than the tier keeps hitting
 * the part that fits (plain LRU evicts every entry of a cyclic scan before its reuse: 0 hits), and
 * a one-off scan cannot flush a hot working set. The bound is on the sum of the entries' bytes,
 * always.
 */
export class TinyLfuCache {
  private readonly window = new LruSegment();
  private readonly probation = new LruSegment();
  private readonly protected = new LruSegment();
  private readonly frequency = new AccessFrequency();
  private hitCount = 0;
  private missCount = 0;
  private evictionCount = 0;
  private rejectedCount = 0;
  /** Bytes of the entry put last (the window is at least that large). */
  private newestBytes = 0;

  /** `onRelease`: told the bytes of every entry that leaves (evicted, refused, replaced, deleted, cleared). */
  constructor(
    private capacity: number,
    private readonly onRelease?: (bytes: number) => void,
  ) {}

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
  get<T>(key: number): T | undefined {
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
      this.release({ value, bytes, onEvict });
      return value;
    }
    this.remove(key);
    this.frequency.record(key, this.entryCount);
    this.window.add(key, { value, bytes, onEvict });
    this.newestBytes = bytes;
    // The newest entry always stays in the window, even when it alone is larger than the window.
    while (this.window.bytes > this.windowTarget && this.window.size > 1) {
      const oldest = this.window.oldest()!;
      this.admit(oldest, this.window.remove(oldest)!);
    }
    this.evictWhileOver(this.capacity, false);
    return value;
  }

  /**
   * Adds `extra` bytes to the cost of cached `key` holding `value` (what its owner derived from it and keeps as
   * long as it: decoded numbers of a dictionary), evicting others to stay within the bound; false
   * when `key` is not cached.
   */
  charge(key: number, value: unknown, extra: number): boolean {
    if (!(this.window.charge(key, value, extra) || this.probation.charge(key, value, extra) || this.protected.charge(key, value, extra))) return false;
    this.evictWhileOver(this.capacity, true);
    return true;
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
    this.newestBytes = 0;
    for (const e of all) this.release(e);
  }

  stats(): TierStats {
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

  /** Bytes of the entries held now. */
  get bytes(): number {
    return this.used;
  }

  private get used(): number {
    return this.window.bytes + this.probation.bytes + this.protected.bytes;
  }

  private get entryCount(): number {
    return this.window.size + this.probation.size + this.protected.size;
  }

  /**
   * The window's share, and at least the newest entry: a newcomer larger than 1 % of the cache
   * makes room in the main part through admission (entries leaving the window compete with what
   * they would push out) rather than by pushing out the main part's oldest, whatever their use.
   */
  private get windowTarget(): number {
    return Math.min(this.capacity, Math.max(Math.floor(this.capacity * WINDOW_SHARE), this.newestBytes));
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
    this.release(e);
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
    this.release(e);
  }

  /** Takes `key` out (deleted or replaced: not an eviction). */
  private remove(key: number): void {
    const e = this.window.remove(key) ?? this.probation.remove(key) ?? this.protected.remove(key);
    if (e !== undefined) this.release(e);
  }

  /** An entry left: its owner drops its reference, and the bytes are reported. */
  private release(e: CacheEntry): void {
    this.onRelease?.(e.bytes);
    e.onEvict?.();
  }
}
