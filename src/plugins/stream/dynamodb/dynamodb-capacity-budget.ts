/** Time for the capacity budget: real in production, a fake clock in tests. */
export interface BudgetClock {
  now(): number;
  /** Resolves after `ms` (a fake clock resolves when the test advances it). */
  sleep(ms: number): Promise<void>;
}

export const systemBudgetClock: BudgetClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/** DynamoDB meters a strongly consistent read at one unit per 4 KB read (a scan page: all its items together). */
export const BYTES_PER_RCU = 4096;
const WINDOW_MS = 1000;

/** One granted request: `settle` records what it really cost. */
export interface CapacityGrant {
  readonly units: number;
  settle(actualUnits: number): void;
}

/**
 * The read-capacity budget of one table's initial load (`stream.dynamodb.scan.rcu.limit`),
 * shared by all its scan segments: a sliding one-second window of what requests were granted.
 * A request waits until its estimate fits under the cap within the last second, is granted, and
 * then settles its real cost (the larger of `ConsumedCapacity` and a size estimate). The scan
 * sizes each page so its estimate is an upper bound (items × the largest item any segment has
 * seen), so the units charged in any one second never exceed the cap. The one exception is a page
 * holding an item larger than every item read before it (DynamoDB does not say an item's size
 * before it is read): that page can cost more than estimated, its excess is charged at once, and
 * the following pages wait for it, so the cap still holds on average (docs/dynamodb.md).
 *
 * @example
 *   const grant = await budget.acquire(12);
 *   const page = await scan();
 *   grant.settle(Math.max(page.ConsumedCapacity?.CapacityUnits ?? 0, sizeUnits));
 */
export class CapacityBudget {
  private readonly log: { at: number; units: number }[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** Every unit settled since the load started, for progress. */
  totalUnits = 0;
  /**
   * The largest item any segment has read (bytes): pages are sized and estimated by it, so an
   * estimate is an upper bound unless a page holds an item larger than every one before it.
   */
  largestItemBytes = 0;

  constructor(
    readonly capPerSecond: number,
    private readonly clock: BudgetClock = systemBudgetClock,
  ) {}

  /** Units in the window ending now. */
  usedInLastSecond(): number {
    this.prune();
    return this.log.reduce((n, e) => n + e.units, 0);
  }

  /** Waits (first come, first served) until `estimate` units fit, then grants them. */
  acquire(estimate: number): Promise<CapacityGrant> {
    const units = Math.min(Math.max(estimate, 0), this.capPerSecond);
    const granted = this.queue.then(() => this.waitFor(units));
    this.queue = granted.then(() => undefined);
    return granted;
  }

  private async waitFor(units: number): Promise<CapacityGrant> {
    for (;;) {
      this.prune();
      const used = this.log.reduce((n, e) => n + e.units, 0);
      if (used + units <= this.capPerSecond + 1e-9) break;
      // Wait until enough of the oldest charges leave the window.
      let free = this.capPerSecond - used;
      let until = this.clock.now();
      for (const e of this.log) {
        free += e.units;
        until = e.at + WINDOW_MS;
        if (free >= units) break;
      }
      await this.clock.sleep(Math.max(1, until - this.clock.now()));
    }
    const entry = { at: this.clock.now(), units };
    this.log.push(entry);
    return {
      units,
      settle: (actual: number) => {
        this.totalUnits += actual;
        if (actual > entry.units) {
          // An underestimate: the excess is charged now, so the following pages wait for it.
          this.log.push({ at: this.clock.now(), units: actual - entry.units });
        } else entry.units = actual;
      },
    };
  }

  private prune(): void {
    const edge = this.clock.now() - WINDOW_MS;
    while (this.log.length > 0 && this.log[0]!.at <= edge) this.log.shift();
  }
}

/**
 * Items to ask for in one scan page so its cost estimate fits `shareUnits` (the page's share of
 * the cap): floor(share × 4 KB / largest item seen), at least 1, at most `pageLimit`.
 */
export function pageItemLimit(shareUnits: number, largestItemBytes: number, pageLimit: number): number {
  const perItem = Math.max(1, largestItemBytes);
  return Math.max(1, Math.min(pageLimit, Math.floor((shareUnits * BYTES_PER_RCU) / perItem)));
}

/** The cost estimate of a page of `items` items none larger than `largestItemBytes`. */
export function pageEstimate(items: number, largestItemBytes: number): number {
  return Math.max(1, Math.ceil((items * Math.max(1, largestItemBytes)) / BYTES_PER_RCU));
}
