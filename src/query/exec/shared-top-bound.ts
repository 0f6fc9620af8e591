/**
 * The cut-off of an ORDER BY … LIMIT selection shared by every thread that reads part of one
 * query (worker threads and the main thread, through one `SharedArrayBuffer`): the best first
 * sort key that some thread's full top-k has as its worst. That thread keeps `offset + limit`
 * rows at least that good, so a row strictly worse on the first key can never be in the answer,
 * whichever thread meets it: each thread skips such rows, and blocks whose min/max show only
 * such rows, as the main thread does with its own top-k. Only numbers (not NaN) are shared.
 *
 * The double is held as its 64 bits in a `BigInt64Array` and changed by compare-and-swap, so
 * it is never read torn.
 */
export class SharedTopBound {
  private readonly bits: BigInt64Array;
  private readonly scratch = new Float64Array(1);
  private readonly scratchBits = new BigInt64Array(this.scratch.buffer);

  /** `desc`: the first ORDER BY key sorts descending (a higher value is better). */
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly desc: boolean,
  ) {
    this.bits = new BigInt64Array(buffer);
  }

  /** A new bound that excludes nothing yet. */
  static create(desc: boolean): SharedTopBound {
    const bound = new SharedTopBound(new SharedArrayBuffer(8), desc);
    Atomics.store(bound.bits, 0, bound.toBits(desc ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY));
    return bound;
  }

  /** The current cut-off: rows strictly worse on the first key need not be read. */
  get(): number {
    this.scratchBits[0] = Atomics.load(this.bits, 0);
    return this.scratch[0]!;
  }

  /** Offers the worst first key of a full top-k: kept when better than the current cut-off. */
  offer(value: number): void {
    if (Number.isNaN(value)) return;
    const bits = this.toBits(value);
    for (;;) {
      const current = Atomics.load(this.bits, 0);
      this.scratchBits[0] = current;
      const v = this.scratch[0]!;
      if (!(this.desc ? value > v : value < v)) return;
      if (Atomics.compareExchange(this.bits, 0, current, bits) === current) return;
    }
  }

  private toBits(value: number): bigint {
    this.scratch[0] = value;
    return this.scratchBits[0]!;
  }
}
