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

/** `[0, 1, …, n - 1]` (at least; shared and read-only: never write to it). */
export function iota(n: number): Int32Array {
  if (IOTA.length < n) {
    const a = new Int32Array(Math.max(n, MIN_SIZE));
    for (let i = 0; i < a.length; i++) a[i] = i;
    IOTA = a;
  }
  return IOTA;
}
