const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** A 32-bit hash of a double; equal for -0 and 0. */
function hashDouble(k: number): number {
  if ((k | 0) === k) return k;
  bits[0] = k;
  return words[0]! ^ Math.imul(words[1]!, 31);
}

/**
 * A hash map from tuples of `width` doubles to int32 values (open addressing, linear probing,
 * typed arrays): the composite keys of a multi-column GROUP BY, one double per key (a dictionary
 * id, or a numeric value), without a string per row. Tuples compare element by element with
 * `===`, so -0 equals 0 and a tuple holding NaN never matches (its caller resolves such a row
 * the slow way).
 */
export class TupleTable {
  size = 0;
  private keys: Float64Array;
  /** Value + 1 per slot; 0 = empty. */
  private vals: Int32Array;
  private mask: number;

  constructor(
    private readonly width: number,
    capacity = 1024,
  ) {
    let c = 16;
    while (c < capacity * 2) c *= 2;
    this.keys = new Float64Array(c * width);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
  }

  /** The hash of tuple `i` of `cols` (column-major: `cols[j][i]`). */
  static hash(cols: readonly Float64Array[], i: number): number {
    let h = 0x2545f491;
    for (let j = 0; j < cols.length; j++) {
      h = Math.imul(h ^ hashDouble(cols[j]![i]!), 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h;
  }

  /** The value of tuple `i` of `cols` with hash `h`, or `undefined`. */
  get(cols: readonly Float64Array[], i: number, h: number): number | undefined {
    const w = this.width;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const v = vals[s]!;
      if (v === 0) return undefined;
      let eq = true;
      const base = s * w;
      for (let j = 0; j < w; j++) {
        if (keys[base + j] !== cols[j]![i]) {
          eq = false;
          break;
        }
      }
      if (eq) return v - 1;
      s = (s + 1) & mask;
    }
  }

  /** Sets tuple `i` of `cols` (hash `h`, not present) to `value` (≥ -1). */
  set(cols: readonly Float64Array[], i: number, h: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const w = this.width;
    const mask = this.mask;
    let s = h & mask;
    while (this.vals[s] !== 0) s = (s + 1) & mask;
    for (let j = 0; j < w; j++) this.keys[s * w + j] = cols[j]![i]!;
    this.vals[s] = value + 1;
    this.size++;
  }

  private grow(): void {
    const w = this.width;
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = 2 * (this.mask + 1);
    this.keys = new Float64Array(cap * w);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    const tuple = Array.from({ length: w }, () => new Float64Array(1));
    for (let s = 0; s < oldVals.length; s++) {
      if (oldVals[s] === 0) continue;
      for (let j = 0; j < w; j++) tuple[j]![0] = oldKeys[s * w + j]!;
      const h = TupleTable.hash(tuple, 0);
      let t = h & this.mask;
      while (this.vals[t] !== 0) t = (t + 1) & this.mask;
      for (let j = 0; j < w; j++) this.keys[t * w + j] = tuple[j]![0]!;
      this.vals[t] = oldVals[s]!;
    }
  }
}
