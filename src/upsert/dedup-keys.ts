import type { CellValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { DedupSettings } from '../config/upsert-config.js';
import type { ConsumingSegment } from '../segment/consuming-segment.js';
import type { SealedSegment } from '../segment/sealed-segment.js';
import type { DecodedRow } from '../spi/decoder.js';
import { FileCells } from './file-cells.js';
import { KeyEncoder } from './key-encoder.js';
import { KeyIndex, OWNER_SHIFT, RECORD_DOUBLES, RECORD_WORDS } from './key-index.js';
import type { KeyedRows } from './keyed-rows.js';
import { keyColumnsOf } from './record-keys.js';

/**
 * The primary keys of a dedup table (`dedupConfig.dedupEnabled`): the first record of a key is
 * indexed, every later one is dropped and counted. Every indexed row is live, so a dedup table
 * needs no live-row bitmaps. Rebuilt on start from the keys of the sealed segments; rows that were
 * only in consuming segments are read again and admitted again in stream order.
 *
 * `metadataTTL` (in `dedupTimeColumn` units): at each commit, keys whose dedup time is below
 * their partition's watermark (the largest dedup time of its committed rows, as in Pinot) minus
 * the TTL leave the set, so a later record of such a key is admitted again (`docs/upsert.md`).
 *
 * A gap repair indexes through the set too (`trackRepair`): a repaired record whose key is known
 * is dropped, and the repair's keys join the set as they are indexed, so the shard's consumer
 * running beside it drops them too. If the repair ends without a file, `abandonRepair` takes its
 * keys out again.
 *
 * @example
 *   const dedup = new DedupKeys(schema, config.dedup!);
 *   dedup.rebuild(sealedSegments);
 */
/** Word-4 flag of a key in the set (ids below `idLimit` may be removed ones awaiting reuse). */
const USED = 1 << OWNER_SHIFT;

export class DedupKeys implements KeyedRows {
  private readonly index = new KeyIndex();
  private readonly encoder: KeyEncoder;
  private readonly keyColumns: readonly number[];
  /** Dedup time column position, or -1 (no TTL). */
  private readonly timeColumn: number;
  private dropped = 0;
  private expiredKeys = 0;
  /** Watermark by partition. */
  private readonly watermarks = new Map<number, number>();
  /** Largest dedup time of each consuming segment's rows (the watermark moves when it commits). */
  private readonly consumingMax = new Map<string, number>();
  private pendingId = -1;
  private pendingTime = 0;
  private pendingSegment = '';
  private pendingPartition = 0;
  /** Gap-repair segments being filled: the ids of the keys each added. */
  private readonly repairs = new Map<string, number[]>();
  /** Ids expired while a repair was open (a repair's list may name them): recycled after it. */
  private deferred: number[] = [];
  /** Segment numbers by name: word 5 of a key's record is the number of the segment holding its row. */
  private readonly segmentNumbers = new Map<string, number>();
  /** The partition of each segment number. */
  private readonly segmentPartitions: number[] = [];
  private nextSegmentNumber = 0;
  private lastName = '';
  private lastNumber = -1;
  private removedWithSegments = 0;

  constructor(
    private readonly schema: TableSchema,
    private readonly settings: DedupSettings,
  ) {
    this.keyColumns = keyColumnsOf(schema, settings).keys;
    this.encoder = new KeyEncoder(schema, this.keyColumns);
    const time = settings.metadataTTL > 0 && settings.dedupTimeColumn !== undefined ? schema.columnIndex.get(settings.dedupTimeColumn) : undefined;
    this.timeColumn = time ?? -1;
  }

  get counters(): { keys: number; duplicatesDropped: number; metadataTTLKeysRemoved: number; keysRemovedWithSegments: number } {
    return { keys: this.index.size, duplicatesDropped: this.dropped, metadataTTLKeysRemoved: this.expiredKeys, keysRemovedWithSegments: this.removedWithSegments };
  }

  admit(row: DecodedRow, segment: ConsumingSegment): DecodedRow | null {
    this.encoder.probe(this.index, row);
    if (this.index.find() >= 0) {
      this.dropped++;
      this.pendingId = -2;
      return null;
    }
    this.pendingId = -1;
    this.pendingSegment = segment.name;
    this.pendingPartition = segment.identity.partitionId;
    if (this.timeColumn >= 0) this.pendingTime = this.timeOf(row);
    return row;
  }

  commit(): void {
    if (this.pendingId !== -1) return;
    const id = this.index.insert();
    this.pendingId = -2;
    this.index.words[id * RECORD_WORDS + 4]! |= USED;
    this.index.words[id * RECORD_WORDS + 5] = this.segmentNumber(this.pendingSegment, this.pendingPartition);
    if (this.repairs.size > 0) this.repairs.get(this.pendingSegment)?.push(id);
    if (this.timeColumn < 0) return;
    this.index.records[id * RECORD_DOUBLES + 1] = this.pendingTime;
    const max = this.consumingMax.get(this.pendingSegment) ?? Number.NEGATIVE_INFINITY;
    if (this.pendingTime > max) this.consumingMax.set(this.pendingSegment, this.pendingTime);
  }

  sealed(consuming: ConsumingSegment): void {
    this.committed(consuming.name);
  }

  /**
   * Sealed segments no longer served (deleted, dropped by retention, quarantined), as Pinot's
   * dedup `removeSegment`: keys whose row was in one of them leave the set, so a later record of
   * such a key is admitted — as after a restart, when the set is rebuilt from the files left.
   */
  retired(names: readonly string[]): void {
    const gone = new Set<number>();
    for (const name of names) {
      const n = this.segmentNumbers.get(name);
      if (n === undefined) continue;
      gone.add(n);
      this.segmentNumbers.delete(name);
    }
    if (gone.size === 0) return;
    this.lastName = '';
    for (let id = 0; id < this.index.idLimit; id++) {
      const w = id * RECORD_WORDS + 4;
      if ((this.index.words[w]! & USED) === 0 || !gone.has(this.index.words[w + 1]!)) continue;
      this.forget(id);
      this.removedWithSegments++;
    }
  }

  /** A gap repair starts filling consuming segment `name` through this set. */
  trackRepair(name: string): void {
    this.repairs.set(name, []);
  }

  /** A gap-repair segment was published: its keys are in already (an untracked one is read from its file). */
  repairSealed(segment: SealedSegment): void {
    if (!this.repairs.delete(segment.name)) {
      this.rebuild([segment]);
      return;
    }
    this.committed(segment.name);
    this.releaseDeferred();
  }

  /** A gap repair ended without a file (stopped, failed, nothing read): its keys leave the set. */
  abandonRepair(name: string): void {
    const ids = this.repairs.get(name);
    this.repairs.delete(name);
    this.consumingMax.delete(name);
    for (const id of ids ?? []) {
      if ((this.index.words[id * RECORD_WORDS + 4]! & USED) === 0) continue;
      this.forget(id);
    }
    this.releaseDeferred();
  }

  /** On start (every file), or a gap-repair segment: its keys join the set, then the TTL. */
  rebuild(segments: readonly SealedSegment[]): void {
    const names = this.keyColumns.map((i) => this.schema.columns[i]!.name);
    const row = new Array<CellValue | null>(this.schema.columns.length).fill(null);
    const timeName = this.timeColumn >= 0 ? this.schema.columns[this.timeColumn]!.name : null;
    for (const segment of segments) {
      const partition = segment.metadata.partitionId;
      const owner = this.segmentNumber(segment.name, partition);
      // Block by block, dictionary ids resolved once per file (`FileCells`).
      const keys = names.map((name) => new FileCells(segment.column(name), false));
      const time = timeName === null ? null : new FileCells(segment.column(timeName), false);
      for (let doc = 0; doc < segment.numDocs; doc++) {
        for (let k = 0; k < keys.length; k++) row[this.keyColumns[k]!] = keys[k]!.at(doc);
        this.encoder.probe(this.index, row);
        let id = this.index.find();
        const fresh = id < 0;
        if (fresh) id = this.index.insert();
        this.index.words[id * RECORD_WORDS + 4]! |= USED;
        this.index.words[id * RECORD_WORDS + 5] = owner;
        if (time === null) continue;
        row[this.timeColumn] = time.at(doc);
        const t = this.timeOf(row);
        // A key seen twice in the files (admitted again after its TTL): its latest time counts.
        const at = id * RECORD_DOUBLES + 1;
        this.index.records[at] = fresh ? t : Math.max(this.index.records[at]!, t);
        if (t > this.watermarkOf(partition)) this.watermarks.set(partition, t);
      }
    }
    this.expire();
  }

  /** The number of the segment named `name` (a consuming segment keeps its name when sealed). */
  private segmentNumber(name: string, partition: number): number {
    if (name === this.lastName) return this.lastNumber;
    let n = this.segmentNumbers.get(name);
    if (n === undefined) {
      this.segmentNumbers.set(name, (n = this.nextSegmentNumber++));
      this.segmentPartitions[n] = partition;
    }
    this.lastName = name;
    this.lastNumber = n;
    return n;
  }

  private committed(name: string): void {
    const max = this.consumingMax.get(name);
    this.consumingMax.delete(name);
    const n = this.segmentNumbers.get(name);
    const partition = n === undefined ? -1 : this.segmentPartitions[n]!;
    if (max !== undefined && max > this.watermarkOf(partition)) this.watermarks.set(partition, max);
    this.expire();
  }

  /** Takes key `id` out of the set; its id is reused unless a repair's list may still name it. */
  private forget(id: number): void {
    this.index.remove(id);
    this.index.words[id * RECORD_WORDS + 4]! &= ~USED;
    if (this.repairs.size > 0) this.deferred.push(id);
    else this.index.recycle(id);
  }

  private releaseDeferred(): void {
    if (this.repairs.size > 0) return;
    for (const id of this.deferred) this.index.recycle(id);
    this.deferred = [];
  }

  private watermarkOf(partition: number): number {
    return this.watermarks.get(partition) ?? Number.NEGATIVE_INFINITY;
  }

  private timeOf(row: readonly (CellValue | null)[]): number {
    const v = row[this.timeColumn] ?? this.schema.columns[this.timeColumn]!.defaultNullValue;
    return typeof v === 'bigint' ? Number(v) : (v as number);
  }

  private expire(): void {
    if (this.timeColumn < 0 || this.watermarks.size === 0) return;
    const ttl = this.settings.metadataTTL;
    for (let id = 0; id < this.index.idLimit; id++) {
      const w = id * RECORD_WORDS + 4;
      if ((this.index.words[w]! & USED) === 0) continue;
      // The watermark of the partition of the segment holding the key's row.
      const threshold = this.watermarkOf(this.segmentPartitions[this.index.words[w + 1]!]!) - ttl;
      if (!(this.index.records[id * RECORD_DOUBLES + 1]! < threshold)) continue;
      this.forget(id);
      this.expiredKeys++;
    }
  }
}
