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

/** Records being aggregated: one per distinct key, with a representative doc per dimension. */
class Cuboid {
  readonly dims: number[][];
  readonly ids: number[][];
  readonly counts: number[] = [];
  readonly metrics: number[][];
  private readonly keys = new Map<string, number>();

  constructor(
    numDims: number,
    private readonly fns: readonly string[],
  ) {
    this.dims = Array.from({ length: numDims }, () => []);
    this.ids = Array.from({ length: numDims }, () => []);
    this.metrics = fns.map(() => []);
  }

  /** Adds `count` docs with value ids `ids` (-1 = star), representative docs `docs` and pre-aggregated `values`. */
  add(ids: Int32Array, docs: Int32Array, count: number, values: Float64Array): void {
    const key = ids.join(',');
    let r = this.keys.get(key);
    if (r === undefined) {
      r = this.counts.length;
      this.keys.set(key, r);
      for (let d = 0; d < ids.length; d++) {
        this.ids[d]!.push(ids[d]!);
        this.dims[d]!.push(ids[d] === -1 ? -1 : docs[d]!);
      }
      this.counts.push(0);
      this.fns.forEach((fn, p) => this.metrics[p]!.push(fn === 'MIN' ? Number.POSITIVE_INFINITY : fn === 'MAX' ? Number.NEGATIVE_INFINITY : 0));
    }
    this.counts[r]! += count;
    for (let p = 0; p < this.fns.length; p++) {
      const m = this.metrics[p]!;
      const x = values[p]!;
      const fn = this.fns[p]!;
      if (fn === 'SUM') m[r] = m[r]! + x;
      else if (fn === 'MIN') m[r] = x < m[r]! ? x : m[r]!;
      else if (fn === 'MAX') m[r] = x > m[r]! ? x : m[r]!;
    }
  }
}

/**
 * Builds the cube of `config` over the columns (source doc order); `perm[f]` is the source doc
 * of file doc `f` (null: the same order). The docs are aggregated once into the star-less
 * records; every star pattern is then aggregated from those. Returns the raw section bytes.
 */
export function buildStarTree(config: StarTreeConfig, columnOf: (name: string) => ImmutableColumn, numDocs: number, perm: Int32Array | null): Uint8Array {
  const dimIds = config.dimensions.map((d) => valueIds(columnOf(d)));
  const pairs = config.functionColumnPairs.map((p) => parsePair(p)!);
  const fns = pairs.map((p) => p.fn);
  const reads = pairs.map((p) => (p.column === '*' ? null : numbersOf(columnOf(p.column))));
  const starrable = config.dimensions.map((d, i) => (config.skipStarDimensions.includes(d) ? -1 : i)).filter((i) => i >= 0);
  const nd = config.dimensions.length;
  const ids = new Int32Array(nd);
  const docs = new Int32Array(nd);
  const values = new Float64Array(pairs.length);
  const base = new Cuboid(nd, fns);
  for (let f = 0; f < numDocs; f++) {
    const src = perm === null ? f : perm[f]!;
    for (let d = 0; d < nd; d++) ids[d] = dimIds[d]!(src);
    docs.fill(f);
    for (let p = 0; p < pairs.length; p++) values[p] = reads[p] === null ? 0 : reads[p]!(src);
    base.add(ids, docs, 1, values);
  }
  const out = [base];
  for (let mask = 1; mask < 1 << starrable.length; mask++) {
    const starred = new Uint8Array(nd);
    starrable.forEach((d, bit) => {
      if ((mask >> bit) & 1) starred[d] = 1;
    });
    const cuboid = new Cuboid(nd, fns);
    for (let r = 0; r < base.counts.length; r++) {
      for (let d = 0; d < nd; d++) {
        ids[d] = starred[d] ? -1 : base.ids[d]![r]!;
        docs[d] = base.dims[d]![r]!;
      }
      for (let p = 0; p < pairs.length; p++) values[p] = base.metrics[p]![r]!;
      cuboid.add(ids, docs, base.counts[r]!, values);
    }
    out.push(cuboid);
  }
  const all = <T>(pick: (c: Cuboid) => T[]): T[] => out.flatMap(pick);
  return encode({
    numRecords: out.reduce((n, c) => n + c.counts.length, 0),
    dims: config.dimensions.map((_, d) => Int32Array.from(all((c) => c.dims[d]!))),
    counts: Float64Array.from(all((c) => c.counts)),
    metrics: pairs.map((_, p) => Float64Array.from(all((c) => c.metrics[p]!))),
  });
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
