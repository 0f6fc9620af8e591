import type { CellValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { LiveDocs } from '../segment/live-docs.js';
import type { SealedSegment } from '../segment/sealed-segment.js';
import type { SegmentView } from '../segment/segment-view.js';
import { primaryKeyOf } from './record-keys.js';

/** One segment's rows as the key map knows them; entries name their segment by `id`. */
export interface Slot {
  readonly id: number;
  readonly name: string;
  /** Where its rows are read (a reload swaps in the new object of the same segment: `refreshViews`). */
  view: SegmentView;
  /** The partition of the segment (the shard whose record made a row live). */
  readonly partition: number;
  readonly live: LiveDocs;
  /** Consuming segments: the entry id of each doc (-1: none), so a seal can move doc ids. */
  docEntries: Int32Array | null;
  /**
   * Consuming segments of a table with several comparison columns: the comparison column that
   * decided each doc (`REPLAY_NONE`: none, `REPLAY_SKIP`: never applied), for the replay section.
   */
  decided: Uint8Array | null;
  /** TTL expiry runs done when the slot was made (ids removed later may be in `docEntries`). */
  readonly epoch: number;
  /** Largest comparison value of its rows, as a number (the TTL watermark; tracked with a TTL). */
  maxCmp: number;
}

export function newSlot(id: number, name: string, view: SegmentView, partition: number, live: LiveDocs, docEntries: Int32Array | null, epoch: number): Slot {
  return { id, name, view, partition, live, docEntries, decided: null, epoch, maxCmp: Number.NEGATIVE_INFINITY };
}

/**
 * The key map's slots by number and by segment name. A slot is released (its number kept, its
 * rows freed) once no key can point at it: its consuming segment was sealed into a new slot, or
 * its segment was retired.
 */
export class SlotTable {
  private readonly slots: (Slot | null)[] = [];
  private readonly ids = new Map<string, number>();

  add(name: string, view: SegmentView, partition: number, live: LiveDocs, docEntries: Int32Array | null, epoch: number): Slot {
    const slot = newSlot(this.slots.length, name, view, partition, live, docEntries, epoch);
    this.slots.push(slot);
    this.ids.set(name, slot.id);
    return slot;
  }

  byName(name: string): Slot | undefined {
    const id = this.ids.get(name);
    return id === undefined ? undefined : (this.slots[id] ?? undefined);
  }

  /** The slot a key's record names (never a released one: no key points at those). */
  byNumber(id: number): Slot {
    return this.slots[id]!;
  }

  /** The name no longer finds the slot (a new slot takes it, or the segment is gone). */
  unname(name: string): void {
    this.ids.delete(name);
  }

  release(id: number): void {
    this.slots[id] = null;
  }

  /** A segment reloaded under the same name is read through its new object from now on. */
  refreshViews(segments: readonly SealedSegment[]): void {
    for (const segment of segments) {
      const slot = this.byName(segment.name);
      if (slot !== undefined && slot.view !== segment) slot.view = segment;
    }
  }
}

/**
 * Docs of a consuming segment that lost a tie inside it, as doc ids of the sealed file
 * (`perm[new] = old`), ascending: for each key, the docs holding its greatest comparison value in
 * the segment except the last of them (the only one a rebuild may make live; lower values never
 * win over it, so their ties do not matter). Only keys with several docs are looked at.
 * `numberAt` gives a doc's comparison value as an exact number, or null when it has none (several
 * comparison columns, strings, a LONG beyond ±2^53): then `comparisonKey` (a string) is used.
 */
export function tieLosersOf(
  entries: Int32Array,
  numDocs: number,
  idLimit: number,
  perm: Int32Array | null,
  numberAt: (doc: number) => number | null,
  comparisonKey: (doc: number) => string,
): number[] {
  const docsPerKey = new Int32Array(idLimit);
  for (let doc = 0; doc < numDocs; doc++) {
    const id = entries[doc] ?? -1;
    if (id >= 0) docsPerKey[id]!++;
  }
  const values = new Float64Array(numDocs);
  let exact = true;
  for (let doc = 0; doc < numDocs && exact; doc++) {
    const id = entries[doc] ?? -1;
    if (id < 0 || docsPerKey[id]! < 2) continue;
    const v = numberAt(doc);
    if (v === null) exact = false;
    else values[doc] = v;
  }
  const losers: number[] = [];
  const newDoc = inverse(perm, numDocs);
  if (exact) {
    // From the last doc back: the greatest value seen so far per key; an earlier doc equal to it lost.
    const seen = new Uint8Array(idLimit);
    const greatest = new Float64Array(idLimit);
    for (let doc = numDocs - 1; doc >= 0; doc--) {
      const id = entries[doc] ?? -1;
      if (id < 0 || docsPerKey[id]! < 2) continue;
      const v = values[doc]!;
      if (seen[id] === 0 || v > greatest[id]!) {
        seen[id] = 1;
        greatest[id] = v;
      } else if (v === greatest[id]) losers.push(newDoc(doc));
    }
    return losers.sort((a, b) => a - b);
  }
  // Exactly as strings: every earlier doc with the key and the value of a later one lost.
  const last = new Map<string, number>();
  for (let doc = numDocs - 1; doc >= 0; doc--) {
    const id = entries[doc] ?? -1;
    if (id < 0 || docsPerKey[id]! < 2) continue;
    const tie = `${id}\u0001${comparisonKey(doc)}`;
    if (last.has(tie)) losers.push(newDoc(doc));
    else last.set(tie, doc);
  }
  return losers.sort((a, b) => a - b);
}

/** New doc id of an old one, given `perm[new] = old`. */
export function inverse(perm: Int32Array | null, n: number): (old: number) => number {
  if (perm === null) return (d) => d;
  const inv = new Int32Array(n);
  for (let d = 0; d < n; d++) inv[perm[d]!] = d;
  return (d) => inv[d]!;
}

/** Commit order (footer), then partition and name for files without one. */
export function compareCommit(a: SealedSegment, b: SealedSegment): number {
  const ca = a.footer.upsert?.commitOrder ?? Number.MAX_SAFE_INTEGER;
  const cb = b.footer.upsert?.commitOrder ?? Number.MAX_SAFE_INTEGER;
  if (ca !== cb) return ca - cb;
  if (a.metadata.partitionId !== b.metadata.partitionId) return a.metadata.partitionId - b.metadata.partitionId;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Does a rebuild apply the rows of `holder` (a key's live row is there) after those of sealed
 * segment `file`? Files in `compareCommit` order; a consuming segment's rows will commit after
 * every file with a commit order, and before a file without one (applied last).
 */
export function laterInRebuild(holder: SegmentView, consuming: boolean, file: SealedSegment): boolean {
  if (consuming) return file.footer.upsert !== undefined;
  return compareCommit(holder as SealedSegment, file) > 0;
}

/** `entries[doc] = id`, growing the array (new cells -1). */
export function setDocEntry(entries: Int32Array, doc: number, id: number): Int32Array {
  if (doc >= entries.length) {
    const bigger = new Int32Array(Math.max(doc + 1, entries.length * 2)).fill(-1);
    bigger.set(entries);
    entries = bigger;
  }
  entries[doc] = id;
  return entries;
}

/**
 * How `tieLosersOf` reads a doc's comparison value(s) from a segment: as an exact number (null: not
 * one numeric column, or a LONG beyond ±2^53), and as one string.
 */
export function storedComparisons(schema: TableSchema, comparisons: readonly number[], numeric: boolean, view: SegmentView): [(doc: number) => number | null, (doc: number) => string] {
  const names = comparisons.map((i) => schema.columns[i]!.name);
  const numberAt = (doc: number): number | null => {
    if (!numeric) return null;
    const v = view.getValue(names[0]!, doc);
    if (typeof v === 'number') return v;
    return typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : null;
  };
  return [numberAt, (doc) => primaryKeyOf(names.map((name) => view.getValue(name, doc)))];
}

/** A stored row, null cells where the null bitmap says so (the previous row of a partial merge). */
export function storedRow(schema: TableSchema, view: SegmentView, doc: number): (CellValue | null)[] {
  return schema.columns.map((c) => (view.isNull(c.name, doc) ? null : view.getValue(c.name, doc)));
}
