import type { CellValue, ScalarValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { UpsertSettings } from '../config/upsert-config.js';
import type { ConsumingSegment } from '../segment/consuming-segment.js';
import { LiveDocs } from '../segment/live-docs.js';
import type { FrozenLiveDocs } from '../segment/live-docs.js';
import type { UpsertFooter } from '../segment/format/footer.js';
import type { SealedSegment } from '../segment/sealed-segment.js';
import type { SegmentView } from '../segment/segment-view.js';
import type { DecodedRow } from '../spi/decoder.js';
import type { AdmittedRow, KeyedRows } from './keyed-rows.js';
import { mergePartialRow, planPartialUpsert } from './partial-merge.js';
import type { PartialUpsertPlan } from './partial-merge.js';
import { compareValues, isDeleteValue, keyColumnsOf, primaryKeyOf } from './record-keys.js';
import type { KeyColumns } from './record-keys.js';

/** One segment's rows as the key map knows them. */
interface Slot {
  readonly name: string;
  readonly view: SegmentView;
  readonly live: LiveDocs;
  /** Consuming segments: the primary key of each doc, so a seal can move the key map's doc ids. */
  readonly keys: string[] | null;
}

/** Where a key's live row is. `cmp`: the latest value of each comparison column (null = never given). */
interface Entry {
  /** Partition id of the record that made the row live (for the cross-shard warning). */
  partition: number;
  slot: Slot;
  doc: number;
  cmp: (ScalarValue | null)[];
  deleted: boolean;
}


/** Counters shown in status and metrics. */
export interface UpsertCounters {
  keys: number;
  liveRows: number;
  deletedKeys: number;
  outOfOrderKept: number;
  outOfOrderDropped: number;
  /** Records whose key's live row came from another shard that is not an ancestor (a warning). */
  keysSeenInUnrelatedShards: number;
}

/**
 * The key map of one upsert table (FULL or PARTIAL): primary key → the segment and doc id of its
 * live row and its comparison values, plus one `LiveDocs` per segment (sealed and consuming).
 * One map per table, whatever the shard: keys that move on a reshard stay in it.
 *
 * Rules (`docs/upsert.md`): a record replaces the live row when its comparison value is greater
 * or equal (ties to the later record) — so the live row of a key is the one with the greatest
 * comparison value, the latest among equals. A true `deleteRecordColumn` makes the new row live
 * but not queryable. An older record is out of order: kept but not live (flagged in
 * `outOfOrderRecordColumn` if set) or dropped with `dropOutOfOrderRecord`. PARTIAL mode merges the
 * record into the previous live, undeleted row with `mergePartialRow`.
 *
 * Single-threaded and synchronous: every change happens inside `commit`, `sealed` or `rebuild`,
 * never across an await, so `freezeAll` always sees one live row per key.
 */
export class UpsertKeyMap implements KeyedRows {
  private readonly entries = new Map<string, Entry>();
  private readonly slots = new Map<string, Slot>();
  private readonly columns: KeyColumns;
  private readonly plan: PartialUpsertPlan | null;
  private nextCommit = 0;
  private readonly counts = { outOfOrderKept: 0, outOfOrderDropped: 0, keysSeenInUnrelatedShards: 0 };
  /** True when partition `ancestor` is a parent (or a parent's parent...) of `partition`. */
  private isAncestor: (ancestor: number, partition: number) => boolean = () => false;

  constructor(
    private readonly schema: TableSchema,
    private readonly settings: UpsertSettings,
  ) {
    this.columns = keyColumnsOf(schema, settings);
    this.plan =
      settings.mode === 'PARTIAL'
        ? planPartialUpsert(schema, { strategies: settings.partialUpsertStrategies, defaultStrategy: settings.defaultPartialUpsertStrategy, comparisonColumns: settings.comparisonColumns })
        : null;
  }

  /** Ingestion tells the map the shards' lineage, for the cross-shard warning. */
  setLineage(isAncestor: (ancestor: number, partition: number) => boolean): void {
    this.isAncestor = isAncestor;
  }

  get counters(): UpsertCounters {
    let liveRows = 0;
    let deletedKeys = 0;
    for (const e of this.entries.values()) (e.deleted ? deletedKeys++ : liveRows++);
    return { keys: this.entries.size, liveRows, deletedKeys, ...this.counts };
  }

  admit(row: DecodedRow, segment: ConsumingSegment): AdmittedRow | null {
    const key = this.keyOf(row);
    const cmp = this.comparisonOf(row);
    const old = this.entries.get(key);
    if (old !== undefined && !this.wins(cmp, old.cmp)) {
      if (this.settings.dropOutOfOrderRecord) {
        this.counts.outOfOrderDropped++;
        return null;
      }
      let kept = row;
      if (this.columns.outOfOrder >= 0) {
        kept = [...row];
        kept[this.columns.outOfOrder] = 1;
      }
      return { row: kept, commit: (doc) => this.keep(segment, doc, key) };
    }
    const merged = this.plan !== null && old !== undefined && !old.deleted ? mergePartialRow(this.plan, this.rowOf(old), row) : row;
    const deleted = this.columns.delete >= 0 && isDeleteValue(row[this.columns.delete] ?? null);
    const partition = segment.identity.partitionId;
    return {
      row: merged,
      commit: (doc) => {
        // Pinot needs a stream partitioned by primary key; a key in two unrelated shards is applied
        // by comparison value all the same, and counted.
        if (old !== undefined && old.partition !== partition && !this.isAncestor(old.partition, partition)) this.counts.keysSeenInUnrelatedShards++;
        this.place(this.slotOf(segment), doc, key, cmp, deleted, partition);
      },
    };
  }

  /** The next commit order, for the footer of a segment about to be sealed. */
  footerFor(segment: ConsumingSegment, perm: Int32Array | null): UpsertFooter {
    const commitOrder = this.nextCommit++;
    const slot = this.slots.get(segment.name);
    const n = segment.numDocs;
    const tieLosers: number[] = [];
    if (slot?.keys) {
      const newDoc = inverse(perm, n);
      const last = new Map<string, number>();
      for (let doc = 0; doc < n; doc++) {
        const id = `${slot.keys[doc]}\u0001${primaryKeyOf(this.storedComparison(segment, doc))}`;
        const before = last.get(id);
        if (before !== undefined) tieLosers.push(newDoc(before));
        last.set(id, doc);
      }
      tieLosers.sort((a, b) => a - b);
    }
    return { commitOrder, tieLosers };
  }

  /**
   * A consuming segment was published as `sealed`, whose doc `d` is the consuming doc `perm[d]`.
   * Call in the same synchronous step as the swap: its live rows and the key map's doc ids move.
   */
  sealed(consuming: ConsumingSegment, sealed: SealedSegment, perm: Int32Array | null): void {
    const old = this.slots.get(consuming.name);
    const n = sealed.numDocs;
    const live = old ? old.live.permuted(perm, n) : new LiveDocs(n);
    const slot: Slot = { name: sealed.name, view: sealed, live, keys: null };
    this.slots.delete(consuming.name);
    this.slots.set(sealed.name, slot);
    if (!old?.keys) return;
    const newDoc = inverse(perm, n);
    for (let doc = 0; doc < old.keys.length; doc++) {
      const entry = this.entries.get(old.keys[doc]!);
      if (entry !== undefined && entry.slot === old && entry.doc === doc) {
        entry.slot = slot;
        entry.doc = newDoc(doc);
      }
    }
  }

  /**
   * Rebuilds the key map from sealed segments after a restart: in commit order (footer), then
   * partition and name for files without one, each file's docs in doc-id order, tie losers skipped.
   * The result is the state a run without restarts had when those files were committed.
   */
  rebuild(segments: readonly SealedSegment[]): void {
    for (const segment of [...segments].sort(compareCommit)) this.applySealed(segment);
  }

  /**
   * Applies every row of a sealed file the map has not seen (at start, or a gap-repair segment
   * re-read from the stream), by the comparison rule: docs in doc-id order, tie losers skipped.
   */
  applySealed(segment: SealedSegment): void {
    const info = segment.footer.upsert;
    if (info !== undefined) this.nextCommit = Math.max(this.nextCommit, info.commitOrder + 1);
    const slot: Slot = { name: segment.name, view: segment, live: new LiveDocs(segment.numDocs), keys: null };
    this.slots.set(segment.name, slot);
    const losers = new Set(info?.tieLosers ?? []);
    for (let doc = 0; doc < segment.numDocs; doc++) {
      if (losers.has(doc)) continue;
      const row = this.keyCells(segment, doc);
      const key = this.keyOf(row);
      const cmp = this.comparisonOf(row);
      const old = this.entries.get(key);
      if (old !== undefined && !this.wins(cmp, old.cmp)) continue;
      this.place(slot, doc, key, cmp, this.columns.delete >= 0 && isDeleteValue(row[this.columns.delete] ?? null), segment.metadata.partitionId);
    }
  }

  /** Frozen live rows of the named segments (a segment the map never saw has none live). */
  freezeAll(names: readonly string[]): Map<string, FrozenLiveDocs> {
    const out = new Map<string, FrozenLiveDocs>();
    for (const name of names) out.set(name, this.slots.get(name)?.live.freeze() ?? EMPTY);
    return out;
  }

  /** Live and queryable rows of one segment (segment metadata). */
  liveCount(name: string): { valid: number; queryable: number } | null {
    const live = this.slots.get(name)?.live;
    return live ? { valid: live.numValid, queryable: live.numQueryable } : null;
  }

  /** Forgets a segment that is no longer served (a dropped consuming segment). */
  forget(name: string): void {
    this.slots.delete(name);
  }

  private wins(cmp: (ScalarValue | null)[], old: (ScalarValue | null)[]): boolean {
    let i = cmp.findIndex((v) => v !== null);
    if (i < 0) i = 0;
    const a = cmp[i] ?? null;
    const b = old[i] ?? null;
    if (a === null || b === null) return true;
    return compareValues(a, b) >= 0;
  }

  private place(slot: Slot, doc: number, key: string, cmp: (ScalarValue | null)[], deleted: boolean, partition: number): void {
    const old = this.entries.get(key);
    if (slot.keys !== null) slot.keys[doc] = key;
    if (old === undefined) {
      slot.live.add(doc, deleted);
      this.entries.set(key, { partition, slot, doc, cmp, deleted });
      return;
    }
    old.slot.live.remove(old.doc);
    slot.live.add(doc, deleted);
    // The entry is updated in place (no allocation per record on the hot path).
    if (cmp.length === 1) old.cmp = cmp;
    else old.cmp = cmp.map((v, i) => v ?? old.cmp[i] ?? null);
    old.partition = partition;
    old.slot = slot;
    old.doc = doc;
    old.deleted = deleted;
  }

  private keep(segment: ConsumingSegment, doc: number, key: string): void {
    this.slotOf(segment).keys![doc] = key;
    this.counts.outOfOrderKept++;
  }

  private slotOf(segment: ConsumingSegment): Slot {
    let slot = this.slots.get(segment.name);
    if (slot === undefined) {
      slot = { name: segment.name, view: segment, live: new LiveDocs(1024), keys: [] };
      this.slots.set(segment.name, slot);
    }
    return slot;
  }

  private keyOf(row: readonly (CellValue | null)[]): string {
    const { keys } = this.columns;
    if (keys.length === 1) return primaryKeyOf([row[keys[0]!] ?? this.schema.columns[keys[0]!]!.defaultNullValue]);
    return primaryKeyOf(keys.map((i) => row[i] ?? this.schema.columns[i]!.defaultNullValue));
  }

  /** A record's comparison values; with one column, a missing value counts as the column's default. */
  private comparisonOf(row: readonly (CellValue | null)[]): (ScalarValue | null)[] {
    const { comparisons } = this.columns;
    if (comparisons.length === 1) return [(row[comparisons[0]!] ?? this.schema.columns[comparisons[0]!]!.defaultNullValue) as ScalarValue];
    return comparisons.map((i) => (row[i] ?? null) as ScalarValue | null);
  }

  private storedComparison(view: SegmentView, doc: number): CellValue[] {
    return this.columns.comparisons.map((i) => view.getValue(this.schema.columns[i]!.name, doc));
  }

  /** The key, comparison and delete cells of a stored row (other cells null). */
  private keyCells(view: SegmentView, doc: number): (CellValue | null)[] {
    const row: (CellValue | null)[] = new Array(this.schema.columns.length).fill(null);
    const { keys, comparisons } = this.columns;
    for (const i of [...keys, ...comparisons, this.columns.delete]) {
      if (i < 0) continue;
      const name = this.schema.columns[i]!.name;
      row[i] = view.isNull(name, doc) ? null : view.getValue(name, doc);
    }
    return row;
  }

  /** The previous live row, null cells where the null bitmap says so. */
  private rowOf(entry: Entry): (CellValue | null)[] {
    const { view } = entry.slot;
    return this.schema.columns.map((c) => (view.isNull(c.name, entry.doc) ? null : view.getValue(c.name, entry.doc)));
  }
}

const EMPTY: FrozenLiveDocs = Object.freeze({ valid: new Uint8Array(0), queryable: new Uint8Array(0) });

/** New doc id of an old one, given `perm[new] = old`. */
function inverse(perm: Int32Array | null, n: number): (old: number) => number {
  if (perm === null) return (d) => d;
  const inv = new Int32Array(n);
  for (let d = 0; d < n; d++) inv[perm[d]!] = d;
  return (d) => inv[d]!;
}

function compareCommit(a: SealedSegment, b: SealedSegment): number {
  const ca = a.footer.upsert?.commitOrder ?? Number.MAX_SAFE_INTEGER;
  const cb = b.footer.upsert?.commitOrder ?? Number.MAX_SAFE_INTEGER;
  if (ca !== cb) return ca - cb;
  if (a.metadata.partitionId !== b.metadata.partitionId) return a.metadata.partitionId - b.metadata.partitionId;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
