/** Time source for rate limiting; tests pass a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
});

/**
 * Spaces GetRecords calls per shard (`requests_per_second_limit`). Slots are kept per key
 * (endpoint + stream + shard), and the process shares one limiter by default, so every table of
 * this server that reads the same shard draws on one budget instead of each throttling the
 * others (DESIGN.md §3).
 *
 * @example
 *   const slot = limiter.reserve(key, 1000 / rps, clock.now(), deadline);
 *   if (slot === undefined) return emptyBatch; // no slot before the fetch's deadline
 *   await clock.sleep(slot - clock.now());
 */
export class ShardRateLimiter {
  private readonly nextSlot = new Map<string, number>();

  /**
   * Reserves the earliest call slot at or after `now` that is `intervalMs` after the previous
   * reservation for `key`. Returns the slot's time, or undefined (reserving nothing) when that is
   * later than `deadline`.
   */
  reserve(key: string, intervalMs: number, now: number, deadline: number): number | undefined {
    const slot = Math.max(now, this.nextSlot.get(key) ?? now);
    if (slot > deadline) return undefined;
    this.nextSlot.set(key, slot + intervalMs);
    return slot;
  }

  /** Forgets a key (its shard ended or its consumer closed and nobody else reads it). */
  forget(key: string): void {
    this.nextSlot.delete(key);
  }
}

/** The process-wide limiter the consumer factory uses unless told otherwise. */
export const sharedShardRateLimiter = new ShardRateLimiter();
