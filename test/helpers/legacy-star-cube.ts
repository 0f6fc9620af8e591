import type { StarTreeConfig } from '../../src/config/star-tree-config.js';
import { parsePair } from '../../src/config/star-tree-config.js';
import type { ImmutableColumn } from '../../src/segment/builders/column-builder.js';
import type { StarTreeRecords } from '../../src/segment/indexes/star-tree.js';
import { numbersOf, valueIds } from '../../src/segment/indexes/star-tree-columns.js';

/**
 * TEST ONLY. The star-tree builder of builds before `maxLeafRecords` was honoured: a full cube
 * (section layout 0, footer key `starTrees`). Tests substitute it for the tree builder to write
 * files as those builds did, and check that such files are still read and answer the same.
 */

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
 * records; every star pattern is then aggregated from those.
 */
export function buildStarCube(config: StarTreeConfig, columnOf: (name: string) => ImmutableColumn, numDocs: number, perm: Int32Array | null): StarTreeRecords {
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
  return {
    nodes: null,
    numRecords: out.reduce((n, c) => n + c.counts.length, 0),
    dims: config.dimensions.map((_, d) => Int32Array.from(all((c) => c.dims[d]!))),
    counts: Float64Array.from(all((c) => c.counts)),
    metrics: pairs.map((_, p) => Float64Array.from(all((c) => c.metrics[p]!))),
  };
}
