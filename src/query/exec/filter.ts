import type { ColumnSpec } from '../../config/schema.js';
import { isBitSet } from '../../segment/builders/null-bitmap.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import { compileRowExpr, dictionaryValues, truthy } from './compile-expr.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';
import { isConstantTest, rangeMayMatch, valueRange, valueTest } from './value-tests.js';
import type { LeafNode, ValueRange, ValueTest } from './value-tests.js';

/**
 * The filter tree the executor runs: boolean structure over leaves. A `leaf` tests one column
 * against constants, so it runs on dictionary ids (one test per distinct value), prunes blocks
 * and segments by min/max, and uses an inverted index when the segment has one; an `expr` leaf
 * is any other boolean expression, evaluated row by row.
 */
export type FilterNode =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'and'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly child: FilterNode }
  | { readonly kind: 'leaf'; readonly column: ColumnSpec; readonly node: LeafNode; readonly test: ValueTest; readonly range: ValueRange | null; readonly pointLookup: boolean }
  | { readonly kind: 'isNull'; readonly column: ColumnSpec; readonly negated: boolean }
  | { readonly kind: 'expr'; readonly expr: BoundExpr };

/** Builds the filter tree of a WHERE expression (null = every row). */
export function buildFilter(e: BoundExpr | null): FilterNode {
  if (e === null) return { kind: 'all' };
  switch (e.kind) {
    case 'and':
      return { kind: 'and', children: e.operands.map(buildFilter) };
    case 'or':
      return { kind: 'or', children: e.operands.map(buildFilter) };
    case 'not':
      return { kind: 'not', child: buildFilter(e.operand) };
    case 'literal':
      return truthy(e.value) ? { kind: 'all' } : { kind: 'none' };
    case 'isNull':
      if (e.operand.kind === 'column') return { kind: 'isNull', column: e.operand.column, negated: e.negated };
      return { kind: 'expr', expr: e };
    case 'compare':
    case 'in':
    case 'between':
    case 'match': {
      const operand = e.kind === 'compare' ? e.left : e.operand;
      if (operand.kind === 'column' && isConstantTest(e)) {
        const node = e as LeafNode;
        const pointLookup = (e.kind === 'compare' && e.op === '=') || e.kind === 'in';
        return { kind: 'leaf', column: operand.column, node, test: valueTest(node), range: valueRange(node), pointLookup };
      }
      return { kind: 'expr', expr: e };
    }
    default:
      return { kind: 'expr', expr: e };
  }
}

/** Selected rows of one block: row indices (ascending) in `sel[0..n)`. */
export interface Selection {
  readonly sel: Int32Array;
  readonly n: number;
}

/**
 * Runs a filter tree over one segment snapshot, block by block, counting the values it tests
 * (`numEntriesScannedInFilter`). Per-leaf work that depends only on the segment (which
 * dictionary ids match, inverted-index doc lists) is done once per segment.
 */
export class SegmentFilter {
  entriesScanned = 0;
  private readonly dictMatches = new Map<FilterNode, Uint8Array>();
  private readonly invertedDocs = new Map<FilterNode, Uint32Array | null>();

  constructor(
    private readonly root: FilterNode,
    private readonly segment: SegmentSnapshot,
  ) {}

  /** False when segment statistics prove no row can match (the segment is pruned). */
  segmentMayMatch(): boolean {
    return this.mayMatch(this.root, (c) => this.segment.columnStats(c));
  }

  select(blockIndex: number, block: (column: string) => ColumnBlock): Selection {
    const range = this.segment.blocks[blockIndex]!;
    if (!this.mayMatch(this.root, (c) => this.segment.blockStats(c, blockIndex))) return { sel: new Int32Array(0), n: 0 };
    return this.evaluate(this.root, blockIndex, range.firstDoc, range.numDocs, block, null, range.numDocs);
  }

  private mayMatch(node: FilterNode, stats: (column: string) => { min: unknown; max: unknown } | null): boolean {
    switch (node.kind) {
      case 'none':
        return false;
      case 'and':
        return node.children.every((c) => this.mayMatch(c, stats));
      case 'or':
        return node.children.some((c) => this.mayMatch(c, stats));
      case 'leaf': {
        if (node.range === null || !node.column.singleValue) return node.range === null || this.mvMayMatch(node, stats);
        const s = stats(node.column.name);
        return s === null || rangeMayMatch(node.range, s.min as never, s.max as never);
      }
      default:
        return true;
    }
  }

