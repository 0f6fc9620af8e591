import { hashNumber } from './key-columns.js';

const MIN_SLOTS = 8;

/** `hashNumber` spread over the low bits (keys such as multiples of 1,000 would cluster). */
function slotHash(k: number): number {
  const h = Math.imul(hashNumber(k), 0x9e3779b1);
  return h ^ (h >>> 15);
}

/**
 * A set of numbers (SameValueZero, as a JS `Set`: -0 equals 0, NaN equals NaN) in one
 * `Float64Array` of slots, open addressing with linear probing, at most 3/4 full. An empty slot
 * holds NaN (a NaN key is a flag of its own), so a value costs 8 bytes per slot, 11-21 bytes in
 * all: the distinct sets of DISTINCTCOUNT, which may hold ten million values (issue 16), with no
 * value slot they do not use and no object per value.
 */
export class NumberSet {
  size = 0;
  private slots: Float64Array;
  private mask: number;
  private hasNaN = false;

  constructor(capacity = MIN_SLOTS) {
    let c = MIN_SLOTS;
    while (c - (c >>> 2) < capacity) c *= 2;
    this.slots = new Float64Array(c).fill(Number.NaN);
    this.mask = c - 1;
  }

  has(k: number): boolean {
    if (k !== k) return this.hasNaN;
    const slots = this.slots;
    const mask = this.mask;
    let i = slotHash(k) & mask;
    for (;;) {
      const s = slots[i]!;
      if (s !== s) return false;
      if (s === k) return true;
      i = (i + 1) & mask;
    }
  }

  add(k: number): void {
    if (k !== k) {
      if (!this.hasNaN) this.size++;
      this.hasNaN = true;
      return;
    }
    const slots = this.slots;
    const mask = this.mask;
    let i = slotHash(k) & mask;
    for (;;) {
      const s = slots[i]!;
      if (s !== s) break;
      if (s === k) return;
      i = (i + 1) & mask;
    }
    slots[i] = k;
    this.size++;
    const n = mask + 1;
    if (this.size - (this.hasNaN ? 1 : 0) > n - (n >>> 2)) this.rehash(2 * n);
  }

  /**
   * Adds every value of `keys`, with room for as many made first. `keys` may come in the slot
   * order of another set (`keys()` of a partial from a worker or a server): inserted one by one
   * into a table smaller than theirs, consecutive keys fall on consecutive slots of the small
   * table and linear probing walks ever longer clusters (measured: 268k keys of a consuming
   * segment's set took 335 ms, against 15 ms in sorted order). A table at least as large as
   * the one they came from keeps them as spread as they were.
   */
  addAll(keys: Float64Array): void {
    this.reserve(keys.length);
    for (let i = 0; i < keys.length; i++) this.add(keys[i]!);
  }

  /** Grows the table (if needed) to hold `count` values without growing again. */
  reserve(count: number): void {
    let c = this.mask + 1;
    while (c - (c >>> 2) < count) c *= 2;
    if (c > this.mask + 1) this.rehash(c);
  }

  /** Bytes of the slots. */
  byteSize(): number {
    return this.slots.byteLength;
  }

  /** Every value, in slot order (NaN last). */
  keys(): Float64Array {
    const out = new Float64Array(this.size);
    const slots = this.slots;
    let j = 0;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s === s) out[j++] = s;
    }
    if (this.hasNaN) out[j] = Number.NaN;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    yield* this.keys();
  }

  private rehash(count: number): void {
    const old = this.slots;
    const slots = new Float64Array(count).fill(Number.NaN);
    const mask = count - 1;
    for (let i = 0; i < old.length; i++) {
      const k = old[i]!;
      if (k !== k) continue;
      let t = slotHash(k) & mask;
      while (slots[t] === slots[t]) t = (t + 1) & mask;
      slots[t] = k;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
