/** The typed arrays column builders grow. */
export type GrowableArray = Int32Array | Uint32Array | Uint8Array | Float32Array | Float64Array | BigInt64Array;

/**
 * A typed array that grows by doubling, shared by every column builder.
 *
 * Append-only contract (what lets a reader see a consistent prefix): an element, once written at
 * index `i < length`, is never changed. Growing allocates a new array, copies, and from then on
 * writes only go to the new array; the old one is left untouched, so a reader that captured
 * `array` earlier still reads correct values for every index it could see then. Always read
 * through `array` (not a cached reference) to see values appended since. Never transfer (detach)
 * `array` to another thread: queries over a consuming segment read `prefix` views of it; hand
 * out `copy()` instead.
 *
 * @example
 *   const buf = new GrowableBuffer(Int32Array);
 *   buf.reserve(buf.length + 1); buf.array[buf.length++] = 42;
 */
export class GrowableBuffer<A extends GrowableArray> {
  array: A;
  /** Number of elements written. */
  length = 0;

  constructor(
    private readonly make: new (length: number) => A,
    initialCapacity = 1024,
  ) {
    this.array = new make(Math.max(1, initialCapacity));
  }

  /** Makes room for at least `capacity` elements (doubling, so appends are amortised O(1)). */
  reserve(capacity: number): void {
    if (capacity <= this.array.length) return;
    let next = this.array.length * 2;
    while (next < capacity) next *= 2;
    const grown = new this.make(next);
    (grown as unknown as { set(src: A): void }).set(this.array);
    this.array = grown;
  }

  /** Drops elements past `length` (rollback of a half-indexed row). */
  truncate(length: number): void {
    if (length < this.length) this.length = length;
  }

  /** A view of the written elements; valid until the next append. */
  view(): A {
    return this.array.subarray(0, this.length) as A;
  }

  /**
   * A view of the first `length` written elements that stays valid while appends continue: those
   * elements are never rewritten, and a growth leaves the viewed array untouched.
   */
  prefix(length: number): A {
    if (length > this.length) throw new RangeError(`prefix of ${length} elements, only ${this.length} written`);
    return this.array.subarray(0, length) as A;
  }

  /** An exact-size copy of the written elements, independent of later appends. */
  copy(): A {
    return this.array.slice(0, this.length) as A;
  }

  /** Bytes held (capacity, not length: that is what the process pays for). */
  get capacityBytes(): number {
    return this.array.byteLength;
  }
}
