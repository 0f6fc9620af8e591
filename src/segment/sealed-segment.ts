import type { TableSchema } from '../config/schema.js';
import type { SegmentFooter, StarTreeFooter } from './format/footer.js';
import { readStarTree } from './indexes/star-tree.js';
import type { StarTreeRecords } from './indexes/star-tree.js';
import type { ReadContext } from './reader/read-context.js';
import { SealedColumn } from './reader/sealed-column.js';
import { comparatorOf } from './reader/sealed-dictionary.js';
import type { SegmentMetadata } from './segment-metadata.js';
import type { SegmentView, SealedColumnReader } from './segment-view.js';
import { SegmentViewBase } from './segment-view-base.js';

/** What `verify` checked. */
export interface VerifyReport {
  readonly columns: number;
  readonly blocks: number;
  readonly dictionaries: number;
  readonly invertedIndexes: number;
  /** JSON indexes and bloom filters decoded and checked (format version 2). */
  readonly jsonIndexes: number;
  readonly bloomFilters: number;
  readonly rangeIndexes: number;
  readonly textIndexes: number;
  readonly timestampIndexes: number;
  readonly starTrees: number;
}

/** How long a retired segment's file stays readable through its open descriptor (the longest query). */
export const RETIRED_SEGMENT_GRACE_MS = 10 * 60 * 1000;

/** Closes the descriptor of a segment that was garbage-collected while pinned. */
const closeSources = new FinalizationRegistry<ReadContext['source']>((source) => source.close());

/**
 * An immutable, published segment file, opened with `openSegment`. Keeps only its footer in
 * memory; columns are read from the file (positioned reads) block by block on demand, into the
 * process-wide memory budget.
 *
 * @example
 *   const seg = await openSegment('/data/events/events__0__3__20240101T0000Z.seg');
 *   seg.metadata.numDocs; seg.getValue('country', 0);
 */
export class SealedSegment extends SegmentViewBase<SealedColumnReader> implements SegmentView {
  readonly consuming = false;
  protected readonly byName: Map<string, SealedColumn>;
  private readonly starTreeCache: (StarTreeRecords | undefined)[] = [];

  constructor(
    readonly path: string,
    readonly footer: SegmentFooter,
    readonly metadata: SegmentMetadata,
    readonly schema: TableSchema,
    private readonly ctx: ReadContext,
  ) {
    super();
    this.byName = new Map(footer.columns.map((c, i) => [c.name, new SealedColumn(ctx, schema.columns[i]!, c)] as const));
  }

  /**
   * The segment stops being served (deleted, dropped by retention, replaced by compaction,
   * quarantined): its cache entries are dropped now, and its file stays readable through an open
   * descriptor for `graceMs` (default {@link RETIRED_SEGMENT_GRACE_MS}; null: no limit) — or until the segment is
   * garbage-collected — so a query that took it before the swap still reads it after the file is
   * unlinked or moved. Call it before removing or renaming the file.
   */
  retire(graceMs: number | null = RETIRED_SEGMENT_GRACE_MS): void {
    for (const col of this.byName.values()) col.release();
    const source = this.ctx.source;
    try {
      source.pin();
    } catch {
      return; // Already gone: queries that still read it get SEGMENT_CORRUPT naming the read error.
    }
    closeSources.register(this, source);
    // null: held until the segment is garbage-collected (a file replaced by another at its path,
    // which a key map may still read through this object).
    if (graceMs === null) return;
    const timer = setTimeout(() => source.close(), graceMs);
    timer.unref();
  }

  /** Drops this segment's cache entries and open descriptor (a table stops; nothing reads it any more). */
  close(): void {
    for (const col of this.byName.values()) col.release();
    this.ctx.source.close();
  }

  /** The file's star-trees (footer entries), in config order; empty when none. A file has cubes (`starTrees`) or trees (`starTreeIndexes`). */
  get starTrees(): readonly StarTreeFooter[] {
    return [...(this.footer.starTrees ?? []), ...(this.footer.starTreeIndexes ?? [])];
  }

  /** The records of star-tree `i`, decoded once and kept (small next to its segment). */
  starTreeRecords(i: number): StarTreeRecords {
    let records = this.starTreeCache[i];
    if (records === undefined) {
      const t = this.starTrees[i]!;
      records = this.ctx.decode(t.section, `star-tree ${i}`, (bytes) => readStarTree(bytes, t.dimensions.length, t.functionColumnPairs.length, this.numDocs, t.numNodes ?? null));
      this.starTreeCache[i] = records;
    }
    return records;
  }

  /** An upsert file's replay section (`UpsertFooter.replay`) decoded, or null when it has none. */
  upsertReplay(): Uint8Array | null {
    const ref = this.footer.upsert?.replay;
    return ref === undefined ? null : this.ctx.decode(ref, 'upsert replay order', (bytes) => bytes);
  }

  get name(): string {
    return this.metadata.segmentName;
  }

  get numDocs(): number {
    return this.metadata.numDocs;
  }

  /**
   * Decodes every block, dictionary and inverted index of every column (bypassing caches) and
   * checks their internal consistency. Throws `SEGMENT_CORRUPT` on the first problem.
   * `onBlock(done, total)` is called after each block is decoded (a progress bar).
   */
  verify(onBlock?: (done: number, total: number) => void): VerifyReport {
    let total = 0;
    for (const col of this.byName.values()) total += col.blocks.length;
    let blocks = 0;
    let dictionaries = 0;
    let invertedIndexes = 0;
    let jsonIndexes = 0;
    let bloomFilters = 0;
    let rangeIndexes = 0;
    let textIndexes = 0;
    let timestampIndexes = 0;
    for (const col of this.byName.values()) {
      if (col.isPaged) {
        col.verifyPages();
        dictionaries++;
        if (col.footer.pages!.inverted) invertedIndexes++;
      }
      const dict = col.isPaged ? null : col.dictionary;
      if (dict) {
        dictionaries++;
        const compare = comparatorOf(col.footer.storedType);
        for (let id = 1; id < dict.size; id++) {
          if (compare(dict.get(id - 1), dict.get(id)) >= 0) throw this.ctx.corrupt(`dictionary of column ${col.spec.name} is not strictly ascending at id ${id}`);
        }
      }
      if (!col.isPaged && col.invertedIndex) {
        invertedIndexes++;
        col.invertedIndex.docIds(0);
      }
      if (col.footer.jsonIndex) {
        col.release();
        if (col.jsonIndex) jsonIndexes++;
      }
      if (col.footer.bloomFilter) {
        col.release();
        if (col.bloomFilter) bloomFilters++;
      }
      if (col.footer.rangeIndex) {
        col.release();
        if (col.rangeIndex) rangeIndexes++;
      }
      if (col.footer.textIndex) {
        col.release();
        if (col.textIndex) textIndexes++;
      }
      if (col.footer.timestampIndex) {
        col.release();
        if (col.timestampIndex) timestampIndexes++;
      }
      for (let b = 0; b < col.blocks.length; b++) {
        col.decodeBlock(b);
        blocks++;
        onBlock?.(blocks, total);
      }
    }
    // Star-trees are decoded (and checked) without the cache.
    let starTrees = 0;
    this.starTrees.forEach((t, i) => {
      this.ctx.decode(t.section, `star-tree ${i}`, (bytes) => readStarTree(bytes, t.dimensions.length, t.functionColumnPairs.length, this.numDocs, t.numNodes ?? null));
      starTrees++;
    });
    return { columns: this.byName.size, blocks, dictionaries, invertedIndexes, jsonIndexes, bloomFilters, rangeIndexes, textIndexes, timestampIndexes, starTrees };
  }
}
