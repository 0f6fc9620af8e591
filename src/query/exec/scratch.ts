/**
 * Reusable per-query buffers for block-at-a-time filtering, so a block costs no allocation once
 * warm. `reset()` starts a new block: every buffer handed out since the last reset may be reused,
 * so a selection is valid only until the next block is filtered (consumers read it at once).
 *
 * @example
 *   scratch.reset();
 *   const out = scratch.ints(numDocs); // rows passing a leaf
 */
export class Scratch {
  private readonly intBuffers: Int32Array[] = [];
  private readonly byteBuffers: Uint8Array[] = [];
  private nextInt = 0;
  private nextByte = 0;
  /** Per IN leaf, the two buffers its doc-list union is built in (`unionBuffers`). */
  private readonly unions = new Map<object, [Uint32Array, Uint32Array]>();

  reset(): void {
    this.nextInt = 0;
    this.nextByte = 0;
  }

  /** An Int32Array of at least `size` elements (contents undefined). */
  ints(size: number): Int32Array {
    let a = this.intBuffers[this.nextInt];
    if (a === undefined || a.length < size) {
      a = new Int32Array(Math.max(size, MIN_SIZE));
      this.intBuffers[this.nextInt] = a;
    }
    this.nextInt++;
    return a;
  }

  /**
   * Two Uint32Arrays of at least `size` elements kept for `owner` (an `=`/IN filter leaf), not
   * touched by `reset`: the union of the leaf's inverted-index doc lists is built in them for one
   * segment, valid until the union of the next segment this scratch scans (segments are scanned
   * one at a time). So a query allocates them once, not every level of every segment's union.
   */
  unionBuffers(owner: object, size: number): [Uint32Array, Uint32Array] {
    let pair = this.unions.get(owner);
    if (pair === undefined || pair[0].length < size) {
      pair = [new Uint32Array(size), new Uint32Array(size)];
      this.unions.set(owner, pair);
    }
    return pair;
  }

  /** A zeroed Uint8Array of at least `size` elements. */
  marks(size: number): Uint8Array {
    let a = this.byteBuffers[this.nextByte];
    if (a === undefined || a.length < size) {
      a = new Uint8Array(Math.max(size, MIN_SIZE));
      this.byteBuffers[this.nextByte] = a;
    } else {
      a.fill(0, 0, size);
    }
    this.nextByte++;
    return a;
  }
}

const MIN_SIZE = 16384;

let IOTA = new Int32Array(0);

/**
 * Whether `sel[0..n)` selects every row of its block in order: it is the shared `iota`, which
 * the scan passes for a block no filter narrows (`segment-scan.ts`). A kernel can then read row
 * `i` without the selection's indirection.
 */
export function selectsEveryRow(sel: Int32Array, n: number): boolean {
  return IOTA.length >= n && sel === IOTA;
}

/** `[0, 1, …, n - 1]` (at least; shared and read-only: never write to it). */
export function iota(n: number): Int32Array {
  if (IOTA.length < n) {
    const a = new Int32Array(Math.max(n, MIN_SIZE));
    for (let i = 0; i < a.length; i++) a[i] = i;
    IOTA = a;
  }
  return IOTA;
}
