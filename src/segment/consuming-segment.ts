import type { TableSchema } from '../config/schema.js';
import type { IndexingConfig } from '../config/table-config.js';
import type { DecodedRow } from '../spi/decoder.js';
import type { ColumnPrefix, ImmutableColumn } from './builders/column-builder.js';
import { ColumnBuilder } from './builders/column-builder.js';
import { bitmapBytes } from './builders/null-bitmap.js';
import { columnSnapshot } from './column-snapshot.js';
import type { SegmentIdentity } from './segment-identity.js';
import type { ColumnReader, SegmentView } from './segment-view.js';
import { SegmentViewBase } from './segment-view-base.js';
import { requireColumn } from './view-rows.js';

export interface ConsumingSegmentOptions {
  readonly identity: SegmentIdentity;
  readonly schema: TableSchema;
  readonly indexing: IndexingConfig;
  readonly timeColumnName?: string;
  /** Defaults to `Date.now()`; drives the time flush threshold. */
  readonly createdAtMs?: number;
}

/** What the segment writer needs from a consuming segment at seal time. */
export interface ConsumingSnapshot {
  readonly numDocs: number;
  readonly columns: readonly ImmutableColumn[];
  readonly firstOffset: string | null;
  readonly lastOffset: string | null;
}

/**
 * The in-memory, queryable segment one partition consumer appends to, until it is sealed.
 *
 * Single writer: only the partition's consume loop calls `index`. Any number of readers may read
 * at the same time through the `SegmentView` interface; a reader takes `numDocs` once and reads
 * docs below it — values never move or change once written, so that prefix stays valid while
 * indexing continues and across awaits.
 *
 * @example
 *   const seg = new ConsumingSegment({ identity: { tableName, segmentName, partitionId: 0, shardId }, schema, indexing });
 *   seg.index(row, message.offset.toString(), message.arrivalTimeMs);
 */
export class ConsumingSegment extends SegmentViewBase<ColumnReader> implements SegmentView {
  readonly identity: SegmentIdentity;
  readonly schema: TableSchema;
  readonly indexing: IndexingConfig;
  readonly timeColumnName: string | undefined;
  readonly createdAtMs: number;
  readonly consuming = true;
  private readonly builders: ColumnBuilder[];
  protected readonly byName: Map<string, ColumnBuilder>;
  private docs = 0;
  private first: string | null = null;
  private last: string | null = null;
  private latestArrival: number | null = null;

  constructor(options: ConsumingSegmentOptions) {
    super();
    this.identity = options.identity;
    this.schema = options.schema;
    this.indexing = options.indexing;
    this.timeColumnName = options.timeColumnName;
    this.createdAtMs = options.createdAtMs ?? Date.now();
    this.builders = options.schema.columns.map((spec) => new ColumnBuilder(spec, options.indexing.nullHandlingEnabled));
    this.byName = new Map(this.builders.map((b) => [b.spec.name, b] as const));
  }

  get name(): string {
    return this.identity.segmentName;
  }

  get numDocs(): number {
    return this.docs;
  }

  /** Persisted offset string of the first indexed record; null while empty. */
  get firstOffset(): string | null {
    return this.first;
  }

  /**
   * Persisted offset string of the last record this segment consumed — indexed, or skipped
   * through `markConsumed` — so a restart resumes after it; null before the first record.
   */
  get lastOffset(): string | null {
    return this.last;
  }

  /** Stream arrival time of the newest indexed record (freshness), null while empty. */
  get latestArrivalTimeMs(): number | null {
    return this.latestArrival;
  }

  /** Rough bytes held by the builders (capacity of typed arrays plus dictionary entries). */
  get estimatedSizeBytes(): number {
    let total = 0;
    for (const b of this.builders) total += b.estimatedBytes;
    return total;
  }

  /**
   * Appends one decoded row (one cell per schema column, already in the column's in-memory type;
   * `null` = missing). All-or-nothing: if a cell is unusable (e.g. an array for a single-value
   * column) every column is rolled back and the error is thrown; the segment stays consistent.
   */
  index(row: DecodedRow, offset: string, arrivalTimeMs: number): void {
    const builders = this.builders;
    if (row.length !== builders.length) {
      throw new TypeError(`row has ${row.length} cells, schema ${this.schema.name} has ${builders.length} columns`);
    }
    const n = this.docs;
    try {
      for (let i = 0; i < builders.length; i++) builders[i]!.append(row[i] ?? null);
    } catch (err) {
      for (const b of builders) b.truncate(n);
      throw err;
    }
    this.docs = n + 1;
    if (this.first === null) this.first = offset;
    this.last = offset;
    this.latestArrival = arrivalTimeMs;
  }

  /**
   * Records that the stream record at `offset` was consumed without a row (it failed to decode
   * or was filtered out): the segment's end offset moves past it, so it is not read again once
   * this segment is sealed.
   */
  markConsumed(offset: string): void {
    this.last = offset;
  }

  /**
   * The first `numDocs` docs of a column as views of the builder's arrays, no copy (queries take
   * `numDocs` once, then read these). Rows indexed later never show through them.
   */
  columnPrefix(columnName: string, numDocs: number): ColumnPrefix {
    return requireColumn(this.byName, columnName, this.name).prefix(numDocs);
  }

  /**
   * The rows indexed so far, for the segment writer: `numDocs` and, per column, views of the
   * builders' arrays (no copy; see `columnSnapshot`). Indexing may continue afterwards: the
   * snapshot keeps showing the same rows, as values below `numDocs` never change.
   */
  snapshot(): ConsumingSnapshot {
    const n = this.docs;
    const noNulls = new Uint8Array(bitmapBytes(n));
    const keepNulls = (b: ColumnBuilder): boolean => !this.indexing.nullHandlingEnabled && b.spec.name === this.timeColumnName;
    return {
      numDocs: n,
      columns: this.builders.map((b) => columnSnapshot(b, n, keepNulls(b), noNulls)),
      firstOffset: this.first,
      lastOffset: this.last,
    };
  }
}
