import { ShardtableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseLlcSegmentName } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { StreamOffset, StreamOffsetFactory } from '../spi/offset.js';
import type { ConsumerStart } from '../spi/stream-consumer-factory.js';
import { describeError } from '../util/describe-error.js';
import type { PartitionIngester } from './partition-ingester.js';
import { RewindCursor } from './rewind-cursor.js';
import { RewindStore } from './rewind-store.js';
import type { RewindPartition, RewindRecord, RewindTarget } from './rewind-store.js';
import type { SealedLedger } from './sealed-ledger.js';
import { checkpointsFromSegments } from './checkpoints.js';
import type { CheckpointSource, ShardCheckpoint } from './checkpoints.js';

export type { RewindTarget } from './rewind-store.js';

/** What the live table lends a rewind (`TableIngestion` builds it). */
export interface RewindHost {
  readonly offsets: StreamOffsetFactory;
  sealed(): readonly SealedSegment[];
  readonly ledger: SealedLedger | null;
  /** Partitions listed by the stream now. */
  known(): readonly PartitionInfo[];
  /** Why the last shard listing failed (null: it answered, or none ran yet). */
  listingError(): string | null;
  ended(shardId: string): boolean;
  ingester(shardId: string): PartitionIngester | undefined;
  /** The LLC sequence number recovery reserved for the partition's next segment. */
  nextSequence(shardId: string): number;
  /** Retires `retire` and serves `replacements` in one step, serialised with retention and compaction. */
  swap(retire: readonly SealedSegment[], replacements: readonly SealedSegment[]): Promise<void>;
  /** Starts a new reader for the partition (its checkpoint recomputed from the segments served now). */
  restart(partitions: readonly PartitionInfo[]): void;
}

/** How a rewound partition's reader starts. */
export interface RewoundStart {
  readonly checkpoint: StreamOffset | null;
  readonly consumerOptions: ConsumerStart;
  readonly startedFrom: string;
  readonly nextSequence: number;
  readonly cursor: RewindCursor;
}

/** `consumingSegmentsInfo` → `shardtableTable.rewind`. */
export interface RewindStatus {
  readonly state: 'REWINDING' | 'DONE';
  readonly target: string;
  readonly requestedAtMs: number;
  readonly doneAtMs: number | null;
  readonly partitions: readonly { readonly shardId: string; readonly oldSegmentsLeft: number; readonly replacementsHeld: number }[];
  /** Why the rewind was done at once without replaying anything (null otherwise). */
  readonly note: string | null;
}

/** What `POST /tables/{t}/rewind` answers. */
export interface RewindResult {
  readonly target: string;
  readonly partitions: readonly { readonly shardId: string; readonly partitionId: number; readonly replaces: readonly string[]; readonly startsFrom: string }[];
  /** Why nothing is replayed, when no partition is (as in the status). */
  readonly note: string | null;
}

/**
 * Online rewind of a table (docs/exactly-once.md, "Rewind"): re-reads its partitions from a time,
 * from the oldest record the stream holds, or (`latest`) from now on, replacing the rows ingested
 * after that point instead of adding a second copy. `rewind` seals every consuming segment, stops
 * the readers, plans each partition (which old segments it replaces, where its replay starts),
 * commits the plan to `rewind.json`, and starts the replays; each replay's `RewindCursor` swaps its
 * segments in as they reach the old ones' ends. A restart continues an unfinished rewind from its
 * last swap (`startFor`).
 */
export class TableRewind {
  private readonly cursors = new Map<string, RewindCursor>();

  private constructor(private readonly store: RewindStore, private readonly tableName: string, private readonly logger: Logger) {}

  static async open(tableDir: string, tableName: string, logger: Logger): Promise<TableRewind> {
    return new TableRewind(await RewindStore.open(tableDir, tableName, logger), tableName, logger);
  }

  /** True while the shard's replay is a shadow: its consuming segment is not queried. */
  hides(shardId: string): boolean {
    return this.cursors.get(shardId)?.active === true;
  }

  /** True while a rewind of this partition has old segments left to replace (compaction waits). */
  replaying(partitionId: number): boolean {
    return this.store.unfinished.some((shardId) => this.store.partition(shardId)?.partitionId === partitionId);
  }

  status(): RewindStatus | null {
    const record = this.store.record;
    if (record === null) return null;
    const partitions = this.store.unfinished.map((shardId) => {
      const p = this.cursors.get(shardId)?.progress();
      return { shardId, oldSegmentsLeft: p?.remaining ?? record.partitions[shardId]!.replaces.length, replacementsHeld: p?.pending ?? 0 };
    });
    return { state: partitions.length === 0 ? 'DONE' : 'REWINDING', target: describeTarget(record.target), requestedAtMs: record.requestedAtMs, doneAtMs: record.doneAtMs ?? null, partitions, note: record.note ?? null };
  }

