import type { StarTreeConfig } from '../../config/star-tree-config.js';
import { parsePair } from '../../config/star-tree-config.js';
import type { ImmutableColumn } from '../builders/column-builder.js';
import type { StarTreeNodes, StarTreeRecords } from './index-readers.js';
import { numbersOf, valueIds } from './star-tree-columns.js';

/** A record being built: value ids (-1 = star), representative docs (-1 = star), doc count, pre-aggregated values. */
interface Rec {
  readonly ids: Int32Array;
  readonly docs: Int32Array;
  count: number;
  readonly values: Float64Array;
}

type Fn = 'COUNT' | 'SUM' | 'MIN' | 'MAX';

/** Folds `from` into `into` (SUM adds, MIN/MAX keep the extreme and ignore NaN; COUNT's value stays 0). */
function merge(into: Rec, from: Rec, fns: readonly Fn[]): void {
  into.count += from.count;
  for (let p = 0; p < fns.length; p++) {
    const x = from.values[p]!;
    const m = into.values[p]!;
    const fn = fns[p]!;
    if (fn === 'SUM') into.values[p] = m + x;
    else if (fn === 'MIN') into.values[p] = x < m ? x : m;
    else if (fn === 'MAX') into.values[p] = x > m ? x : m;
  }
}

/** Records keyed by their ids from position `from` on (earlier ones are equal within a tree node): one per key, merged. */
function aggregate(recs: Iterable<Rec>, from: number, fns: readonly Fn[], star: number): Rec[] {
  const byKey = new Map<string, Rec>();
  for (const r of recs) {
    const key = r.ids.subarray(from).join(',');
    const hit = byKey.get(key);
    if (hit !== undefined) merge(hit, r, fns);
    else {
      const values = Float64Array.from(fns, (fn) => (fn === 'MIN' ? Number.POSITIVE_INFINITY : fn === 'MAX' ? Number.NEGATIVE_INFINITY : 0));
      const rec: Rec = { ids: r.ids.slice(), docs: r.docs.slice(), count: 0, values };
      if (star >= 0) {
        rec.ids[star] = -1;
        rec.docs[star] = -1;
      }
      merge(rec, r, fns);
      byKey.set(key, rec);
    }
  }
  return [...byKey.values()];
}

/**
 * Pinot's star-tree construction: the root holds the docs aggregated by every dimension; a node
 * with more than `maxLeafRecords` records is split on the next dimension of the split order into
 * one child per value and, unless the dimension is in `skipStarNodeCreationForDimensions` or has
 * one value there, a star child holding the node's records with that dimension aggregated away.
 * Leaves keep their records; records are laid out leaf by leaf in depth-first order, so every
 * node covers one contiguous range of records.
 */
class TreeBuilder {
  readonly out: Rec[] = [];
  readonly dim: number[] = [];
  readonly doc: number[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly first: number[] = [];
  readonly num: number[] = [];

  constructor(
    private readonly maxLeaf: number,
    private readonly starrable: readonly boolean[],
    private readonly fns: readonly Fn[],
  ) {}

  node(doc: number): number {
    this.dim.push(-1);
    this.doc.push(doc);
    this.start.push(0);
    this.end.push(0);
    this.first.push(-1);
    this.num.push(0);
    return this.dim.length - 1;
  }

  split(node: number, recs: Rec[], level: number): void {
    this.start[node] = this.out.length;
    if (recs.length <= this.maxLeaf || level === this.starrable.length) {
      for (const r of recs) this.out.push(r);
      this.end[node] = this.out.length;
      return;
    }
    const groups = new Map<number, Rec[]>();
    for (const r of recs) {
      const g = groups.get(r.ids[level]!);
      if (g === undefined) groups.set(r.ids[level]!, [r]);
      else g.push(r);
    }
    const ordered = [...groups.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const star = this.starrable[level]! && ordered.length > 1;
    this.dim[node] = level;
    const first = this.dim.length;
    for (const g of ordered) this.node(g[0]!.docs[level]!);
    if (star) this.node(-1);
    this.first[node] = first;
    this.num[node] = ordered.length + (star ? 1 : 0);
    ordered.forEach((g, i) => this.split(first + i, g, level + 1));
    if (star) this.split(first + ordered.length, aggregate(recs, level + 1, this.fns, level), level + 1);
    this.end[node] = this.out.length;
  }

  result(numDims: number, numPairs: number): StarTreeRecords {
    const out = this.out;
    const nodes: StarTreeNodes = {
      count: this.dim.length,
      dim: Int32Array.from(this.dim),
      doc: Int32Array.from(this.doc),
      start: Int32Array.from(this.start),
      end: Int32Array.from(this.end),
      firstChild: Int32Array.from(this.first),
      numChildren: Int32Array.from(this.num),
    };
    return {
      numRecords: out.length,
      dims: Array.from({ length: numDims }, (_, d) => Int32Array.from(out, (r) => r.docs[d]!)),
      counts: Float64Array.from(out, (r) => r.count),
      metrics: Array.from({ length: numPairs }, (_, p) => Float64Array.from(out, (r) => r.values[p]!)),
      nodes,
    };
  }
}

/**
 * Builds the star-tree of `config` over the columns (source doc order); `perm[f]` is the source
 * doc of file doc `f` (null: the same order). A record's dimension is a representative file doc
 * holding its value (its first in file order), or -1 for a star.
 */
export function buildStarTree(config: StarTreeConfig, columnOf: (name: string) => ImmutableColumn, numDocs: number, perm: Int32Array | null): StarTreeRecords {
  const dimIds = config.dimensions.map((d) => valueIds(columnOf(d)));
  const pairs = config.functionColumnPairs.map((p) => parsePair(p)!);
  const fns = pairs.map((p) => p.fn);
  const reads = pairs.map((p) => (p.column === '*' ? null : numbersOf(columnOf(p.column))));
  const nd = config.dimensions.length;
  function* docs(): Generator<Rec> {
    const rec: Rec = { ids: new Int32Array(nd), docs: new Int32Array(nd), count: 1, values: new Float64Array(pairs.length) };
    for (let f = 0; f < numDocs; f++) {
      const src = perm === null ? f : perm[f]!;
      for (let d = 0; d < nd; d++) rec.ids[d] = dimIds[d]!(src);
      rec.docs.fill(f);
      for (let p = 0; p < pairs.length; p++) rec.values[p] = reads[p] === null ? 0 : reads[p]!(src);
      yield rec;
    }
  }
  const base = aggregate(docs(), 0, fns, -1);
  const starrable = config.dimensions.map((d) => !config.skipStarDimensions.includes(d));
  const builder = new TreeBuilder(config.maxLeafRecords, starrable, fns);
  builder.split(builder.node(-2), base, 0);
  return builder.result(nd, pairs.length);
}
