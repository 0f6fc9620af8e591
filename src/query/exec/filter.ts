import { isBitSet } from '../../segment/builders/null-bitmap.js';
import { cachedIdMatch, compileOverIds } from './dict-expr.js';
import { rangedIdMatch } from './dict-ranges.js';
import { ValueMemoTest } from './value-memo.js';
import { compileRowExpr, dictionaryValueOf, truthy } from './compile-expr.js';
import { fromDocList, unionSorted } from './doc-lists.js';
import { matchIds16, matchIds32, matchIds8, matchMvIds } from './id-kernels.js';
import { scanRange } from './range-kernels.js';
import type { Selection } from './row-selection.js';
import { iota, Scratch } from './scratch.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';
import { rangeMayMatch, sortedIdRange } from './value-tests.js';
import { IndexAccess, pointValues } from './index-access.js';
import type { ValueTest } from './value-tests.js';
import { TimestampFilter } from './timestamp-filter.js';

import type { FilterNode, Leaf } from './filter-tree.js';

const NONE: Selection = { sel: new Int32Array(0), n: 0 };

/**
 * Runs a filter tree over one segment snapshot, block by block, counting the values it tests
 * (`numEntriesScannedInFilter`). Per-leaf work that depends only on the segment (which
 * dictionary ids match, inverted-index doc lists, the order of AND children) is done once per
 * segment. Children of an AND run index-first, as Pinot orders them: leaves answered by an
 * inverted index (smallest doc list first), then the others as written, each testing only the
 * rows that passed so far.
 *
 * A selection lives in the query's `Scratch` buffers: it is valid until the next `select`.
 */
export class SegmentFilter {
  entriesScanned = 0;
  private readonly dictMatches = new Map<FilterNode, Uint8Array>();
  /** Expression leaves that failed on some dictionary value: evaluated per row in this segment. */
  private readonly rowByRow = new Set<FilterNode>();
  /** Expression leaves over one raw numeric column: tested once per distinct value. */
  private readonly valueMemos = new Map<FilterNode, ValueMemoTest>();
  private readonly invertedDocs = new Map<FilterNode, Uint32Array | null>();
  /** JSON and range index doc lists and bloom filter checks of this segment (`index-access.ts`). */
  readonly indexes: IndexAccess;
  /** `DATETRUNC` filters answered from timestamp indexes (`timestamp-filter.ts`). */
  private readonly timestamps = new TimestampFilter();
  private readonly andOrder = new Map<FilterNode, readonly FilterNode[]>();
  private readonly scanned = new Float64Array(1);
  /** Share of tested rows that passed each raw range leaf on its last block (picks the loop form). */
  private readonly passRate = new Map<FilterNode, number>();

  constructor(
    private readonly root: FilterNode,
    private readonly segment: SegmentSnapshot,
    private readonly scratch: Scratch = new Scratch(),
  ) {
    this.indexes = new IndexAccess(segment);
  }

  /** False when segment statistics or bloom filters prove no row can match (the segment is pruned). */
  segmentMayMatch(): boolean {
    return this.mayMatch(this.root, (c) => this.segment.columnStats(c)) && this.indexes.bloomMayMatch(this.root);
  }

  /** False when block statistics prove no row of block `blockIndex` can match. */
  blockMayMatch(blockIndex: number): boolean {
    return this.mayMatch(this.root, (c) => this.segment.blockStats(c, blockIndex));
  }

