import type { Selection } from './row-selection.js';
import { unionDocs, unionDocsInto } from './sorted-union.js';

/**
 * Sorted doc-id lists of inverted indexes: unions for IN, and the rows of one block, for `=`/IN
 * leaves answered by an index.
 */

/**
 * The sorted union (without duplicates) of sorted doc lists, merged pairwise. With `buffers`
 * (two arrays of at least the lists' total length, `Scratch.unionBuffers`) the levels are merged
 * in them, one after the other, and the answer is a view of one of them: no allocation, where
 * each level of each segment's union allocated before (the garbage of `country IN (5 values)`
 * kept V8's collector threads busier than the scan: bench/notes.md).
 */
export function unionSorted(lists: Uint32Array[], buffers?: (size: number) => readonly [Uint32Array, Uint32Array]): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  if (lists.length === 1) return lists[0]!;
  if (buffers === undefined) {
    let level = lists;
    while (level.length > 1) {
      const next: Uint32Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(unionDocs(level[i]!, level[i + 1]!));
      if (level.length % 2 === 1) next.push(level[level.length - 1]!);
      level = next;
    }
    return level[0]!;
  }
  let total = 0;
  for (const l of lists) total += l.length;
  const pair = buffers(total);
  let level = lists;
  for (let into = 0; level.length > 1; into ^= 1) {
    // Each level is written into the buffer the previous level was not read from.
    const out = pair[into]!;
    const next: Uint32Array[] = [];
    let at = 0;
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i]!;
      const n = i + 1 < level.length ? unionDocsInto(a, level[i + 1]!, out, at) : (out.set(a, at), a.length);
      next.push(out.subarray(at, at + n));
      at += n;
    }
    level = next;
  }
  return level[0]!;
}

/** Rows of block [firstDoc, firstDoc + numDocs) in a sorted doc list, intersected with `cand`. */
export function fromDocList(docs: Uint32Array, firstDoc: number, numDocs: number, cand: Int32Array | null, nCand: number, out: Int32Array): Selection {
  let lo = 0;
  let hi = docs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid]! < firstDoc) lo = mid + 1;
    else hi = mid;
  }
  const end = firstDoc + numDocs;
  let n = 0;
  if (cand === null) {
    for (let i = lo; i < docs.length && docs[i]! < end; i++) out[n++] = docs[i]! - firstDoc;
    return { sel: out, n };
  }
  let j = 0;
  for (let i = lo; i < docs.length && docs[i]! < end && j < nCand; i++) {
    const r = docs[i]! - firstDoc;
    while (j < nCand && cand[j]! < r) j++;
    if (j < nCand && cand[j] === r) out[n++] = r;
  }
  return { sel: out, n };
}
