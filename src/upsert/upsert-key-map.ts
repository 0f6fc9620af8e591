import type { CellValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { UpsertSettings } from '../config/upsert-config.js';
import type { ConsumingSegment } from '../segment/consuming-segment.js';
import { LiveDocs } from '../segment/live-docs.js';
import type { FrozenLiveDocs } from '../segment/live-docs.js';
import { REPLAY_SKIP } from '../segment/index.js';
import type { UpsertSealInfo } from '../segment/index.js';
import type { SealedSegment } from '../segment/sealed-segment.js';
import type { DecodedRow } from '../spi/decoder.js';
import { ComparisonValues } from './comparison-values.js';
import { keyCellReader } from './file-cells.js';
import { KeyEncoder } from './key-encoder.js';
import { KeyIndex, OWNER_SHIFT, RECORD_WORDS } from './key-index.js';
import type { KeyedRows } from './keyed-rows.js';
import { mergePartialRow, planPartialUpsert } from './partial-merge.js';
import type { PartialUpsertPlan } from './partial-merge.js';
import { isDeleteValue, keyColumnsOf } from './record-keys.js';
import type { KeyColumns } from './record-keys.js';
import { KeyExpiry } from './key-expiry.js';
import { replayBytes, replayRows, setDecided } from './replay-order.js';
import type { UpsertCounters } from './upsert-counters.js';
import { SlotTable, compareCommit, inverse, laterInRebuild, setDocEntry, storedComparisons, storedRow, tieLosersOf } from './upsert-slots.js';
import type { Slot } from './upsert-slots.js';

export type { UpsertCounters } from './upsert-counters.js';

// Word 4 of an entry record (`KeyIndex`): bit 0 the index's, then these, then the slot number.
const USED = 1 << OWNER_SHIFT;
const DELETED = 2 << OWNER_SHIFT;
const SLOT_SHIFT = OWNER_SHIFT + 2;
const KEEP_BITS = (1 << OWNER_SHIFT) - 1;
/** What `commit` does with the row `admit` returned. */
const NONE = 0;
const KEEP = 1;
const PLACE = 2;

/**
 * The key map of one upsert table (FULL or PARTIAL): primary key → the segment and doc id of its
 * live row and its comparison value, plus one `LiveDocs` per segment (sealed and consuming). One
 * map per table, whatever the shard: keys that move on a reshard stay in it.
 *
 * Rules (`docs/upsert.md`): a record replaces the live row when its comparison value is greater
 * or equal (ties to the later record) — so the live row of a key is the one with the greatest
 * comparison value, the latest among equals. A true `deleteRecordColumn` makes the new row live
 * but not queryable. An older record is out of order: kept but not live (flagged in
 * `outOfOrderRecordColumn` if set) or dropped with `dropOutOfOrderRecord`. PARTIAL mode merges the
 * record into the previous live, undeleted row with `mergePartialRow`. `metadataTTL` and
 * `deletedKeysTTL` are enforced at each commit (`KeyExpiry`).
 *
 * Memory: keys in a {@link KeyIndex}; per key one 24-byte record holds the key, its comparison
 * value (numeric), its segment's slot number with two flags, and its doc id — no object per key.
 *
 * Single-threaded and synchronous: every change happens inside `commit`, `sealed` or `rebuild`,
 * never across an await, so `freezeAll` always sees one live row per key.
 */
export class UpsertKeyMap implements KeyedRows {
  private readonly index = new KeyIndex();
  private readonly encoder: KeyEncoder;
  private readonly cmp: ComparisonValues;
  private readonly slots = new SlotTable();
  private readonly consumingSlots = new Set<Slot>();
  private readonly columns: KeyColumns;
  private readonly plan: PartialUpsertPlan | null;
  private readonly expiry: KeyExpiry;
  private nextCommit = 0;
  private deletedKeys = 0;
  private readonly counts = { outOfOrderKept: 0, outOfOrderDropped: 0, keysSeenInUnrelatedShards: 0, keysRemovedWithSegments: 0 };
  /** True when partition `ancestor` is a parent (or a parent's parent...) of `partition`. */
  private isAncestor: (ancestor: number, partition: number) => boolean = () => false;
  private lastSegment: ConsumingSegment | null = null;
  private lastSlot: Slot | null = null;
  private pending = NONE;
  private pendingId = -1;
  private pendingDeleted = false;
  private pendingSlot: Slot | null = null;

  constructor(
    private readonly schema: TableSchema,
    private readonly settings: UpsertSettings,
  ) {
    this.columns = keyColumnsOf(schema, settings);
    this.encoder = new KeyEncoder(schema, this.columns.keys);
    this.cmp = new ComparisonValues(schema, this.columns.comparisons, this.index);
    this.expiry = new KeyExpiry(settings.metadataTTL, settings.deletedKeysTTL, this.cmp.numeric);
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
    const keys = this.index.size;
    return { keys, liveRows: keys - this.deletedKeys, deletedKeys: this.deletedKeys, ...this.counts, ...this.expiry.counts };
  }

  admit(row: DecodedRow, segment: ConsumingSegment): DecodedRow | null {
    const slot = this.consumingSlot(segment);
    this.encoder.probe(this.index, row);
    const id = this.index.find();
    this.cmp.read(row);
    this.pendingSlot = slot;
    this.pendingId = id;
    if (id >= 0 && !this.cmp.winsOver(id)) {
      if (this.settings.dropOutOfOrderRecord) {
        this.counts.outOfOrderDropped++;
        this.pending = NONE;
        return null;
      }
      this.pending = KEEP;
      if (this.columns.outOfOrder < 0) return row;
      const kept = [...row];
      kept[this.columns.outOfOrder] = 1;
      return kept;
    }
    this.pending = PLACE;
    this.pendingDeleted = this.columns.delete >= 0 && isDeleteValue(row[this.columns.delete] ?? null);
    if (this.plan !== null && id >= 0 && (this.flagsOf(id) & DELETED) === 0) return mergePartialRow(this.plan, this.rowOf(id), row);
    return row;
  }

  commit(doc: number): void {
    const slot = this.pendingSlot!;
    const what = this.pending;
    this.pending = NONE;
    if (what === NONE) return;
    let id = this.pendingId;
    if (what === KEEP) this.counts.outOfOrderKept++;
    else {
      const fresh = id < 0;
      if (fresh) id = this.index.insert();
      else {
        // Pinot needs a stream partitioned by primary key; a key in two unrelated shards is applied
        // by comparison value all the same, and counted.
        const before = this.slotOf(id).partition;
        if (before !== slot.partition && !this.isAncestor(before, slot.partition)) this.counts.keysSeenInUnrelatedShards++;
      }
      this.place(id, fresh, slot, doc, this.pendingDeleted);
    }
    slot.docEntries = setDocEntry(slot.docEntries!, doc, id);
    if (slot.decided !== null) slot.decided = setDecided(slot.decided, doc, this.cmp.decidedBy);
    if (this.expiry.enabled) slot.maxCmp = Math.max(slot.maxCmp, this.cmp.pendingNumber);
  }

  /**
   * The next commit order, for the footer of a segment about to be sealed, and the tie losers —
   * or, with several comparison columns, the replay order (`replay-order.ts`).
   */
  footerFor(segment: ConsumingSegment, perm: Int32Array | null): UpsertSealInfo {
    const commitOrder = this.nextCommit++;
    const slot = this.slots.byName(segment.name);
    if (this.columns.comparisons.length > 1) return { commitOrder, tieLosers: [], replay: replayBytes(slot?.decided ?? null, segment.numDocs, perm) };
    const tieLosers = slot?.docEntries ? tieLosersOf(slot.docEntries, segment.numDocs, this.index.idLimit, perm, ...storedComparisons(this.schema, this.columns.comparisons, this.cmp.numeric, segment)) : [];
    return { commitOrder, tieLosers };
  }

  sealed(consuming: ConsumingSegment, sealed: SealedSegment, perm: Int32Array | null): void {
    const old = this.slots.byName(consuming.name);
    const n = sealed.numDocs;
    this.slots.unname(consuming.name);
    const slot = this.slots.add(sealed.name, sealed, sealed.metadata.partitionId, old ? old.live.permuted(perm, n) : new LiveDocs(n), null, this.expiry.runs);
    if (old !== undefined) {
      this.consumingSlots.delete(old);
      if (this.lastSlot === old) this.lastSegment = this.lastSlot = null;
      if (this.pendingSlot === old) this.pendingSlot = null;
      // Every key of the consuming segment moves to the sealed slot below: its rows can be freed.
      this.slots.release(old.id);
      const entries = old.docEntries;
      if (entries !== null) {
        const newDoc = inverse(perm, n);
        for (let doc = 0; doc < n; doc++) {
          const id = entries[doc]!;
          if (id < 0) continue;
          const w = id * RECORD_WORDS + 4;
          const words = this.index.words;
          if ((words[w]! & USED) !== 0 && words[w]! >>> SLOT_SHIFT === old.id && words[w + 1] === doc) {
            words[w] = (words[w]! & ((1 << SLOT_SHIFT) - 1)) | (slot.id << SLOT_SHIFT);
            words[w + 1] = newDoc(doc);
          }
        }
      }
      this.expiry.committed(old.partition, old.maxCmp);
    }
    this.expire();
  }

  /**
   * Rebuilds the key map from sealed segments after a restart: in commit order (footer), then
   * partition and name for files without one, each file's docs in doc-id order, tie losers
   * skipped. The result is the state a run without restarts had at its last commit
   * (`docs/upsert.md`). After each file, `deletedKeysTTL` against the partitions' watermarks so
   * far, as at each commit of the run; `metadataTTL` waits for the first commit after the restart,
   * when the rows lost with the consuming segments have been read again: expiring a key before
   * its newer, re-read record is applied would leave its old row live beside the new one.
   */
  rebuild(segments: readonly SealedSegment[]): void {
    for (const segment of [...segments].sort(compareCommit)) {
      this.applyFile(segment);
      this.expire(false);
    }
  }

  /** Applies a gap-repair segment's rows, then the TTLs; a tie goes to the row a rebuild applies later (`laterInRebuild`). */
  applySealed(segment: SealedSegment): void {
    const holder = (id: number): Slot => this.slotOf(id);
    this.applyFile(segment, (id, slot) => holder(id) !== slot && laterInRebuild(holder(id).view, this.consumingSlots.has(holder(id)), segment));
    this.expire();
  }

  /** Frozen live rows of the named segments (a segment the map never saw has none live). */
  freezeAll(names: readonly string[]): Map<string, FrozenLiveDocs> {
    const out = new Map<string, FrozenLiveDocs>();
    for (const name of names) out.set(name, this.slots.byName(name)?.live.freeze() ?? EMPTY);
    return out;
  }

  /** Live and queryable rows of one segment (segment metadata). */
  liveCount(name: string): { valid: number; queryable: number } | null {
    const live = this.slots.byName(name)?.live;
    return live ? { valid: live.numValid, queryable: live.numQueryable } : null;
  }

  /**
   * Sealed segments no longer served (deleted, dropped by retention, quarantined), as Pinot's
   * `removeSegment`: every key whose live row is in one of them leaves the map, and its older
   * rows in other segments stay not live — a later record of the key starts it afresh
   * (`docs/upsert.md`, "Deleted segments").
   */
  retired(names: readonly string[]): void {
    const gone = new Set<number>();
    for (const name of names) {
      const slot = this.slots.byName(name);
      if (slot === undefined) continue;
      gone.add(slot.id);
      this.forget(name);
    }
    if (gone.size === 0) return;
    const ids: number[] = [];
    for (let id = 0; id < this.index.idLimit; id++) {
      const flags = this.flagsOf(id);
      if ((flags & USED) === 0 || !gone.has(flags >>> SLOT_SHIFT)) continue;
      this.removeKey(id, false);
      ids.push(id);
    }
    for (const id of gone) this.slots.release(id);
    this.counts.keysRemovedWithSegments += ids.length;
    this.expiry.removed(ids);
    this.releaseIds();
  }

  /**
   * The served sealed segments after a swap: a segment reloaded under the same name (reindex,
   * repair) is read through its new object from now on, so a PARTIAL merge never reads a
   * replaced one.
   */
  refreshViews(segments: readonly SealedSegment[]): void {
    this.slots.refreshViews(segments);
  }

  /** Forgets a segment that is no longer served (a dropped consuming segment). */
  forget(name: string): void {
    const slot = this.slots.byName(name);
    if (slot === undefined) return;
    this.slots.unname(name);
    this.consumingSlots.delete(slot);
    if (this.lastSlot === slot) this.lastSegment = this.lastSlot = null;
  }

  private applyFile(segment: SealedSegment, keepTie?: (id: number, slot: Slot) => boolean): void {
    const info = segment.footer.upsert;
    if (info !== undefined) this.nextCommit = Math.max(this.nextCommit, info.commitOrder + 1);
    const slot = this.slots.add(segment.name, segment, segment.metadata.partitionId, new LiveDocs(segment.numDocs), null, this.expiry.runs);
    const replay = this.columns.comparisons.length > 1 ? segment.upsertReplay() : null;
    if (replay !== null) {
      replayRows(this.schema, this.columns, segment, replay, (row, doc, col, value) => {
        this.encoder.probe(this.index, row);
        this.cmp.readDecided(col, value);
        this.applyRow(this.index.find(), slot, doc, row, keepTie);
      });
      return;
    }
    const n = segment.numDocs;
    const losers = new Uint8Array(n);
    for (const doc of info?.tieLosers ?? []) if (doc >= 0 && doc < n) losers[doc] = 1;
    const row = new Array<CellValue | null>(this.schema.columns.length).fill(null);
    const { read, key } = keyCellReader(this.schema, this.columns, segment);
    // One dictionary-encoded key column: each dictionary id is one key, probed once per file (no
    // key leaves the map while a file is applied, so its entry id stays valid).
    const known = new Int32Array(key?.cardinality ?? 0).fill(-1);
    let maxCmp = Number.NEGATIVE_INFINITY;
    for (let doc = 0; doc < n; doc++) {
      if (losers[doc] !== 0) continue;
      read(doc, row);
      const dictId = key === null ? -1 : key.dictId;
      let id = dictId >= 0 ? known[dictId]! : -1;
      if (id < 0) {
        this.encoder.probe(this.index, row);
        id = this.index.find();
        if (dictId >= 0) known[dictId] = id;
      }
      this.cmp.read(row);
      if (this.expiry.enabled) maxCmp = Math.max(maxCmp, this.cmp.pendingNumber);
      id = this.applyRow(id, slot, doc, row, keepTie);
      if (dictId >= 0) known[dictId] = id;
    }
    this.expiry.committed(segment.metadata.partitionId, maxCmp);
  }

  /** A stored row of key `id` (-1: new; the key probed, its comparison read) applied at a rebuild; the key's id. `keepTie`: a tie leaves the live row. */
  private applyRow(id: number, slot: Slot, doc: number, row: readonly (CellValue | null)[], keepTie?: (id: number, slot: Slot) => boolean): number {
    if (id >= 0 && (!this.cmp.winsOver(id) || (keepTie !== undefined && this.cmp.ties(id) && keepTie(id, slot)))) return id;
    const fresh = id < 0;
    if (fresh) id = this.index.insert();
    this.place(id, fresh, slot, doc, this.columns.delete >= 0 && isDeleteValue(row[this.columns.delete] ?? null));
    return id;
  }

  /** Moves key `id` to (slot, doc), taking the record's comparison value read last. */
  private place(id: number, fresh: boolean, slot: Slot, doc: number, deleted: boolean): void {
    const words = this.index.words;
    const w = id * RECORD_WORDS + 4;
    const before = words[w]!;
    if (!fresh) this.slots.byNumber(before >>> SLOT_SHIFT).live.remove(words[w + 1]!);
    slot.live.add(doc, deleted);
    this.cmp.store(id, fresh);
    const was = fresh ? 0 : before & DELETED;
    if (deleted && was === 0) this.deletedKeys++;
    else if (!deleted && was !== 0) this.deletedKeys--;
    words[w] = (before & KEEP_BITS) | USED | (deleted ? DELETED : 0) | (slot.id << SLOT_SHIFT);
    words[w + 1] = doc;
  }

  /** `metadataTTL` (unless `metadataToo` is false) and `deletedKeysTTL` against the watermark (`KeyExpiry`). */
  private expire(metadataToo = true): void {
    if (this.expiry.enabled) {
      this.expiry.run(this.index.idLimit, {
        isKey: (id) => (this.flagsOf(id) & USED) !== 0,
        isDeleted: (id) => (this.flagsOf(id) & DELETED) !== 0,
        comparison: (id) => this.cmp.numberOf(id),
        partition: (id) => this.slotOf(id).partition,
        remove: (id, invalidateRow) => this.removeKey(id, invalidateRow),
      }, metadataToo);
    }
    this.releaseIds();
  }

  /** Takes key `id` out of the map (`invalidateRow`: its row stops being valid too); the id is queued by the caller. */
  private removeKey(id: number, invalidateRow: boolean): void {
    if (invalidateRow) this.slotOf(id).live.remove(this.index.words[id * RECORD_WORDS + 5]!);
    if ((this.flagsOf(id) & DELETED) !== 0) this.deletedKeys--;
    // The index's remove reads the key, so the flags go after it (bit 0 stays the index's).
    this.index.remove(id);
    this.index.words[id * RECORD_WORDS + 4]! &= KEEP_BITS;
    this.cmp.clear(id);
  }

  private releaseIds(): void {
    // Ids of removed keys are reused once no consuming segment created before their removal is
    // left (its per-doc ids could still name them, and a reused id would fake a tie at seal).
    let oldest = Number.POSITIVE_INFINITY;
    for (const s of this.consumingSlots) oldest = Math.min(oldest, s.epoch);
    this.expiry.release(oldest, (id) => this.index.recycle(id));
  }

  private flagsOf(id: number): number {
    return this.index.words[id * RECORD_WORDS + 4]!;
  }

  private slotOf(id: number): Slot {
    return this.slots.byNumber(this.index.words[id * RECORD_WORDS + 4]! >>> SLOT_SHIFT);
  }

  private consumingSlot(segment: ConsumingSegment): Slot {
    if (segment === this.lastSegment) return this.lastSlot!;
    const name = segment.name;
    let slot = this.slots.byName(name);
    if (slot === undefined) {
      slot = this.slots.add(name, segment, segment.identity.partitionId, new LiveDocs(1024), new Int32Array(1024).fill(-1), this.expiry.runs);
      if (this.columns.comparisons.length > 1) slot.decided = new Uint8Array(1024).fill(REPLAY_SKIP);
      this.consumingSlots.add(slot);
    }
    this.lastSegment = segment;
    this.lastSlot = slot;
    return slot;
  }

  /** The previous live row, null cells where the null bitmap says so. */
  private rowOf(id: number): (CellValue | null)[] {
    return storedRow(this.schema, this.slotOf(id).view, this.index.words[id * RECORD_WORDS + 5]!);
  }
}

const EMPTY: FrozenLiveDocs = Object.freeze({ valid: new Uint8Array(0), queryable: new Uint8Array(0), numValid: 0, numQueryable: 0 });
