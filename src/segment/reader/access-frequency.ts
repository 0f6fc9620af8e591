/** Highest count kept per key (TinyLFU's 4-bit counters): old favourites decay in a few periods. */
const MAX_COUNT = 15;
/** The history is halved after this many recorded accesses per cached entry (at least `MIN_PERIOD`). */
const PERIOD_PER_ENTRY = 10;
const MIN_PERIOD = 1024;

/**
 * How often each cache key was used lately, for the block cache's admission decision (TinyLFU:
 * "is the newcomer used more often than the entry it would push out?"). Keys are counted whether
 * or not they are cached now, so a block read again after eviction is known to be reused. Every
 * count is halved once the accesses recorded since the last halving reach ten per cached entry,
 * so the history follows the workload as it changes; a key whose count halves to 0 is forgotten,
 * which bounds the map to about twice the keys used in one period.
 *
 * Exact counts in a `Map` rather than TinyLFU's count-min sketch: the keys are small integers and
 * a period holds thousands of them, not millions.
 */
export class AccessFrequency {
  private readonly counts = new Map<number, number>();
  private recorded = 0;

  /** Records one use of `key`; `entries` (the cache's entry count) sets the ageing period. */
  record(key: number, entries: number): void {
    const n = this.counts.get(key) ?? 0;
    if (n < MAX_COUNT) this.counts.set(key, n + 1);
    if (++this.recorded >= Math.max(MIN_PERIOD, PERIOD_PER_ENTRY * entries)) this.age();
  }

  /** Recent uses of `key` (0 when unknown). */
  of(key: number): number {
    return this.counts.get(key) ?? 0;
  }

  forget(key: number): void {
    this.counts.delete(key);
  }

  clear(): void {
    this.counts.clear();
    this.recorded = 0;
  }

  /** Keys remembered now (for tests: the history stays bounded). */
  get size(): number {
    return this.counts.size;
  }

  /** Halves every count, dropping the keys that reach 0. */
  private age(): void {
    for (const [key, n] of this.counts) {
      if (n <= 1) this.counts.delete(key);
      else this.counts.set(key, n >> 1);
    }
    this.recorded = 0;
  }
}
