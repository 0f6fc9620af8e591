const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** Spreads the bits of a double over a 32-bit hash; equal for -0 and 0. */
function hashOf(k: number): number {
  let h: number;
  if ((k | 0) === k) h = k;
  else if (k >= -9007199254740991 && k <= 9007199254740991 && Math.floor(k) === k) h = (k | 0) ^ Math.floor(k / 4294967296);
  else {
    bits[0] = k;
    h = words[0]! ^ Math.imul(words[1]!, 31);
  }
  h = Math.imul(h, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/**
 * A hash map from numbers to non-negative int32 values (open addressing, linear probing, typed
 * arrays), for group ids and distinct sets keyed by numbers. Keys compare by SameValueZero, as in
 * a JS `Map`: -0 equals 0 and NaN equals NaN. Faster than `Map<number, number>` for many keys:
 * no per-entry objects, one or two cache lines per lookup.
 */
export class NumberTable {
  size = 0;
  /** Slot i: key at 2i, value + 1 at 2i + 1 (0 = empty), so a lookup touches one cache line. */
  private slots: Float64Array;
  private mask: number;
  private nan = -1;

  constructor(capacity = 16) {
    let c = 16;
    while (c < capacity * 2) c *= 2;
    this.slots = new Float64Array(2 * c);
    this.mask = c - 1;
  }
  /** Bytes of the slots. */
  byteSize(): number {
    return this.slots.byteLength;
  }


  /** The value of `k`, or -1. */
  get(k: number): number {
    if (k !== k) return this.nan;
    const slots = this.slots;
    const mask = this.mask;
    let i = hashOf(k) & mask;
    for (;;) {
      const v = slots[2 * i + 1]!;
      if (v === 0) return -1;
      if (slots[2 * i] === k) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** The value of `k`; when absent, sets it to `value >= 0` and returns -1 (one probe for both). */
  getOrInsert(k: number, value: number): number {
    if (k !== k) {
      if (this.nan >= 0) return this.nan;
      this.insert(k, value);
      return -1;
    }
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash(2 * (this.mask + 1));
    const slots = this.slots;
    const mask = this.mask;
    let i = hashOf(k) & mask;
    for (;;) {
      const v = slots[2 * i + 1]!;
      if (v === 0) {
        slots[2 * i] = k;
        slots[2 * i + 1] = value + 1;
        this.size++;
        return -1;
      }
      if (slots[2 * i] === k) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** Sets `k` (not yet present) to `value >= 0`. */
  insert(k: number, value: number): void {
    if (k !== k) {
      this.nan = value;
      this.size++;
      return;
    }
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash(2 * (this.mask + 1));
    this.put(k, value);
    this.size++;
  }

  /** Makes room for `count` more keys without rehashing. */
  reserve(count: number): void {
    let c = this.mask + 1;
    while ((this.size + count) * 2 > c) c *= 2;
    if (c > this.mask + 1) this.rehash(c);
  }

  /** Adds `k` with value 0 if absent (set use). */
  add(k: number): void {
    if (this.get(k) < 0) this.insert(k, 0);
  }

  /** Every key, in table order (NaN last). */
  keys(): Float64Array {
    const out = new Float64Array(this.size);
    const slots = this.slots;
    let j = 0;
    for (let i = 0; i < slots.length; i += 2) if (slots[i + 1] !== 0) out[j++] = slots[i]!;
    if (this.nan >= 0) out[j] = Number.NaN;
    return out;
  }

  /** Every key (NaN last). */
  *[Symbol.iterator](): IterableIterator<number> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i += 2) if (slots[i + 1] !== 0) yield slots[i]!;
    if (this.nan >= 0) yield Number.NaN;
  }

  private put(k: number, value: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = hashOf(k) & mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = k;
    slots[2 * i + 1] = value + 1;
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    this.slots = new Float64Array(2 * capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.put(old[i]!, old[i + 1]! - 1);
  }
}
