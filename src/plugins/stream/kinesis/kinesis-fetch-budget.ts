import type { Clock, ShardRateLimiter } from './kinesis-rate-limiter.js';

/** 1 MB in `maxFetchRate` is a MiB, as in AWS's "2 MB/s per shard" read limit. */
export const BYTES_PER_MB = 1024 * 1024;

/** How one shard's GetRecords calls are paced (from `KinesisConfig`). */
export interface FetchPacing {
  /** Minimum spacing of calls on a shard: max(1000 / `requests_per_second_limit`, `minFetchPeriod`). */
  readonly callIntervalMs: number;
  /** `maxFetchRate` in bytes per millisecond: after B bytes, the next call waits B / this. */
  readonly bytesPerMs: number;
  /** Ceiling of the idle backoff: a shard that keeps returning nothing is polled this often at most. */
  readonly idleBackoffMaxMs: number;
}

/** Builds the pacing of one table's shards from its Kinesis settings. */
export function fetchPacing(settings: { requestsPerSecondLimit: number; minFetchPeriodMs: number; maxFetchRateMBps: number }): FetchPacing {
  const callIntervalMs = Math.max(1000 / settings.requestsPerSecondLimit, settings.minFetchPeriodMs);
  return Object.freeze({
    callIntervalMs,
    bytesPerMs: (settings.maxFetchRateMBps * BYTES_PER_MB) / 1000,
    // Up to 1 s, or 5 call periods when calls are closer than 200 ms apart (an emulator setting).
    idleBackoffMaxMs: Math.max(callIntervalMs, Math.min(1000, callIntervalMs * 5)),
  });
}

/** What a GetRecords call returned, as pacing needs it. */
export interface FetchOutcome {
  readonly records: number;
  readonly bytes: number;
  /** True when the shard is behind: `MillisBehindLatest > 0` or the batch was full (`Limit` records). */
  readonly behind: boolean;
}

/**
 * Paces one consumer's GetRecords calls on one shard (Spark's `minFetchPeriod` / `maxFetchRate`,
 * plus adaptive idle polling). The call and byte budget live in the shared `ShardRateLimiter`, keyed
 * by endpoint + stream + shard, so every table of this process reading the shard draws on one
 * budget; the idle backoff is this consumer's own (another table's cursor may be behind).
 *
 * - Call budget: at most one call per `callIntervalMs` per shard, across tables.
 * - Byte budget: a call that returned B bytes costs B / `bytesPerMs` of the shard's read time;
 *   costs of all tables queue up (`ShardRateLimiter.chargeBytes`), so together they stay in the rate.
 * - Idle: after an empty batch the next poll waits `callIntervalMs`, doubling on each further empty
 *   batch up to `idleBackoffMaxMs`; any records reset it. Behind → no idle wait at all.
 *
 * @example
 *   if (!(await pacer.waitTurn(deadline))) return EMPTY; // slept until the deadline, no call made
 *   const batch = await getRecords();
 *   pacer.afterFetch({ records: n, bytes, behind: millisBehindLatest > 0 });
 */
export class ShardFetchPacer {
  private idleDelayMs = 0;
  private notBefore = 0;
  /** When the call `waitTurn` last granted starts (its slot). */
  private callAt = 0;

  constructor(
    private readonly limiter: ShardRateLimiter,
    private readonly key: string,
    private readonly clock: Clock,
    readonly pacing: FetchPacing,
  ) {}

  /** The wait this consumer adds after its last batch (0 when not idle); for tests and status. */
  get idleDelay(): number {
    return this.idleDelayMs;
  }

  /**
   * Waits until this consumer may call GetRecords and reserves the call in the shared budget.
   * Returns false, having slept until `deadline` (never spinning), when no call fits before it.
   */
  async waitTurn(deadline: number): Promise<boolean> {
    const { clock } = this;
    if (this.notBefore > clock.now()) {
      if (this.notBefore > deadline) return this.sleepUntil(deadline);
      await this.sleepUntil(this.notBefore);
    }
    const slot = this.limiter.reserve(this.key, this.pacing.callIntervalMs, clock.now(), deadline);
    if (slot === undefined) return this.sleepUntil(deadline);
    this.callAt = slot;
    await this.sleepUntil(slot);
    return true;
  }

  /** Charges the call's bytes to the shard's shared budget and adapts this consumer's idle polling. */
  afterFetch(outcome: FetchOutcome): void {
    const now = this.clock.now();
    this.limiter.chargeBytes(this.key, this.callAt, outcome.bytes / this.pacing.bytesPerMs);
    if (outcome.records > 0 || outcome.behind) {
      this.idleDelayMs = 0;
      this.notBefore = 0;
      return;
    }
    const { callIntervalMs, idleBackoffMaxMs } = this.pacing;
    this.idleDelayMs = this.idleDelayMs === 0 ? callIntervalMs : Math.min(idleBackoffMaxMs, this.idleDelayMs * 2);
    this.notBefore = now + this.idleDelayMs;
  }

  private async sleepUntil(at: number): Promise<false> {
    const wait = at - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    return false;
  }
}

/** In-flight GetRecords calls of one table, for status and tests. */
export interface FetchConcurrencyStats {
  readonly limit: number;
  readonly inFlight: number;
  /** Highest `inFlight` ever seen (a gauge's high-water mark). */
  readonly maxInFlight: number;
  /** Fetches queued for a permit now. */
  readonly waiting: number;
}

/**
 * Caps how many fetches of one table are in flight at once (`stream.kinesis.max.concurrent.fetches`),
 * so a 50-shard stream does not open 50 sockets at once. Waiters are served first in, first out,
 * so every shard gets its turn: no shard starves while others keep fetching.
 *
 * @example
 *   await semaphore.acquire();
 *   try { await getRecords(); } finally { semaphore.release(); }
 */
export class FetchSemaphore {
  private active = 0;
  private highWater = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new RangeError(`fetch concurrency must be a positive integer (got ${limit})`);
  }

  /** Resolves when a permit is held; the caller must `release()` it exactly once. */
  acquire(): Promise<void> {
    if (this.active < this.limit && this.queue.length === 0) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.queue.push(() => {
      this.take();
      resolve();
    }));
  }

  release(): void {
    if (this.active === 0) throw new Error('FetchSemaphore.release() without acquire()');
    this.active--;
    const next = this.queue.shift();
    if (next) next();
  }

  stats(): FetchConcurrencyStats {
    return { limit: this.limit, inFlight: this.active, maxInFlight: this.highWater, waiting: this.queue.length };
  }

  private take(): void {
    this.active++;
    if (this.active > this.highWater) this.highWater = this.active;
  }
}
