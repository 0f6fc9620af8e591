import { fixMmapThreshold, trimMalloc, trimMallocAsync } from '../../util/malloc-trim.js';

const MIB = 1024 * 1024;
/** Bytes released between trims: this share of the budget… */
const TRIM_SHARE = 1 / 16;
/** …and at least this much. */
const MIN_TRIM_BYTES = 32 * MIB;
/**
 * At most one trim a second: each walks the allocator's heap (10-40 ms at a GiB, on a libuv thread,
 * counted in the process's CPU). Every 500 ms lowered the 100M storage bench's peak by 30 MiB
 * (1,466 → 1,437) and cost more than it saved (bench/notes.md, "Freed memory returned").
 */
const MIN_INTERVAL_MS = 1000;
/**
 * Under memory pressure (a trim is due), allocations from 64 KiB up (a block of 16,384 INT values
 * or dictionary ids, and every larger section) are mapped apart, so they go back to the system the
 * moment V8 frees them, trim or no trim (`fixMmapThreshold`): at 100M rows under a 1 GiB budget
 * the peak resident memory fell from 1,607-1,623 to 1,500 MiB. A fresh mapping costs page faults
 * where a reused heap chunk costs none (a 3M-group GROUP BY with the cache not full: 479 → 600 ms),
 * so without pressure glibc's heap serves them again…
 */
const MAPPED_THRESHOLD = 64 * 1024;
/** …from this threshold up to which glibc's own dynamic one rises (its maximum)… */
const HEAP_THRESHOLD = 32 * MIB;
/** …once this long has passed since the last trim. */
const PRESSURE_MS = 30_000;

/** Counters of the trims run (metrics, the storage bench). */
export interface ReclaimerStats {
  /** Trims run. */
  readonly trims: number;
  /** Of `trims`: those that returned memory to the system. */
  readonly trimsReleased: number;
  /** Milliseconds the trims took, start to end (on a libuv thread, or on the query's thread before a large resize: `trimNow`). */
  readonly trimMs: number;
  /** Whether allocations of 64 KiB and more are mapped apart now (memory pressure: a trim within the last 30 s). */
  readonly largeAllocationsMapped: boolean;
}

/**
 * Gives the memory the block cache lets go back to the system. A decoded section evicted from
 * the cache is freed by V8 when it next collects, but glibc's allocator keeps freed pages in its
 * heap, so without this the process's resident size climbs to the allocator's high-water mark,
 * far above the budget (docs/decisions.md, "Freed memory returned to the system"). The cache
 * reports every byte that leaves it (`released`); once 1/16 of the budget has left, a trim
 * (`malloc_trim(0)` on a libuv thread) runs on a timer — at most once a second, off the eviction
 * path, by which time V8 has collected most of what left — and `afterCollection` trims at once
 * after a full collection (a large query's tables freed). One trim runs at a time. While trims
 * run, large allocations are mapped apart too (`MAPPED_THRESHOLD`).
 */
export class MemoryReclaimer {
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastRun = Number.NEGATIVE_INFINITY;
  private trims = 0;
  private trimsReleased = 0;
  private trimMs = 0;
  /** Large allocations mapped apart (see `MAPPED_THRESHOLD`) until `pressureEnds` fires. */
  private mapped = false;
  private pressureEnds: NodeJS.Timeout | undefined;

  /** `budgetBytes`: the memory budget now (0 = off: nothing is cached, nothing trimmed). */
  constructor(
    private readonly budgetBytes: () => number,
    private readonly trim: () => Promise<boolean> = trimMallocAsync,
    private readonly now: () => number = () => performance.now(),
    private readonly mmapThreshold: (bytes: number) => boolean = fixMmapThreshold,
    private readonly trimSync: () => boolean = trimMalloc,
  ) {}

  /** Bytes a trim waits for: 1/16 of the budget, at least 32 MiB. */
  get thresholdBytes(): number {
    return Math.max(MIN_TRIM_BYTES, Math.floor(this.budgetBytes() * TRIM_SHARE));
  }

  /** `bytes` left the cache (evicted, refused, deleted or cleared): schedules a trim once enough have. */
  released(bytes: number): void {
    this.pending += bytes;
    this.schedule();
  }

  /** A full garbage collection just freed a large amount: trim as soon as the running trim (if any) ends. */
  afterCollection(): void {
    this.pending = Math.max(this.pending, this.thresholdBytes);
    this.lastRun = Number.NEGATIVE_INFINITY;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  /**
   * Trims now, on this thread: a query's table is about to grow by a large share of the budget,
   * and a full collection just freed what the cache evicted to make room for it. Without this the
   * new arrays came before the timer's trim, on top of the freed heap pages (at 100M rows under a
   * 1 GiB budget, `GROUP BY userId` peaked ~170 MiB higher when it began with a full cache).
   * 10-40 ms at a GiB, a few times per large query.
   */
  trimNow(): void {
    if (this.budgetBytes() === 0) return;
    // A trim waiting on its timer would only repeat this one.
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const start = this.begin();
    let released = false;
    try {
      released = this.trimSync();
    } finally {
      this.finish(start, released);
    }
  }

  /** True while a trim is waiting for its turn or running. */
  get busy(): boolean {
    return this.timer !== undefined || this.running;
  }

  /** Resolves when no trim is waiting or running (tests, the storage bench). */
  async settled(): Promise<void> {
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
  }

  stats(): ReclaimerStats {
    return { trims: this.trims, trimsReleased: this.trimsReleased, trimMs: this.trimMs, largeAllocationsMapped: this.mapped };
  }

  /**
   * A trim is due: large allocations are mapped apart from now until `PRESSURE_MS` after the last
   * trim. The setting is the process's: a query thread's reclaimer switches it too, so each trim
   * sets it again (one `mallopt`), undoing another thread's switch back while this one is pressed.
   */
  private underPressure(): void {
    this.mapped = this.mmapThreshold(MAPPED_THRESHOLD);
    if (!this.mapped) return;
    if (this.pressureEnds !== undefined) clearTimeout(this.pressureEnds);
    this.pressureEnds = setTimeout(() => {
      this.pressureEnds = undefined;
      this.mapped = false;
      this.mmapThreshold(HEAP_THRESHOLD);
    }, PRESSURE_MS);
    this.pressureEnds.unref();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.running || this.pending < this.thresholdBytes || this.budgetBytes() === 0) return;
    const wait = Math.max(0, this.lastRun + MIN_INTERVAL_MS - this.now());
    this.timer = setTimeout(() => void this.run(), wait);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    const start = this.begin();
    let released = false;
    try {
      released = await this.trim();
    } finally {
      this.finish(start, released);
      this.running = false;
      this.schedule(); // memory released while it ran
    }
  }

  /** A trim starts: what was pending goes with it, under pressure. Returns its start time. */
  private begin(): number {
    this.pending = 0;
    this.underPressure();
    return this.now();
  }

  /** A trim that started at `start` ended (`released`: it gave memory back). */
  private finish(start: number, released: boolean): void {
    if (released) this.trimsReleased++;
    this.trims++;
    this.lastRun = this.now();
    this.trimMs += this.lastRun - start;
  }
}