  select(blockIndex: number, block: (column: string) => ColumnBlock): Selection {
    const range = this.segment.blocks[blockIndex]!;
    this.scratch.reset();
    if (!this.mayMatch(this.root, (c) => this.segment.blockStats(c, blockIndex))) return NONE;
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
        // min/max of a multi-value column cover all its values: "any value in range" is prunable too.
        if (node.range === null) return true;
        const s = stats(node.column.name);
        return s === null || rangeMayMatch(node.range, s.min as never, s.max as never);
      }
      // A NOT of a prunable child may still match; null tests and row expressions have no range.
      case 'all':
      case 'not':
      case 'isNull':
      case 'expr':
        return true;
    }
  }

  private evaluate(node: FilterNode, bi: number, firstDoc: number, numDocs: number, block: (c: string) => ColumnBlock, cand: Int32Array | null, nCand: number): Selection {
    switch (node.kind) {
      case 'all':
        return cand ? { sel: cand, n: nCand } : { sel: iota(numDocs), n: numDocs };
      case 'none':
        return NONE;
      case 'and': {
        let cur: Selection = cand ? { sel: cand, n: nCand } : { sel: iota(numDocs), n: numDocs };
        let first = cand === null;
        for (const child of this.andChildren(node)) {
          cur = this.evaluate(child, bi, firstDoc, numDocs, block, first ? null : cur.sel, cur.n);
          first = false;
          if (cur.n === 0) break;
        }
        return cur;
      }
      case 'or': {
        const mark = this.scratch.marks(numDocs);
        for (const child of node.children) {
          const s = this.evaluate(child, bi, firstDoc, numDocs, block, cand, nCand);
          for (let i = 0; i < s.n; i++) mark[s.sel[i]!] = 1;
        }
        return this.collect(mark, cand, nCand, numDocs, false);
      }
      case 'not': {
        const s = this.evaluate(node.child, bi, firstDoc, numDocs, block, cand, nCand);
        const mark = this.scratch.marks(numDocs);
        for (let i = 0; i < s.n; i++) mark[s.sel[i]!] = 1;
        return this.collect(mark, cand, nCand, numDocs, true);
      }
      case 'isNull': {
        const nulls = block(node.column.name).nulls;
        const count = cand ? nCand : numDocs;
        const out = this.scratch.ints(count);
        let n = 0;
        for (let i = 0; i < count; i++) {
          const r = cand ? cand[i]! : i;
          const isNull = nulls !== null && isBitSet(nulls, r);
          if (isNull !== node.negated) out[n++] = r;
        }
        this.entriesScanned += count;
        return { sel: out, n };
      }
      case 'expr': {
        const byId = node.column === null ? null : block(node.column.column.name);
        const buckets = byId === null ? null : this.timestamps.select(node.expr, node.column!, byId);
        if (buckets !== null) {
          const count = cand ? nCand : numDocs;
          const out = this.scratch.ints(count);
          const n = matchIds(buckets.ids, buckets.match, cand, count, out);
          this.entriesScanned += count;
          return { sel: out, n };
        }
        const match = byId !== null && byId.dictIds !== null && byId.dictionary !== null && byId.offsets === null ? this.exprMatch(node, byId) : null;
        if (match !== null) {
          const count = cand ? nCand : numDocs;
          const out = this.scratch.ints(count);
          const n = matchIds(byId!.dictIds!, match, cand, count, out);
          this.entriesScanned += count;
          return { sel: out, n };
        }
        const count = cand ? nCand : numDocs;
        const out = this.scratch.ints(count);
        if (byId !== null && !this.rowByRow.has(node)) {
          let memo = this.valueMemos.get(node);
          if (memo === undefined) this.valueMemos.set(node, (memo = new ValueMemoTest(node.expr)));
          const m = memo.select(byId, cand, count, out);
          if (m >= 0) {
            this.entriesScanned += count;
            return { sel: out, n: m };
          }
        }
        const f = compileRowExpr(node.expr, block);
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

  /** AND children in evaluation order for this segment: inverted-index leaves first (EXPLAIN shows this order). */
  andChildren(node: Extract<FilterNode, { kind: 'and' }>): readonly FilterNode[] {
    let order = this.andOrder.get(node);
    if (order === undefined) {
      const indexed: { child: FilterNode; size: number }[] = [];
      const rest: FilterNode[] = [];
      for (const child of node.children) {
        const docs = child.kind === 'leaf' && child.pointLookup ? this.invertedDocList(child) : null;
        if (docs !== null) indexed.push({ child, size: docs.length });
        else rest.push(child);
      }
      indexed.sort((a, b) => a.size - b.size);
      order = [...indexed.map((x) => x.child), ...rest];
      this.andOrder.set(node, order);
    }
    return order;
  }

  private leaf(node: Leaf, bi: number, firstDoc: number, numDocs: number, block: (c: string) => ColumnBlock, cand: Int32Array | null, nCand: number): Selection {
    const name = node.column.name;
    if (node.range !== null) {
      const s = this.segment.blockStats(name, bi);
      if (s !== null && !rangeMayMatch(node.range, s.min, s.max)) return NONE;
    }
    const jsonDocs = this.indexes.jsonDocs(node) ?? this.textDocs(node);
    if (jsonDocs) return fromDocList(jsonDocs, firstDoc, numDocs, cand, nCand, this.scratch.ints(Math.min(numDocs, cand ? nCand : numDocs)));
    if (node.pointLookup) {
      const docs = this.invertedDocList(node);
      if (docs) return fromDocList(docs, firstDoc, numDocs, cand, nCand, this.scratch.ints(Math.min(numDocs, cand ? nCand : numDocs)));
    }
    const rangeDocs = this.indexes.rangeDocs(node);
    if (rangeDocs) return fromDocList(rangeDocs, firstDoc, numDocs, cand, nCand, this.scratch.ints(Math.min(numDocs, cand ? nCand : numDocs)));
    const b = block(name);
    const count = cand ? nCand : numDocs;
    const out = this.scratch.ints(count);
    const offsets = b.offsets;
    let n: number;
    if (b.dictIds && b.dictionary) {
      const match = this.dictMatch(node, b);
      const ids = b.dictIds;
      if (offsets !== null) {
        const cum = this.scratch.ints(offsets[numDocs]! - offsets[0]! + 1);
        n = matchMvIds(ids, offsets, match, cand, count, numDocs, out, cum, this.scanned);
        this.entriesScanned += this.scanned[0]!;
        return { sel: out, n };
      }
      n = matchIds(ids, match, cand, count, out);
      this.entriesScanned += count;
      return { sel: out, n };
    }
    const values = b.values!;
    if (offsets === null) {
      const pass = this.passRate.get(node) ?? 0.5;
      const fast = node.bounds === null ? -1 : scanRange(node.bounds, values, cand, count, out, pass < 0.08 || pass > 0.92);
      n = fast >= 0 ? fast : testEach(node.test, values, cand, count, out);
      if (count > 0) this.passRate.set(node, n / count);
      this.entriesScanned += count;
      return { sel: out, n };
    }
    const test = node.test;
    n = 0;
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
    return { sel: out, n };
  }

  /**
   * Which dictionary ids pass the leaf's test (computed once per segment and dictionary size).
   * A sealed sorted dictionary answers ranges, prefix LIKE, `=` and IN from its bounds without
   * reading the values between them (`dict-ranges.ts`); otherwise only the ids inside the leaf's
   * value range are tested.
   */
  private dictMatch(node: Leaf, b: ColumnBlock): Uint8Array {
    const dict = b.dictionary!;
    let match = this.dictMatches.get(node);
    if (!match || match.length < dict.size) {
      const stats = this.segment.columnStats(node.column.name);
      const ranged = rangedIdMatch(node, dict, typeof stats?.max === 'number' && !Number.isNaN(stats.max));
      if (ranged !== null) {
        this.dictMatches.set(node, ranged);
        return ranged;
      }
      match = new Uint8Array(dict.size);
      if (dict.sorted && node.range !== null) {
        // Only the ids inside the range, read one by one: no array of every value (a point
        // lookup on a sorted column would otherwise build one per segment and query).
        const [from, to] = sortedIdRange((id) => dict.get(id), dict.size, node.range);
        for (let i = from; i < to; i++) match[i] = node.test(dict.get(i)) ? 1 : 0;
      } else {
        const value = dictionaryValueOf(dict);
        for (let i = 0; i < dict.size; i++) match[i] = node.test(value(i)) ? 1 : 0;
      }
      this.dictMatches.set(node, match);
    }
    return match;
  }

  /** Which dictionary ids pass an expression over that one column (once per segment and dictionary size). */
  private exprMatch(node: Extract<FilterNode, { kind: 'expr' }>, b: ColumnBlock): Uint8Array | null {
    const dict = b.dictionary!;
    let match = this.dictMatches.get(node);
    if (!match || match.length < dict.size) {
      if (this.rowByRow.has(node)) return null;
      try {
        match = cachedIdMatch(node.expr, dict, this.segment.consuming, () => {
          const f = compileOverIds(node.expr, dict);
          const m = new Uint8Array(dict.size);
          for (let i = 0; i < dict.size; i++) m[i] = truthy(f(i)) ? 1 : 0;
          return m;
        });
      } catch {
        // A value no selected row may hold fails the function: only rows may raise the error.
        this.rowByRow.add(node);
        return null;
      }
      this.dictMatches.set(node, match);
    }
    return match;
  }

  /** True when this segment answers an expression leaf from a timestamp index (`DATETRUNC(unit, col)` with that unit). */
  usesTimestampIndex(node: Extract<FilterNode, { kind: 'expr' }>): boolean {
    return node.column !== null && this.segment.blocks.length > 0 && this.timestamps.select(node.expr, node.column, this.segment.block(node.column.column.name, 0)) !== null;
  }

  /** True when this segment answers the leaf from its inverted index (an `=`/IN leaf on an indexed column). */
  usesInvertedIndex(node: Leaf): boolean {
    return node.pointLookup && this.invertedDocList(node) !== null;
  }

  /** Sorted doc ids of an `=`/IN leaf from the segment's inverted index, or null if it has none. */
  /** A TEXT_MATCH leaf's docs from the text index; texts read for phrases count as scanned entries. */
  private textDocs(node: Leaf): Uint32Array | null {
    const before = this.indexes.entriesRead;
    const docs = this.indexes.textDocs(node);
    this.entriesScanned += this.indexes.entriesRead - before;
    return docs;
  }

  private invertedDocList(node: Leaf): Uint32Array | null {
    if (this.invertedDocs.has(node)) return this.invertedDocs.get(node)!;
    const index = this.segment.invertedIndex(node.column.name);
    let docs: Uint32Array | null = null;
    if (index) {
      // Through the index's own lookup: a paged dictionary reads one page per value, not all of it.
      const ids = new Set<number>();
      for (const v of pointValues(node)) {
        // `= 0` holds for -0 as well as +0, two values of the dictionary: look up both.
        for (const x of v === 0 ? [-0, 0] : [v]) {
          const id = index.idOf(x as never);
          if (id >= 0) ids.add(id);
        }
      }
      // Built in this query's buffers for the leaf (valid while this segment is scanned).
      docs = unionSorted([...ids].map((id) => index.docIds(id)), (size) => this.scratch.unionBuffers(node, size));
    }
    this.invertedDocs.set(node, docs);
    return docs;
  }

  private collect(mark: Uint8Array, cand: Int32Array | null, nCand: number, numDocs: number, invert: boolean): Selection {
    const want = invert ? 0 : 1;
    if (cand) {
      const out = this.scratch.ints(nCand);
      let n = 0;
      for (let i = 0; i < nCand; i++) if (mark[cand[i]!] === want) out[n++] = cand[i]!;
      return { sel: out, n };
    }
    const out = this.scratch.ints(numDocs);
    let n = 0;
    for (let r = 0; r < numDocs; r++) if (mark[r] === want) out[n++] = r;
    return { sel: out, n };
  }
}

function matchIds(ids: Uint8Array | Uint16Array | Int32Array, match: Uint8Array, cand: Int32Array | null, count: number, out: Int32Array): number {
  if (ids instanceof Uint8Array) return matchIds8(ids, match, cand, count, out);
  if (ids instanceof Uint16Array) return matchIds16(ids, match, cand, count, out);
  return matchIds32(ids, match, cand, count, out);
}

function testEach(test: ValueTest, values: ArrayLike<unknown>, cand: Int32Array | null, count: number, out: Int32Array): number {
  let n = 0;
  for (let i = 0; i < count; i++) {
    const r = cand ? cand[i]! : i;
    if (test(values[r])) out[n++] = r;
  }
  return n;
}
