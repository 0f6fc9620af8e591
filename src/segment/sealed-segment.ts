import type { TableSchema } from '../config/schema.js';
import type { SegmentFooter } from './format/footer.js';
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
}

/**
 * An immutable, published segment file, opened with `openSegment` (checksum verified). Holds the
 * compressed file in memory and decodes columns block by block on demand.
 *
 * @example
 *   const seg = await openSegment('/data/events/events__0__3__20240101T0000Z.seg');
 *   seg.metadata.numDocs; seg.getValue('country', 0);
 */
export class SealedSegment extends SegmentViewBase<SealedColumnReader> implements SegmentView {
  readonly consuming = false;
  protected readonly byName: Map<string, SealedColumn>;

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
    for (const col of this.byName.values()) {
      const dict = col.dictionary;
      if (dict) {
        dictionaries++;
        const compare = comparatorOf(col.footer.storedType);
        for (let id = 1; id < dict.size; id++) {
          if (compare(dict.get(id - 1), dict.get(id)) >= 0) throw this.ctx.corrupt(`dictionary of column ${col.spec.name} is not strictly ascending at id ${id}`);
        }
      }
      if (col.invertedIndex) {
        invertedIndexes++;
        col.invertedIndex.docIds(0);
      }
      for (let b = 0; b < col.blocks.length; b++) {
        col.decodeBlock(b);
        blocks++;
        onBlock?.(blocks, total);
      }
    }
    return { columns: this.byName.size, blocks, dictionaries, invertedIndexes };
  }
}