  /**
   * Where a partition with an unfinished rewind starts (null: none, the ordinary rules apply):
   * after the last segment the rewind committed, else at the plan's start; old segments still
   * served are replaced as the replay reaches them.
   */
  startFor(partition: PartitionInfo, host: RewindHost, describeStart: (start: ConsumerStart) => string): RewoundStart | null {
    const plan = this.store.partition(partition.shardId);
    if (plan === undefined) return null;
    const sealed = host.sealed().filter((s) => s.metadata.partitionId === plan.partitionId);
    const compare = (a: string, b: string): number => host.offsets.parse(a).compareTo(host.offsets.parse(b));
    let after: string | null = null;
    for (const s of sealed) {
      const seq = parseLlcSegmentName(s.metadata.segmentName)?.sequence ?? -1;
      const end = s.metadata.endOffset;
      if (seq >= plan.firstSequence && end !== null && (after === null || compare(end, after) > 0)) after = end;
    }
    const remaining = plan.replaces.map((name) => sealed.find((s) => s.metadata.segmentName === name)).filter((s): s is SealedSegment => s !== undefined);
    const cursor = new RewindCursor({
      plan,
      offsets: host.offsets,
      remaining,
      swap: (retire, replacements) => host.swap(retire, replacements),
      finished: () => this.finished(partition.shardId),
    });
    this.cursors.set(partition.shardId, cursor);
    if (!cursor.active && after !== null) void cursor.committed().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'rewind: recording a finished partition failed'));
    const { start } = plan;
    const consumerOptions: ConsumerStart = after !== null || 'after' in start ? {} : 'oldest' in start ? { fromOldest: true } : { atTimestampMs: start.atTimestampMs };
    const checkpointText = after ?? ('after' in start ? start.after : null);
    const target = describeTarget(this.store.record!.target);
    return {
      checkpoint: checkpointText === null ? null : host.offsets.parse(checkpointText),
      consumerOptions,
      startedFrom: `rewind to ${target}: ${checkpointText !== null ? `after ${checkpointText}` : describeStart(consumerOptions)}${cursor.active ? `, replacing ${remaining.length} segment(s)` : ''}`,
      nextSequence: Math.max(host.nextSequence(partition.shardId), plan.firstSequence),
      cursor,
    };
  }

  /** Routes a seal of the partition's reader: held back while it replays (true), served otherwise. */
  holdsBack(shardId: string, segment: SealedSegment): boolean {
    const cursor = this.cursors.get(shardId);
    if (cursor?.active) {
      cursor.sealed(segment);
      return true;
    }
    if (cursor) void cursor.committed().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'rewind: recording a finished partition failed'));
    return false;
  }

  /**
   * The rewind itself, with discovery held off by the caller: seal and stop every reader, plan,
   * commit the plan, start the replays. Refused while a previous rewind is unfinished.
   */
  async rewind(target: RewindTarget, host: RewindHost): Promise<RewindResult> {
    const unfinished = this.store.unfinished;
    if (unfinished.length > 0) throw new ShardtableError('REWIND_IN_PROGRESS', { table: this.tableName, rewind: `to ${describeTarget(this.store.record!.target)}, partitions ${unfinished.join(', ')} not done` });
    const partitions = host.known();
    const stopped = partitions.filter((p) => host.ingester(p.shardId) !== undefined && !host.ingester(p.shardId)!.finished);
    await Promise.all(stopped.map((p) => host.ingester(p.shardId)!.sealThenStop()));
    await host.ledger?.flush();
    const plans = partitions.map((p) => this.plan(target, p, host)).filter((p): p is RewindPartition => p !== null);
    const note = plans.length > 0 ? undefined : nothingToRewind(target, partitions.length, host.listingError());
    await this.store.begin(target, plans, note);
    this.cursors.clear();
    this.logger.warn({ target: describeTarget(target), partitions: plans.map((p) => ({ shardId: p.shardId, replaces: p.replaces.length })) }, 'rewind committed: replaying the stream');
    const planned = new Set(plans.map((p) => p.shardId));
    host.restart(partitions.filter((p) => planned.has(p.shardId) || stopped.includes(p)));
    return {
      target: describeTarget(target),
      partitions: plans.map((p) => ({ shardId: p.shardId, partitionId: p.partitionId, replaces: p.replaces, startsFrom: describeStart(p) })),
      note: note ?? null,
    };
  }

  private async finished(shardId: string): Promise<void> {
    this.cursors.delete(shardId);
    await this.store.finished(shardId);
    this.logger.info({ shardId, rewindDone: this.store.unfinished.length === 0 }, 'rewind: partition replaced its old segments');
  }

  /** One partition's plan, or null when nothing of it changes (its reader restarts after its checkpoint). */
  private plan(target: RewindTarget, partition: PartitionInfo, host: RewindHost): RewindPartition | null {
    const { shardId, partitionId } = partition;
    const all = host.sealed().filter((s) => s.metadata.shardId === shardId);
    const segs = all.filter((s) => s.metadata.startOffset !== null && s.metadata.endOffset !== null)
      .sort((a, b) => host.offsets.parse(a.metadata.startOffset!).compareTo(host.offsets.parse(b.metadata.startOffset!)));
    const sequences = [...all.map((s) => s.metadata.segmentName), ...(host.ledger?.entries(partitionId).map((e) => e.segmentName) ?? [])]
      .map((name) => parseLlcSegmentName(name)?.sequence ?? -1);
    const firstSequence = Math.max(host.nextSequence(shardId), ...sequences.map((s) => s + 1), 0);
    const base = { shardId, partitionId, firstSequence, skipBelow: null, keepFromMs: null };
    const ended = host.ended(shardId);
    // A partition not started yet (a child waiting for its parents) starts as always, later.
    if (!ended && host.ingester(shardId) === undefined && all.length === 0) return null;
    if (target.kind === 'latest') return ended ? null : { ...base, start: { atTimestampMs: target.ms }, replaces: [] };
    const names = (list: readonly SealedSegment[]): string[] => list.map((s) => s.metadata.segmentName);
    if (target.kind === 'trimHorizon') return ended && segs.length === 0 ? null : { ...base, start: { oldest: true }, replaces: names(segs) };
    // A segment sealed before the time holds only records that arrived before it: kept.
    let k = segs.findIndex((s) => s.metadata.creationTimeMs >= target.ms);
    if (k === -1) k = segs.length;
    const replaces = segs.slice(k);
    if (k > 0) return replaces.length === 0 ? null : { ...base, start: { after: segs[k - 1]!.metadata.endOffset! }, replaces: names(replaces) };
    if (replaces.length === 0) return ended ? null : { ...base, start: { atTimestampMs: target.ms }, replaces: [] };
    // Every segment is replaced: read from the oldest record, keeping the ones before the first
    // segment only when they arrived at or after the time (the first segment's own are all kept).
    return { ...base, start: { oldest: true }, replaces: names(replaces), skipBelow: segs[0]!.metadata.startOffset!, keepFromMs: target.ms };
  }
}

