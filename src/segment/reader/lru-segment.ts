/** One cached value and what it costs. */
export interface CacheEntry {
  readonly value: unknown;
  readonly bytes: number;
  /** Called when the entry leaves the cache (evicted, replaced, deleted, cleared). */
  readonly onEvict: (() => void) | undefined;
}

/**
 * One recency-ordered part of the block cache (its window, probation or protected segment), with
 * the bytes it holds. A `Map` keeps insertion order, so re-inserting a key makes it the most
 * recently used and the first key is the least recently used.
 */
export class LruSegment {
  private readonly map = new Map<number, CacheEntry>();
  private held = 0;

  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: number): CacheEntry | undefined {
    return this.map.get(key);
  }

  has(key: number): boolean {
    return this.map.has(key);
  }

  /** Adds `entry` (or moves it) as the most recently used. */
  add(key: number, entry: CacheEntry): void {
    this.remove(key);
    this.map.set(key, entry);
    this.held += entry.bytes;
  }

  /** Adds `extra` bytes to the cost of `key` holding `value`, in place (its recency kept); false if absent. */
  charge(key: number, value: unknown, extra: number): boolean {
    const e = this.map.get(key);
    if (e === undefined || e.value !== value) return false;
    this.map.set(key, { ...e, bytes: e.bytes + extra });
    this.held += extra;
    return true;
  }

  /** Makes `key` the most recently used, if present. */
  refresh(key: number): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.map.delete(key);
    this.map.set(key, e);
  }

  /** Takes `key` out (without calling its `onEvict`) and returns its entry. */
  remove(key: number): CacheEntry | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.held -= e.bytes;
    return e;
  }

  /** The least recently used key, or undefined when empty. */
  oldest(): number | undefined {
    for (const key of this.map.keys()) return key;
    return undefined;
  }

  /** Keys from least to most recently used. */
  keys(): IterableIterator<number> {
    return this.map.keys();
  }

  /** Empties the segment and returns what it held. */
  drain(): CacheEntry[] {
    const all = [...this.map.values()];
    this.map.clear();
    this.held = 0;
    return all;
  }
}
