import type { ScalarValue } from '../config/data-type.js';
import type { RollupSettings } from '../config/rollup-config.js';
import type { TableSchema } from '../config/schema.js';
import type { IndexingConfig } from '../config/table-config.js';
import type { DecodedRow } from '../spi/decoder.js';
import type { ColumnPrefix, ImmutableColumn } from './builders/column-builder.js';
import { ColumnBuilder } from './builders/column-builder.js';
import { rawBlockStats } from './builders/block-stats.js';
import { bitmapBytes } from './builders/null-bitmap.js';
import { DOCS_PER_BLOCK } from './format/format-constants.js';
import { columnSnapshot } from './column-snapshot.js';
import type { SegmentIdentity } from './segment-identity.js';
import type { BlockStats, ColumnReader, SegmentView } from './segment-view.js';
import { SegmentViewBase } from './segment-view-base.js';
import { requireColumn } from './view-rows.js';
import { dimensionKey, fitsStoredType, rollupCombiners } from './rollup-combine.js';
import type { Combine } from './rollup-combine.js';

export interface ConsumingSegmentOptions {
  readonly identity: SegmentIdentity;
  readonly schema: TableSchema;
  readonly indexing: IndexingConfig;
  readonly timeColumnName?: string;
  /** Defaults to `Date.now()`; drives the time flush threshold. */
  readonly createdAtMs?: number;
  /**
   * Ingest-time rollup (Pinot's `aggregateMetrics` / `aggregationConfigs`): a row whose every
   * non-metric cell equals an indexed doc's is added into that doc's metrics instead of appended.
   */
  readonly rollup?: RollupSettings;
}