export function describeTarget(target: RewindTarget): string {
  if (target.kind === 'trimHorizon') return 'TRIM_HORIZON';
  const at = new Date(target.ms).toISOString();
  return target.kind === 'latest' ? `LATEST (records arriving from ${at})` : `AT_TIMESTAMP ${at}`;
}

/** Why a rewind planned no partition: the stream never listed its shards (it is down), or nothing is there to replay. */
function nothingToRewind(target: RewindTarget, listed: number, listingError: string | null): string {
  if (listed === 0) {
    const why = listingError === null ? 'it has listed none yet' : `the last listing failed: ${listingError}`;
    return `nothing was rewound: the table knows no shard of its stream (${why}); ask again once ingestion is RUNNING`;
  }
  return `nothing was rewound: none of the ${listed} listed shard(s) has rows or records to replay from ${describeTarget(target)} (each is ended or has nothing after it)`;
}

function describeStart(plan: RewindPartition): string {
  const { start } = plan;
  if ('after' in start) return `after ${start.after}`;
  if ('oldest' in start) return plan.keepFromMs === null ? 'TRIM_HORIZON' : `TRIM_HORIZON, keeping records before ${plan.skipBelow} only from ${new Date(plan.keepFromMs).toISOString()}`;
  return `AT_TIMESTAMP ${new Date(start.atTimestampMs).toISOString()}`;
}

export type { RewindRecord };

/**
 * The checkpoints of the segments served now (and the ledger's, deleted ones included), as
 * recovery computes them at start; `previous` keeps the sequence numbers recovery reserved.
 */
export function currentCheckpoints(
  sealed: readonly SealedSegment[],
  ledger: SealedLedger | null,
  offsets: StreamOffsetFactory,
  previous: ReadonlyMap<string, ShardCheckpoint>,
): Map<string, ShardCheckpoint> {
  const served = new Set(sealed.map((s) => s.metadata.segmentName));
  const sources: CheckpointSource[] = sealed.map((s) => s.metadata);
  for (const partitionId of ledger?.partitionIds() ?? []) {
    for (const e of ledger!.entries(partitionId)) if (!served.has(e.segmentName)) sources.push({ ...e, partitionId });
  }
  const result = checkpointsFromSegments(sources, offsets, (name) => parseLlcSegmentName(name)?.sequence ?? 0);
  for (const [shardId, c] of result) result.set(shardId, { ...c, nextSequence: Math.max(c.nextSequence, previous.get(shardId)?.nextSequence ?? 0) });
  for (const [shardId, c] of previous) if (!result.has(shardId)) result.set(shardId, c);
  return result;
}
