import { describe, expect, it } from 'vitest';
import { unionSorted } from '../../../../src/query/exec/doc-lists.js';
import { Scratch } from '../../../../src/query/exec/scratch.js';

/** An ascending list of distinct docs below `limit`, each kept with probability `p` (seeded). */
function docList(seed: number, limit: number, p: number): Uint32Array {
  let x = seed;
  const out: number[] = [];
  for (let d = 0; d < limit; d++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (x / 2 ** 32 < p) out.push(d);
  }
  return Uint32Array.from(out);
}

describe('unionSorted', () => {
  it('gives the same union in a scratch buffer pair as by allocation, for 0-9 lists, disjoint or overlapping', () => {
    const scratch = new Scratch();
    const leaf = {};
    for (let k = 0; k <= 9; k++) {
      for (const p of [0.02, 0.3]) {
        const lists = Array.from({ length: k }, (_, i) => docList(17 * k + i + 1, 5_000, p));
        const expected = [...new Set(lists.flatMap((l) => [...l]))].sort((a, b) => a - b);
        expect([...unionSorted(lists)], `${k} lists`).toEqual(expected);
        expect([...unionSorted(lists, (size) => scratch.unionBuffers(leaf, size))], `${k} lists in buffers`).toEqual(expected);
      }
    }
  });

  it('reuses the leaf\'s buffers from one segment to the next, growing them when a union needs more', () => {
    const scratch = new Scratch();
    const leaf = {};
    const small = [Uint32Array.of(1, 5), Uint32Array.of(2, 6), Uint32Array.of(3)];
    const first = unionSorted(small, (size) => scratch.unionBuffers(leaf, size));
    expect([...first]).toEqual([1, 2, 3, 5, 6]);
    const [a] = scratch.unionBuffers(leaf, 5);
    expect(first.buffer === a.buffer || first.buffer === scratch.unionBuffers(leaf, 5)[1].buffer).toBe(true);
    // The next segment's union of the same leaf overwrites the buffers (the last one is no longer read).
    const second = unionSorted([Uint32Array.of(7), Uint32Array.of(8), Uint32Array.of(9)], (size) => scratch.unionBuffers(leaf, size));
    expect([...second]).toEqual([7, 8, 9]);
    expect(scratch.unionBuffers(leaf, 5)[0]).toBe(a);
    const big = unionSorted([docList(3, 100_000, 0.5), docList(4, 100_000, 0.5), docList(5, 100_000, 0.5)], (size) => scratch.unionBuffers(leaf, size));
    expect(scratch.unionBuffers(leaf, 5)[0].length).toBeGreaterThanOrEqual(big.length);
    expect(scratch.unionBuffers(leaf, 5)[0]).not.toBe(a);
    // Another leaf has buffers of its own.
    expect(scratch.unionBuffers({}, 5)[0]).not.toBe(scratch.unionBuffers(leaf, 5)[0]);
  });
});