  private mvMayMatch(node: Extract<FilterNode, { kind: 'leaf' }>, stats: (column: string) => { min: unknown; max: unknown } | null): boolean {
    // min/max of a multi-value column cover all its values: "any value in range" is prunable too.
    const s = stats(node.column.name);
    return s === null || rangeMayMatch(node.range!, s.min as never, s.max as never);
  }

  private evaluate(node: FilterNode, bi: number, firstDoc: number, numDocs: number, block: (c: string) => ColumnBlock, cand: Int32Array | null, nCand: number): Selection {
    switch (node.kind) {
      case 'all':
        return cand ? { sel: cand, n: nCand } : { sel: iota(numDocs), n: numDocs };
      case 'none':
        return { sel: new Int32Array(0), n: 0 };
      case 'and': {
        let cur: Selection = cand ? { sel: cand, n: nCand } : { sel: null as unknown as Int32Array, n: numDocs };
        let first = cand === null;
        for (const child of node.children) {
          cur = this.evaluate(child, bi, firstDoc, numDocs, block, first ? null : cur.sel, cur.n);
          first = false;
          if (cur.n === 0) break;
        }
        return first ? { sel: iota(numDocs), n: numDocs } : cur;
      }
      case 'or': {
        const mark = new Uint8Array(numDocs);
        for (const child of node.children) {
          const s = this.evaluate(child, bi, firstDoc, numDocs, block, cand, nCand);
          for (let i = 0; i < s.n; i++) mark[s.sel[i]!] = 1;
        }
        return collect(mark, cand, nCand, numDocs, false);
      }
      case 'not': {
        const s = this.evaluate(node.child, bi, firstDoc, numDocs, block, cand, nCand);
        const mark = new Uint8Array(numDocs);
        for (let i = 0; i < s.n; i++) mark[s.sel[i]!] = 1;
        return collect(mark, cand, nCand, numDocs, true);
      }
      case 'isNull': {
        const nulls = block(node.column.name).nulls;
        const out = new Int32Array(cand ? nCand : numDocs);
        let n = 0;
        const count = cand ? nCand : numDocs;
        for (let i = 0; i < count; i++) {
          const r = cand ? cand[i]! : i;
          const isNull = nulls !== null && isBitSet(nulls, r);
          if (isNull !== node.negated) out[n++] = r;
        }
        this.entriesScanned += count;
        return { sel: out, n };
      }
      case 'expr': {
        const f = compileRowExpr(node.expr, block);
        const count = cand ? nCand : numDocs;
        const out = new Int32Array(count);
        let n = 0;
        for (let i = 0; i < count; i++) {
          const r = cand ? cand[i]! : i;
          if (truthy(f(r))) out[n++] = r;
        }
        this.entriesScanned += count;
        return { sel: out, n };
      }
      case 'leaf':
        return this.leaf(node, bi, firstDoc, numDocs, block, cand, nCand);
    }
  }