/** A rollup segment's groups: the doc of each distinct set of non-metric values. */
interface RollupState {
  readonly settings: RollupSettings;
  readonly combine: readonly (Combine | null)[];
  readonly defaults: readonly (ScalarValue | null)[];
  readonly metricColumns: ReadonlySet<string>;
  readonly groups: Map<string, number>;
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
 * indexing continues and across awaits. A rollup segment (`rollup`) is the one exception: it adds
 * a row of an existing group into that doc's metric cells in place, so `columnPrefix` hands out
 * copies of metric columns (a query's snapshot, taken in one synchronous step, stays frozen).
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
  private readonly rollupState: RollupState | null;
  /** Per column: each full block's statistics once asked for (`blockStats`). */
  private readonly fullBlockStats = new Map<string, (BlockStats | null)[]>();

  constructor(options: ConsumingSegmentOptions) {
    super();
    this.identity = options.identity;
    this.schema = options.schema;
    this.indexing = options.indexing;
    this.timeColumnName = options.timeColumnName;
    this.createdAtMs = options.createdAtMs ?? Date.now();
    this.builders = options.schema.columns.map((spec) => new ColumnBuilder(spec, options.indexing.nullHandlingEnabled));
    this.byName = new Map(this.builders.map((b) => [b.spec.name, b] as const));
    const rollup = options.rollup;
    this.rollupState = rollup === undefined ? null : {
      settings: rollup,
      combine: rollupCombiners(options.schema, rollup),
      // Grouped by stored values: a null cell is stored as its column's default (rollup tables have null handling off).
      defaults: options.schema.columns.map((c) => (c.singleValue ? (c.defaultNullValue as ScalarValue) : null)),
      metricColumns: new Set(rollup.metrics.map((m) => m.column)),
      groups: new Map(),
    };
  }

  /** The rollup this segment applies as rows arrive, or null for a raw segment. */
  get rollup(): RollupSettings | null {
    return this.rollupState?.settings ?? null;
  }

  get name(): string {
    return this.identity.segmentName;
  }

  get numDocs(): number {
    return this.docs;
  }

  /** Persisted offset string of the first indexed record (a gap repair: of the first record read, `startRangeAt`); null while empty. */
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
   * A rollup segment adds a row of a known group into that group's doc (`numDocs` unchanged);
   * offsets and arrival time move either way.
   */
  index(row: DecodedRow, offset: string, arrivalTimeMs: number): void {
    const builders = this.builders;
    if (row.length !== builders.length) {
      throw new TypeError(`row has ${row.length} cells, schema ${this.schema.name} has ${builders.length} columns`);
    }
    const n = this.docs;
    const rollup = this.rollupState;
    const key = rollup === null ? null : dimensionKey(row.map((cell, i) => cell ?? rollup.defaults[i] ?? null), rollup.combine);
    const group = key === null ? undefined : rollup!.groups.get(key);
    if (group === undefined || !this.addInto(group, row, rollup!.combine)) {
      try {
        for (let i = 0; i < builders.length; i++) builders[i]!.append(row[i] ?? null);
      } catch (err) {
        for (const b of builders) b.truncate(n);
        throw err;
      }
      this.docs = n + 1;
      if (key !== null) rollup!.groups.set(key, n);
    }
    if (this.first === null) this.first = offset;
    this.last = offset;
    this.latestArrival = arrivalTimeMs;
  }

  /**
   * Adds `row`'s metrics into doc `doc` of its group; all-or-nothing (every new value computed
   * first). False, and nothing changed, when a combined value does not fit its column's type (an
   * INT sum past 2^31 - 1): the row then starts the group's next doc.
   */
  private addInto(doc: number, row: DecodedRow, combine: readonly (Combine | null)[]): boolean {
    const next: [number, ScalarValue][] = [];
    for (let i = 0; i < combine.length; i++) {
      const fn = combine[i];
      if (!fn) continue;
      const b = this.builders[i]!;
      const current = b.getValue(doc);
      const cell = row[i] ?? null;
      if (cell !== null && typeof cell !== typeof current) throw new TypeError(`column ${b.spec.name}: cannot add a ${typeof cell} value into a ${typeof current} metric`);
      const value = fn(current, cell);
      if (!fitsStoredType(b.spec.dataType, value)) return false;
      if (value !== null) next.push([i, value as ScalarValue]);
    }
    for (const [i, value] of next) this.builders[i]!.replaceValue(doc, value);
    return true;
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
   * A gap repair's segment: its range starts at `offset`, the first record it read, even when
   * that record leaves no row (a dedup table drops a key another segment stored meanwhile) — so
   * the file covers the whole range of the segment it stands in for and closes its gap.
   */
  startRangeAt(offset: string): void {
    this.first ??= offset;
  }

  /**
   * The first `numDocs` docs of a column as views of the builder's arrays, no copy (queries take
   * `numDocs` once, then read these). Rows indexed later never show through them.
   */
  columnPrefix(columnName: string, numDocs: number): ColumnPrefix {
    const prefix = requireColumn(this.byName, columnName, this.name).prefix(numDocs);
    // A rollup segment's metric cells change in place: the reader gets them as they are now.
    if (this.rollupState === null || !this.rollupState.metricColumns.has(columnName) || prefix.values === null) return prefix;
    return { ...prefix, values: prefix.values.slice() };
  }

  /**
   * The statistics of full block `blockIndex` (`DOCS_PER_BLOCK` docs) of a single-value numeric
   * column (`rawBlockStats`), so queries prune and skip this segment's blocks as a sealed one's:
   * computed on first use and kept, as a full block's docs never change (rows are only appended;
   * a row that fails half-way is rolled back before `numDocs` moves). Null for the block still
   * filling, any other column, and a rollup segment (it adds rows into its docs' metric cells in
   * place). Measured on the 10M `parallel` bench's consuming segment (312,500 rows), which had
   * none: top-k-rows (`ORDER BY amount DESC, ts LIMIT 10`) read every row of it, 2.6 ms on the
   * main thread against 3.2 ns a row of sealed segments (bench/notes.md, 2026-12-08).
   */
  blockStats(columnName: string, blockIndex: number): BlockStats | null {
    const firstDoc = blockIndex * DOCS_PER_BLOCK;
    if (this.rollupState !== null || blockIndex < 0 || firstDoc + DOCS_PER_BLOCK > this.docs) return null;
    let stats = this.fullBlockStats.get(columnName);
    if (stats === undefined) this.fullBlockStats.set(columnName, (stats = []));
    let s = stats[blockIndex];
    if (s === undefined) {
      const builder = requireColumn(this.byName, columnName, this.name);
      s = rawBlockStats(builder.spec, builder.prefix(firstDoc + DOCS_PER_BLOCK), firstDoc, DOCS_PER_BLOCK);
      stats[blockIndex] = s;
    }
    return s;
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
