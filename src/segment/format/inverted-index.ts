/**
 * The inverted index section of a column (layout in docs/segment-format.md): u32 offsets
 * (cardinality + 1), then the doc ids of each dictionary id in ascending order. `ids` are the
 * column's dictionary ids in file order; `offsets` (multi-value only) say which values each doc
 * holds. A value repeated within one multi-value doc lists the doc once.
 */
export function invertedIndexRun(ids: Int32Array, offsets: Int32Array | null, numDocs: number, cardinality: number): Uint32Array {
  return offsets === null ? singleValueIndex(ids, numDocs, cardinality) : multiValueIndex(ids, offsets, numDocs, cardinality);
}

/** One value per doc: a counting sort of doc ids by dictionary id. */
function singleValueIndex(ids: Int32Array, numDocs: number, cardinality: number): Uint32Array {
  const out = new Uint32Array(cardinality + 1 + numDocs);
  for (let d = 0; d < numDocs; d++) out[ids[d]! + 1]!++;
  for (let i = 0; i < cardinality; i++) out[i + 1]! += out[i]!;
  const fill = out.slice(0, cardinality);
  const base = cardinality + 1;
  for (let d = 0; d < numDocs; d++) out[base + fill[ids[d]!]!++] = d;
  return out;
}

function multiValueIndex(ids: Int32Array, offsets: Int32Array, numDocs: number, cardinality: number): Uint32Array {
  const counts = new Uint32Array(cardinality + 1);
  const last = new Int32Array(cardinality).fill(-1);
  for (let d = 0; d < numDocs; d++) {
    for (let k = offsets[d]!; k < offsets[d + 1]!; k++) {
      const id = ids[k]!;
      if (last[id] === d) continue;
      last[id] = d;
      counts[id + 1]!++;
    }
  }
  for (let i = 0; i < cardinality; i++) counts[i + 1]! += counts[i]!;
  const out = new Uint32Array(cardinality + 1 + counts[cardinality]!);
  out.set(counts);
  const fill = counts.slice(0, cardinality);
  const base = cardinality + 1;
  last.fill(-1);
  for (let d = 0; d < numDocs; d++) {
    for (let k = offsets[d]!; k < offsets[d + 1]!; k++) {
      const id = ids[k]!;
      if (last[id] === d) continue;
      last[id] = d;
      out[base + fill[id]!++] = d;
    }
  }
  return out;
}
