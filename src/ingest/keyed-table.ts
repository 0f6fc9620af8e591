import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { ConsumingSegment, QueryableSegments, SealedSegment } from '../segment/index.js';
import { DedupKeys, UpsertKeyMap } from '../upsert/index.js';
import type { KeyedRows } from '../upsert/index.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { SealedSegmentsHolder } from './segment-retirement.js';
import type { TableIngestionStatus } from './table-ingestion-status.js';

/**
 * The key side of an upsert or dedup table as its ingestion uses it: one key map for every
 * shard, rebuilt from the sealed files on start, handed to each partition, asked for the live
 * rows when a query takes its snapshot. For an append table every method is a no-op.
 *
 * @example
 *   const keyed = new KeyedTable(schema, config);
 *   keyed.rebuild(sealed); // before any reader starts
 */
export class KeyedTable {
  private readonly upsert: UpsertKeyMap | null;
  private readonly dedup: DedupKeys | null;

  constructor(schema: TableSchema, private readonly config: TableConfig) {
    this.upsert = config.upsert ? new UpsertKeyMap(schema, config.upsert) : null;
    this.dedup = config.dedup ? new DedupKeys(schema, config.dedup) : null;
  }

  /** What a partition ingester takes (`PartitionIngesterOptions.keyed`), or nothing. */
  get partitionOptions(): { keyed?: { readonly rows: KeyedRows; readonly upsert?: UpsertKeyMap } } {
    if (this.upsert) return { keyed: { rows: this.upsert, upsert: this.upsert } };
    if (this.dedup) return { keyed: { rows: this.dedup } };
    return {};
  }

  /** The shards' lineage, for the warning about one key in two unrelated shards. */
  setLineage(isAncestor: (ancestor: number, partition: number) => boolean): void {
    this.upsert?.setLineage(isAncestor);
  }

  /** On start, from the committed files alone. */
  rebuild(sealed: readonly SealedSegment[]): void {
    this.upsert?.rebuild(sealed);
    this.dedup?.rebuild(sealed);
  }

  /**
   * What a gap repair indexes through (`GapRepairsOptions.keyed`): a dedup table's key set, so a
   * repaired record whose key is known is dropped and the repair's keys are known to the shard's
   * consumer at once. An upsert table's repair segment is applied when it is sealed (`repaired`).
   */
  get repairOptions(): { keyed?: RepairKeys } {
    const dedup = this.dedup;
    if (dedup === null) return {};
    return { keyed: { rows: dedup, begin: (name) => dedup.trackRepair(name), abandon: (name) => dedup.abandonRepair(name) } };
  }

  /**
   * The table's holder of served sealed segments, made to tell the key map, in the same tick as
   * each swap, which segments stopped being served (deleted, retention, quarantine): keys whose
   * row was in one of them leave the key map; a segment reloaded under the same name is read
   * through its new object. An append table's holder is returned as is.
   */
  followRetirements(holder: SealedSegmentsHolder): SealedSegmentsHolder {
    if (this.upsert === null && this.dedup === null) return holder;
    const set = (after: SealedSegment[]): void => {
      const kept = new Set(after.map((s) => s.name));
      const gone = holder.get().filter((s) => !kept.has(s.name)).map((s) => s.name);
      holder.set(after);
      this.upsert?.refreshViews(after);
      if (gone.length === 0) return;
      this.upsert?.retired(gone);
      this.dedup?.retired(gone);
    };
    return { ...holder, set };
  }

  /** A gap-repair segment was published: an upsert table applies its rows now. */
  repaired(segment: SealedSegment): void {
    this.upsert?.applySealed(segment);
    this.dedup?.repairSealed(segment);
  }

  /** The segments with, for an upsert table, their live rows frozen in the same step. */
  queryable(sealed: SealedSegment[], consuming: ConsumingSegment[]): QueryableSegments {
    if (this.upsert === null) return { sealed, consuming };
    return { sealed, consuming, liveDocs: this.upsert.freezeAll([...sealed.map((s) => s.name), ...consuming.map((c) => c.name)]) };
  }

  /** Upsert tables: live and queryable rows of a segment; null otherwise. */
  liveRowsOf(segmentName: string): { valid: number; queryable: number } | null {
    return this.upsert?.liveCount(segmentName) ?? null;
  }

  status(): Pick<TableIngestionStatus, 'upsert' | 'dedup'> {
    if (this.upsert) return { upsert: { mode: this.config.upsert!.mode, ...this.upsert.counters } };
    if (this.dedup) return { dedup: this.dedup.counters };
    return {};
  }
}

/** A gap repair's view of a dedup table's key set. */
export interface RepairKeys {
  readonly rows: KeyedRows;
  /** The repair starts filling consuming segment `segmentName`. */
  begin(segmentName: string): void;
  /** The repair of `segmentName` ended without publishing it: its keys are taken back. */
  abandon(segmentName: string): void;
}

/**
 * "Is partition `ancestor` a parent, or a parent's parent, of `partition`?" over the shards a
 * table has listed (`known`, by shard id; read at call time). A parent no longer listed ends the
 * walk.
 */
export function lineageOf(known: ReadonlyMap<string, PartitionInfo>): (ancestor: number, partition: number) => boolean {
  return (ancestor, partition) => {
    const byId = new Map([...known.values()].map((p) => [p.partitionId, p] as const));
    const todo = [...(byId.get(partition)?.parentShardIds ?? [])];
    const seen = new Set<string>();
    while (todo.length > 0) {
      const shardId = todo.pop()!;
      if (seen.has(shardId)) continue;
      seen.add(shardId);
      const parent = known.get(shardId);
      if (parent === undefined) continue;
      if (parent.partitionId === ancestor) return true;
      todo.push(...parent.parentShardIds);
    }
    return false;
  };
}
