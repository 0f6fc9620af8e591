import type { StarTreeConfig } from '../../config/star-tree-config.js';
import { parsePair } from '../../config/star-tree-config.js';
import type { IndexingConfig } from '../../config/table-config.js';
import type { ImmutableColumn } from '../builders/column-builder.js';
import type { SectionRef, StarTreeFooter } from '../format/footer.js';
import { pad8 as align8 } from '../format/byte-layout.js';

/**
 * The star-tree of a segment, as a pre-aggregated cube (docs/segment-format.md, "Star-tree"):
 * for every pattern of starred dimensions (any subset of the dimensions not in
 * `skipStarNodeCreationForDimensions`), one record per distinct tuple of the other dimensions,
 * holding the doc count and the SUM/MIN/MAX of each function column pair. A dimension of a
 * record is a representative doc (in file order) holding its value, or -1 for a star.
 */
export interface StarTreeRecords {
  readonly numRecords: number;
  /** `dims[d][r]`: the file doc holding dimension d of record r, or -1 (star). */
  readonly dims: readonly Int32Array[];
  readonly counts: Float64Array;
  /** `metrics[p][r]`: the pre-aggregated value of pair p for record r. */
  readonly metrics: readonly Float64Array[];
}

/** A per-doc id of the doc's value (equal values, equal ids; -0 and +0 distinct, one NaN). */
function valueIds(col: ImmutableColumn): (doc: number) => number {
  const v = col.values;
  if (v.kind === 'STRING' || v.kind === 'BYTES') return (d) => v.ids[d]!;
  const ids = new Map<unknown, number>();
  const values = v.values as ArrayLike<number | bigint>;
  return (d) => {
    const x = values[d]!;
    const key = Object.is(x, -0) ? '-0' : x;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return id;
  };
}

function numbersOf(col: ImmutableColumn): (doc: number) => number {
  const v = col.values;
  if (v.kind === 'STRING' || v.kind === 'BYTES') throw new Error(`star-tree metric ${col.spec.name} is not numeric`);
  const values = v.values as ArrayLike<number | bigint>;
  return (d) => Number(values[d]!);
}

/**
 * Builds the cube of `config` over the columns (source doc order); `perm[f]` is the source doc
 * of file doc `f` (null: the same order). Returns the raw section bytes.
 */
export function buildStarTree(config: StarTreeConfig, columnOf: (name: string) => ImmutableColumn, numDocs: number, perm: Int32Array | null): Uint8Array {
  const dimIds = config.dimensions.map((d) => valueIds(columnOf(d)));
  const pairs = config.functionColumnPairs.map((p) => parsePair(p)!);
  const reads = pairs.map((p) => (p.column === '*' ? null : numbersOf(columnOf(p.column))));
  const starrable = config.dimensions.map((d, i) => (config.skipStarDimensions.includes(d) ? -1 : i)).filter((i) => i >= 0);
  const nd = config.dimensions.length;
  const recDims: number[][] = config.dimensions.map(() => []);
  const counts: number[] = [];
  const metrics: number[][] = pairs.map(() => []);
  const rowIds = new Int32Array(nd);
  const rowVals = new Float64Array(pairs.length);
  for (let mask = 0; mask < 1 << starrable.length; mask++) {
    const starred = new Uint8Array(nd);
    starrable.forEach((d, bit) => {
      if ((mask >> bit) & 1) starred[d] = 1;
    });
    const groups = new Map<string, number>();
    for (let f = 0; f < numDocs; f++) {
      const src = perm === null ? f : perm[f]!;
      for (let d = 0; d < nd; d++) rowIds[d] = starred[d] ? -1 : dimIds[d]!(src);
      const key = rowIds.join(',');
      for (let p = 0; p < pairs.length; p++) rowVals[p] = reads[p] === null ? 0 : reads[p]!(src);
      let r = groups.get(key);
      if (r === undefined) {
        r = counts.length;
        groups.set(key, r);
        for (let d = 0; d < nd; d++) recDims[d]!.push(starred[d] ? -1 : f);
        counts.push(0);
        pairs.forEach((pair, p) => metrics[p]!.push(pair.fn === 'MIN' ? Number.POSITIVE_INFINITY : pair.fn === 'MAX' ? Number.NEGATIVE_INFINITY : 0));
      }
      counts[r]!++;
      for (let p = 0; p < pairs.length; p++) {
        const m = metrics[p]!;
        const x = rowVals[p]!;
        const fn = pairs[p]!.fn;
        if (fn === 'SUM') m[r] = m[r]! + x;
        else if (fn === 'MIN') m[r] = x < m[r]! ? x : m[r]!;
        else if (fn === 'MAX') m[r] = x > m[r]! ? x : m[r]!;
      }
    }
  }
  return encode({ numRecords: counts.length, dims: recDims.map((a) => Int32Array.from(a)), counts: Float64Array.from(counts), metrics: metrics.map((a) => Float64Array.from(a)) });
}

function encode(t: StarTreeRecords): Uint8Array {
  const n = t.numRecords;
  const dimBytes = align8(n * 4);
  const size = 16 + t.dims.length * dimBytes + (1 + t.metrics.length) * n * 8;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true);
  view.setUint32(4, t.dims.length, true);
  view.setUint32(8, t.metrics.length, true);
  let at = 16;
  for (const d of t.dims) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, n * 4), at);
    at += dimBytes;
  }
  for (const a of [t.counts, ...t.metrics]) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, n * 8), at);
    at += n * 8;
  }
  return out;
}

/** Parses a star-tree section, checking its lengths and that every doc is `< numDocs`. */
export function readStarTree(bytes: Uint8Array, numDims: number, numPairs: number, numDocs: number): StarTreeRecords {
  if (bytes.length < 16) throw new Error('star-tree section shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = view.getUint32(0, true);
  if (view.getUint32(4, true) !== numDims || view.getUint32(8, true) !== numPairs) throw new Error('star-tree section does not match its footer entry');
  const dimBytes = align8(n * 4);
  if (bytes.length !== 16 + numDims * dimBytes + (1 + numPairs) * n * 8) throw new Error('star-tree section has the wrong length');
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
  return { numRecords: n, dims, counts: arrays[0]!, metrics: arrays.slice(1) };
}

/**
 * Builds and adds the sections of every star-tree of `indexing` (none when the table has null
 * handling on: the cube aggregates stored values, which are defaults for nulls). Returns the
 * footer entries.
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
    const raw = buildStarTree(config, (name) => byName.get(name)!, numDocs, perm);
    const numRecords = new DataView(raw.buffer, raw.byteOffset).getUint32(0, true);
    out.push({ ...config, numRecords, section: sink.add(raw) });
  }
  return out;
}
