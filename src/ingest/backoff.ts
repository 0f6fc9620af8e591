/**
 * Exponential backoff with full jitter, for retrying transient stream errors: the n-th wait is a
 * random time in [0, min(maxMs, baseMs * 2^n)], so many partitions throttled together spread out.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 100,
    private readonly maxMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next wait in millis; each call doubles the ceiling. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
