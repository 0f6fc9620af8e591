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
 * Spaces GetRecords calls per shard (`requests_per_second_limit`, `minFetchPeriod`) and holds the
 * shard after large reads (`maxFetchRate`, see `kinesis-fetch-budget.ts`). Slots are kept per key
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
  /** When the shard's byte budget is paid off (`chargeBytes`); no call slot before it. */
  private readonly bytesFreeAt = new Map<string, number>();

  /**
   * Reserves the earliest call slot at or after `now` that is `intervalMs` after the previous
   * reservation for `key`. Returns the slot's time, or undefined (reserving nothing) when that is
   * later than `deadline`.
   */
  reserve(key: string, intervalMs: number, now: number, deadline: number): number | undefined {
    const slot = Math.max(now, this.nextSlot.get(key) ?? now, this.bytesFreeAt.get(key) ?? now);
    if (slot > deadline) return undefined;
    this.nextSlot.set(key, slot + intervalMs);
    return slot;
  }

  /**
   * The byte budget (`maxFetchRate`): a call made at `callAt` that returned B bytes costs
   * `holdMs` = B / rate of read time on the shard. Costs queue up, so two tables reading the same
   * shard together stay within one rate: the budget is paid off at max(previous, callAt) + holdMs,
   * and no slot is handed out before that. Slots already reserved are kept.
   */
  chargeBytes(key: string, callAt: number, holdMs: number): void {
    if (!(holdMs > 0)) return;
    this.bytesFreeAt.set(key, Math.max(this.bytesFreeAt.get(key) ?? callAt, callAt) + holdMs);
  }

  /** When `key`'s next call may be made at the earliest (undefined: at once). */
  nextSlotOf(key: string): number | undefined {
    const slot = this.nextSlot.get(key);
    const bytes = this.bytesFreeAt.get(key);
    if (slot === undefined) return bytes;
    return bytes === undefined ? slot : Math.max(slot, bytes);
  }

  /** Forgets a key (its shard ended or its consumer closed and nobody else reads it). */
  forget(key: string): void {
    this.nextSlot.delete(key);
    this.bytesFreeAt.delete(key);
  }
}

/** The process-wide limiter the consumer factory uses unless told otherwise. */
export const sharedShardRateLimiter = new ShardRateLimiter();
