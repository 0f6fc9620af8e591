import { parsePair } from '../../config/star-tree-config.js';
import type { IndexingConfig } from '../../config/table-config.js';
import type { ImmutableColumn } from '../builders/column-builder.js';
import type { SectionRef, StarTreeFooter } from '../format/footer.js';
import { pad8 as align8 } from '../format/byte-layout.js';
import { buildStarTree } from './star-tree-build.js';

export type { StarTreeNodes, StarTreeRecords } from './index-readers.js';
import type { StarTreeNodes, StarTreeRecords } from './index-readers.js';

const NODE_ARRAYS = ['dim', 'doc', 'start', 'end', 'firstChild', 'numChildren'] as const;

/** The section bytes of a star-tree: layout 1 when it has nodes, else layout 0 (docs/segment-format.md). */
export function encodeStarTree(t: StarTreeRecords): Uint8Array {
  const n = t.numRecords;
  const dimBytes = align8(n * 4);
  const nodeCount = t.nodes?.count ?? 0;
  const nodeBytes = t.nodes === null ? 0 : 8 + NODE_ARRAYS.length * align8(nodeCount * 4);
  const size = 16 + t.dims.length * dimBytes + (1 + t.metrics.length) * n * 8 + nodeBytes;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true);
  view.setUint32(4, t.dims.length, true);
  view.setUint32(8, t.metrics.length, true);
  view.setUint32(12, t.nodes === null ? 0 : 1, true);
  let at = 16;
  for (const d of t.dims) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, n * 4), at);
    at += dimBytes;
  }
  for (const a of [t.counts, ...t.metrics]) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, n * 8), at);
    at += n * 8;
  }
  if (t.nodes !== null) {
    view.setUint32(at, nodeCount, true);
    at += 8;
    for (const name of NODE_ARRAYS) {
      const a = t.nodes[name];
      out.set(new Uint8Array(a.buffer, a.byteOffset, nodeCount * 4), at);
      at += align8(nodeCount * 4);
    }
  }
  return out;
}

/** Reads the nodes of a layout-1 section at `at`, checking that they form a tree over the records. */
function readNodes(copy: Uint8Array, at: number, numRecords: number, numDims: number): StarTreeNodes {
  if (copy.length < at + 8) throw new Error('star-tree section ends before its nodes');
  const count = new DataView(copy.buffer).getUint32(at, true);
  at += 8;
  if (count < 1 || copy.length !== at + NODE_ARRAYS.length * align8(count * 4)) throw new Error('star-tree section has the wrong length');
  const arrays = NODE_ARRAYS.map((_, i) => new Int32Array(copy.buffer, at + i * align8(count * 4), count));
  const [dim, doc, start, end, firstChild, numChildren] = arrays as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  for (let i = 0; i < count; i++) {
    if (start[i]! < 0 || start[i]! > end[i]! || end[i]! > numRecords) throw new Error(`star-tree node ${i} covers records ${start[i]}..${end[i]} of ${numRecords}`);
    if (dim[i]! < -1 || dim[i]! >= numDims) throw new Error(`star-tree node ${i} splits on dimension ${dim[i]} of ${numDims}`);
    const leaf = dim[i] === -1;
    if (leaf ? numChildren[i] !== 0 : numChildren[i]! < 1 || firstChild[i]! <= i || firstChild[i]! + numChildren[i]! > count) throw new Error(`star-tree node ${i} has bad children`);
  }
  return { count, dim, doc, start, end, firstChild, numChildren };
}

/**
 * Parses a star-tree section, checking its lengths, that every doc is `< numDocs`, and that its
 * layout and node count are the footer entry's (`numNodes`: null for a cube).
 */
export function readStarTree(bytes: Uint8Array, numDims: number, numPairs: number, numDocs: number, numNodes: number | null): StarTreeRecords {
  if (bytes.length < 16) throw new Error('star-tree section shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = view.getUint32(0, true);
  if (view.getUint32(4, true) !== numDims || view.getUint32(8, true) !== numPairs) throw new Error('star-tree section does not match its footer entry');
  const layout = view.getUint32(12, true);
  if (layout !== (numNodes === null ? 0 : 1)) throw new Error(`star-tree section has layout ${layout}, its footer entry says ${numNodes === null ? 0 : 1}`);
  const dimBytes = align8(n * 4);
  const recordBytes = 16 + numDims * dimBytes + (1 + numPairs) * n * 8;
  if (layout === 0 ? bytes.length !== recordBytes : bytes.length < recordBytes) throw new Error('star-tree section has the wrong length');
  const copy = bytes.slice(); // aligned, owned buffer
  let at = 16;
  const dims: Int32Array[] = [];
  for (let d = 0; d < numDims; d++) {
    const a = new Int32Array(copy.buffer, at, n);
    for (let r = 0; r < n; r++) if (a[r]! < -1 || a[r]! >= numDocs) throw new Error(`star-tree record ${r} names doc ${a[r]} of ${numDocs}`);
    dims.push(a);
    at += dimBytes;
  }
  const arrays: Float64Array[] = [];
  for (let p = 0; p <= numPairs; p++) {
    arrays.push(new Float64Array(copy.buffer, at, n));
    at += n * 8;
  }
  const nodes = layout === 1 ? readNodes(copy, at, n, numDims) : null;
  if (nodes !== null && nodes.count !== numNodes) throw new Error(`star-tree section has ${nodes.count} nodes, its footer entry says ${numNodes}`);
  return { numRecords: n, dims, counts: arrays[0]!, metrics: arrays.slice(1), nodes };
}

/**
 * Builds and adds the sections of every star-tree of `indexing` (none when the table has null
 * handling on: the tree aggregates stored values, which are defaults for nulls). Returns the
 * footer entries (those with `numNodes` go under the footer key `starTreeIndexes`).
 */
export function writeStarTrees(
  indexing: IndexingConfig,
  cols: readonly ImmutableColumn[],
  numDocs: number,
  perm: Int32Array | null,
  sink: { add(raw: Uint8Array): SectionRef },
): StarTreeFooter[] {
  if (indexing.starTrees === undefined || indexing.nullHandlingEnabled) return [];
  const byName = new Map(cols.map((c) => [c.spec.name, c] as const));
  const out: StarTreeFooter[] = [];
  for (const config of indexing.starTrees) {
    const needed = [...config.dimensions, ...config.functionColumnPairs.map((p) => parsePair(p)!.column).filter((c) => c !== '*')];
    if (needed.some((c) => !byName.has(c))) continue; // a column the schema dropped: no star-tree for this file
    const tree = buildStarTree(config, (name) => byName.get(name)!, numDocs, perm);
    out.push({ ...config, numRecords: tree.numRecords, ...(tree.nodes !== null ? { numNodes: tree.nodes.count } : {}), section: sink.add(encodeStarTree(tree)) });
  }
  return out;
}