  private leaf(
    node: Extract<FilterNode, { kind: 'leaf' }>,
    bi: number,
    firstDoc: number,
    numDocs: number,
    block: (c: string) => ColumnBlock,
    cand: Int32Array | null,
    nCand: number,
  ): Selection {
    const name = node.column.name;
    if (node.range !== null) {
      const s = this.segment.blockStats(name, bi);
      if (s !== null && !rangeMayMatch(node.range, s.min, s.max)) return { sel: new Int32Array(0), n: 0 };
    }
    if (node.pointLookup) {
      const docs = this.invertedDocList(node);
      if (docs) return fromDocList(docs, firstDoc, numDocs, cand, nCand);
    }
    const b = block(name);
    const count = cand ? nCand : numDocs;
    const out = new Int32Array(count);
    let n = 0;
    const offsets = b.offsets;
    if (b.dictIds && b.dictionary) {
      const match = this.dictMatch(node, b);
      const ids = b.dictIds;
      if (offsets === null) {
        if (cand) {
          for (let i = 0; i < count; i++) {
            const r = cand[i]!;
            if (match[ids[r]!]) out[n++] = r;
          }
        } else {
          for (let r = 0; r < count; r++) if (match[ids[r]!]) out[n++] = r;
        }
        this.entriesScanned += count;
      } else {
        for (let i = 0; i < count; i++) {
          const r = cand ? cand[i]! : i;
          const end = offsets[r + 1]!;
          for (let k = offsets[r]!; k < end; k++) {
            if (match[ids[k]!]) {
              out[n++] = r;
              break;
            }
          }
          this.entriesScanned += end - offsets[r]!;
        }
      }
      return { sel: out, n };
    }
    const values = b.values!;
    const test = node.test;
    if (offsets === null) {
      for (let i = 0; i < count; i++) {
        const r = cand ? cand[i]! : i;
        if (test(values[r])) out[n++] = r;
      }
      this.entriesScanned += count;
    } else {
      for (let i = 0; i < count; i++) {
        const r = cand ? cand[i]! : i;
        const end = offsets[r + 1]!;
        for (let k = offsets[r]!; k < end; k++) {
          if (test(values[k])) {
            out[n++] = r;
            break;
          }
        }
        this.entriesScanned += end - offsets[r]!;
      }
    }
    return { sel: out, n };
  }

  /** Which dictionary ids pass the leaf's test (computed once per segment and dictionary size). */
  private dictMatch(node: Extract<FilterNode, { kind: 'leaf' }>, b: ColumnBlock): Uint8Array {
    const dict = b.dictionary!;
    let match = this.dictMatches.get(node);
    if (!match || match.length < dict.size) {
      const values = dictionaryValues(dict);
      match = new Uint8Array(dict.size);
      for (let i = 0; i < dict.size; i++) match[i] = node.test(values[i]) ? 1 : 0;
      this.dictMatches.set(node, match);
    }
    return match;
  }

  /** Sorted doc ids of an `=`/IN leaf from the segment's inverted index, or null if it has none. */
  private invertedDocList(node: Extract<FilterNode, { kind: 'leaf' }>): Uint32Array | null {
    if (this.invertedDocs.has(node)) return this.invertedDocs.get(node)!;
    const index = this.segment.invertedIndex(node.column.name);
    const dict = this.segment.dictionary(node.column.name);
    let docs: Uint32Array | null = null;
    if (index && dict) {
      const ids: number[] = [];
      const values = node.node.kind === 'in' ? node.node.values : [(node.node as { right: { value: unknown } }).right.value];
      for (const v of values) {
        const id = dict.indexOf(v as never);
        if (id >= 0) ids.push(id);
      }
      const lists = ids.map((id) => index.docIds(id));
      if (lists.length === 1) docs = lists[0]!;
      else {
        const all = new Set<number>();
        for (const l of lists) for (const d of l) all.add(d);
        docs = Uint32Array.from([...all].sort((a, b) => a - b));
      }
    }
    this.invertedDocs.set(node, docs);
    return docs;
  }
}

function iota(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function collect(mark: Uint8Array, cand: Int32Array | null, nCand: number, numDocs: number, invert: boolean): Selection {
  const want = invert ? 0 : 1;
  if (cand) {
    const out = new Int32Array(nCand);
    let n = 0;
    for (let i = 0; i < nCand; i++) if (mark[cand[i]!] === want) out[n++] = cand[i]!;
    return { sel: out, n };
  }
  const out = new Int32Array(numDocs);
  let n = 0;
  for (let r = 0; r < numDocs; r++) if (mark[r] === want) out[n++] = r;
  return { sel: out, n };
}

/** Rows of block [firstDoc, firstDoc + numDocs) in a sorted doc list, intersected with `cand`. */
function fromDocList(docs: Uint32Array, firstDoc: number, numDocs: number, cand: Int32Array | null, nCand: number): Selection {
  let lo = 0;
  let hi = docs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid]! < firstDoc) lo = mid + 1;
    else hi = mid;
  }
  const end = firstDoc + numDocs;
  const out = new Int32Array(Math.min(numDocs, docs.length - lo));
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
