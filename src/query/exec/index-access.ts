import type { ColumnSpec } from '../../config/schema.js';
import { isTextMatcher } from '../functions/text-match.js';
import { isJsonMatcher, jsonIndexDocs } from '../json-match/json-match-eval.js';
import { textIndexDocs } from '../text-match/text-index-eval.js';
import { bloomAllows, rangeIndexDocs } from './index-pruning.js';
import type { SegmentSnapshot } from './segment-snapshot.js';
import { DOCS_PER_BLOCK } from '../../segment/format/format-constants.js';
import type { LeafNode, ValueRange, ValueTest } from './value-tests.js';

/** What `IndexAccess` reads of a filter leaf (structurally `filter.ts`'s `Leaf`). */
export interface IndexedLeaf {
  readonly column: ColumnSpec;
  readonly node: LeafNode;
  readonly test: ValueTest;
  readonly range: ValueRange | null;
  readonly pointLookup: boolean;
}

/** The shape of `filter.ts`'s `FilterNode` that the bloom walk needs (`and`/`or` have children). */
export interface FilterTreeNode {
  readonly kind: string;
  readonly children?: readonly FilterTreeNode[];
}

/** The constants an `=` / `IN` leaf looks for. */
export function pointValues(leaf: IndexedLeaf): readonly unknown[] {
  return leaf.node.kind === 'in' ? leaf.node.values : [(leaf.node as { right: { value: unknown } }).right.value];
}

/**
 * The JSON index, range index and bloom filter side of one segment's filter (`SegmentFilter`
 * calls it from small hooks): doc lists computed once per leaf and segment, and bloom checks.
 * Each answer equals the scan's: the range path still applies the leaf's own value test.
 */
export class IndexAccess {
  private readonly json = new Map<IndexedLeaf, Uint32Array | null>();
  private readonly range = new Map<IndexedLeaf, Uint32Array | null>();
  private readonly text = new Map<IndexedLeaf, Uint32Array | null>();
  /** Values read while answering from indexes (texts of phrase candidates), for `numEntriesScannedInFilter`. */
  entriesRead = 0;

  constructor(private readonly segment: SegmentSnapshot) {}

  /**
   * False when bloom filters prove a filter tree matches nothing here (Pinot's
   * BloomFilterSegmentPruner): an AND with one `=` / `IN` leaf ruled out, an OR with all ruled
   * out; NOT and other nodes are never ruled out.
   */
  bloomMayMatch(node: FilterTreeNode): boolean {
    if (node.kind === 'and') return node.children!.every((c) => this.bloomMayMatch(c));
    if (node.kind === 'or') return node.children!.some((c) => this.bloomMayMatch(c));
    if (node.kind !== 'leaf') return true;
    const leaf = node as unknown as IndexedLeaf;
    return !leaf.pointLookup || bloomAllows(leaf.column, pointValues(leaf), this.segment);
  }

  /** Sorted doc ids of a JSON_MATCH leaf from the column's JSON index, or null without one. */
  jsonDocs(leaf: IndexedLeaf): Uint32Array | null {
    const n = leaf.node;
    if (n.kind !== 'match' || !isJsonMatcher(n.matcher)) return null;
    if (!this.json.has(leaf)) {
      const index = this.segment.jsonIndex?.(leaf.column.name) ?? null;
      this.json.set(leaf, index === null ? null : jsonIndexDocs(n.matcher.jsonMatch, index, this.segment.numDocs));
    }
    return this.json.get(leaf)!;
  }

  /** Sorted doc ids of a TEXT_MATCH leaf from the column's text index, or null without one. */
  textDocs(leaf: IndexedLeaf): Uint32Array | null {
    const n = leaf.node;
    if (n.kind !== 'match' || !isTextMatcher(n.matcher)) return null;
    if (!this.text.has(leaf)) {
      const index = this.segment.textIndex?.(leaf.column.name) ?? null;
      if (index === null) this.text.set(leaf, null);
      else {
        const found = textIndexDocs(n.matcher.textQuery, index, this.segment.numDocs, (doc) => this.textOf(leaf.column.name, doc));
        this.entriesRead += found.checked;
        this.text.set(leaf, found.docs);
      }
    }
    return this.text.get(leaf)!;
  }

  /** The stored text of one doc of a sealed single-value string column (blocks are `DOCS_PER_BLOCK` docs). */
  private textOf(column: string, doc: number): string {
    const bi = Math.floor(doc / DOCS_PER_BLOCK);
    const b = this.segment.block(column, bi);
    const at = doc - this.segment.blocks[bi]!.firstDoc;
    return String(b.dictIds !== null && b.dictionary !== null ? b.dictionary.get(b.dictIds[at]!) : b.values![at]);
  }

  /** Sorted doc ids of a leaf with a value range from the column's range index, or null without one. */
  rangeDocs(leaf: IndexedLeaf): Uint32Array | null {
    if (leaf.range === null) return null;
    if (!this.range.has(leaf)) {
      const index = this.segment.rangeIndex?.(leaf.column.name) ?? null;
      this.range.set(leaf, index === null ? null : rangeIndexDocs(index, leaf.range, leaf.test));
    }
    return this.range.get(leaf)!;
  }
}
