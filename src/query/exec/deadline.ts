import { AsyncLocalStorage } from 'node:async_hooks';

/** Milliseconds since the epoch; `Date.now` unless a test injects its own. */
export type Clock = () => number;

/** Units of work between two looks at the clock (a unit: one expression node for one row). */
export const WORK_UNITS_PER_CHECK = 256;

/**
 * A query's deadline. The executor checks it between segments and after every block; per-row
 * work whose cost grows with its values (expressions over strings or arrays, every regex / LIKE /
 * TEXT_MATCH test) reports units through `tick`, which reads the clock once per `WORK_UNITS_PER_CHECK` units, so a block whose rows are
 * expensive cannot run far past the deadline. Passing it throws what `expired` returns (the
 * executor's 250 `EXECUTION_TIMEOUT`).
 *
 * @example
 *   const deadline = new Deadline(Date.now() + 1000, Date.now, () => new QueryError('EXECUTION_TIMEOUT', …));
 *   await withDeadline(deadline, () => scan());   // compiled expressions pick it up
 */
export class Deadline {
  private budget = WORK_UNITS_PER_CHECK;

  /**
   * `cancelled`: a flag another thread may set (a query's `SharedArrayBuffer` in worker threads):
   * once it is non-zero, the next check throws as if the deadline had passed.
   */
  constructor(
    readonly atMs: number,
    readonly clock: Clock,
    private readonly expired: () => Error,
    private readonly cancelled: Int32Array | null = null,
  ) {}

  /** Throws once the clock is past the deadline. */
  check(): void {
    this.checkAt(this.clock());
  }

  /** Throws if `nowMs` (a clock reading the caller already has) is past the deadline. */
  checkAt(nowMs: number): void {
    if (nowMs > this.atMs || (this.cancelled !== null && Atomics.load(this.cancelled, 0) !== 0)) throw this.expired();
  }

  /** Counts `units` of work; every `WORK_UNITS_PER_CHECK` units, checks the clock. */
  tick(units = 1): void {
    if ((this.budget -= units) <= 0) {
      this.budget = WORK_UNITS_PER_CHECK;
      this.check();
    }
  }
}

/*
 * The deadline of the query running in this async context. Expression compilers read it once,
 * when they build a block's closures, and keep it; threading it through every aggregator,
 * group-by and selection constructor would touch a dozen files for one value. Code outside a
 * query (ingestion transforms compile the same expressions) sees none and ticks nothing.
 */
const current = new AsyncLocalStorage<Deadline>();

/** Runs `fn` with `deadline` as the current query's deadline (kept across its awaits). */
export function withDeadline<T>(deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  return current.run(deadline, fn);
}

/** The deadline of the query running now, if any. */
export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}

const queryStart = new AsyncLocalStorage<number>();

/** Runs `fn` (planning: where `now()` and `ago()` are computed) with the query's start time. */
export function withQueryStart<T>(startedAtMs: number, fn: () => T): T {
  return queryStart.run(startedAtMs, fn);
}

/**
 * The current query's "now", fixed when it started, so every `now()` and `ago()` of one query
 * agrees (Pinot computes them once, when it compiles the query); outside a query (ingestion
 * transforms), the clock.
 */
export function queryNowMs(): number {
  return queryStart.getStore() ?? Date.now();
}
