import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { openSegment, parseLlcSegmentName, SEGMENT_FILE_SUFFIX } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import type { StreamOffsetFactory } from '../spi/offset.js';
import { checkpointsFromSegments } from './checkpoints.js';
import type { ShardCheckpoint } from './checkpoints.js';
import type { ClusterShardHooks, CommittedSegment } from './cluster-hooks.js';
import type { PartitionIngester } from './partition-ingester.js';
import { compareSegments } from './sealed-segment-ops.js';

/** The parts of a table runtime that leases move (see {@link ClusterShards}). */
export interface ClusterShardsHost {
  readonly tableDir: string;
  readonly hooks: ClusterShardHooks;
  readonly offsets: StreamOffsetFactory;
  readonly logger: Logger;
  readonly ingesters: Map<string, PartitionIngester>;
  readonly checkpoints: Map<string, ShardCheckpoint>;
  readonly ended: Set<string>;
  sealed(): SealedSegment[];
  setSealed(segments: SealedSegment[]): void;
}

/**
 * Cluster mode's side of a table runtime (docs/cluster.md, "Leases" and "Commit"): the local
 * files are a cache; a shard is served and consumed only while this server holds its lease, from
 * the committed segments (fetched from the deep store when missing), resuming after the highest
 * committed end offset. A local file of the shard that was never committed (a crash between the
 * file's rename and the commit, or a fenced seal) is removed, never served.
 */
export class ClusterShards {
  /** Opened local files not served now (their shard is held elsewhere, or not yet taken). */
  private readonly cache = new Map<string, SealedSegment>();
  private readonly ready = new Set<string>();

  constructor(private readonly host: ClusterShardsHost, cached: readonly SealedSegment[]) {
    for (const segment of cached) this.cache.set(segment.metadata.segmentName, segment);
  }

  /** True once the shard's committed segments are served and its checkpoint set: it may be consumed. */
  isReady(shardId: string): boolean {
    return this.ready.has(shardId);
  }

  async acquire(shardId: string): Promise<void> {
    const { host } = this;
    if (this.ready.has(shardId)) return;
    const served = new Set(host.sealed().map((s) => s.metadata.segmentName));
    // A local file of a committed name but other rows (this server's own seal that was never
    // committed, while another server committed one of the same name) is not the committed segment.
    const all = await host.hooks.fetchCommitted(shardId, host.tableDir, (c) => served.has(c.segmentName) || this.cachedAs(c));
    // A deleted segment's item (kept for the checkpoint) is neither served nor kept as a file.
    const committed = all.filter((c) => !c.deleted);
    const byName = new Map(committed.map((c) => [c.segmentName, c]));
    for (const [name, segment] of this.cache) {
      const c = byName.get(name);
      // Same name, other rows: the download above already replaced the file; the stale handle goes.
      if (c && !sameSegment(segment, c)) {
        this.cache.delete(name);
        segment.close();
        continue;
      }
      if (segment.metadata.shardId !== shardId || c) continue;
      this.cache.delete(name);
      segment.close();
      await rm(segment.path, { force: true });
      host.logger.info({ segment: name, shardId }, 'local segment file never committed to the cluster: removed');
    }
    const adding: SealedSegment[] = [];
    for (const c of committed) {
      if (served.has(c.segmentName)) continue;
      const cached = this.cache.get(c.segmentName);
      this.cache.delete(c.segmentName);
      adding.push(cached ?? (await openSegment(join(host.tableDir, c.segmentName + SEGMENT_FILE_SUFFIX), { verifyChecksum: true })));
    }
    const sequenceOf = (name: string): number => parseLlcSegmentName(name)?.sequence ?? 0;
    const checkpoint = checkpointsFromSegments(all, host.offsets, sequenceOf).get(shardId);
    if (checkpoint) host.checkpoints.set(shardId, checkpoint);
    if (checkpoint?.ended === true) host.ended.add(shardId);
    host.setSealed([...host.sealed(), ...adding].sort(compareSegments));
    this.ready.add(shardId);
    host.logger.info({ shardId, committedSegments: committed.length, resumeAfter: checkpoint?.after?.toString() ?? null }, 'shard lease taken: serving its committed segments');
  }

  /** Stops the shard's consumer (after sealing and committing when `seal`), and stops serving its segments. */
  async release(shardId: string, seal: boolean): Promise<void> {
    const { host } = this;
    this.ready.delete(shardId);
    const ingester = host.ingesters.get(shardId);
    if (ingester) {
      if (seal && !ingester.finished) await ingester.sealThenStop();
      else await ingester.stop();
      host.ingesters.delete(shardId);
    }
    const [leaving, kept] = partitionBy(host.sealed(), (s) => s.metadata.shardId === shardId);
    host.setSealed(kept);
    for (const segment of leaving) this.cache.set(segment.metadata.segmentName, segment);
    host.checkpoints.delete(shardId);
    host.ended.delete(shardId);
    host.logger.info({ shardId, sealedFirst: seal }, 'shard lease let go: no longer consumed or served here');
  }

  /**
   * Drops what the cluster no longer has committed (a segment deleted through another server, or by
   * retention on the shard's holder): served segments leave through `retire` (the same one-tick
   * swap a local delete uses), cached files are removed. Only segments served before the read are
   * judged: one committed and published meanwhile is never mistaken for a deleted one.
   */
  async sync(retire: (segments: SealedSegment[]) => Promise<unknown>): Promise<void> {
    const { host } = this;
    const servedBefore = [...host.sealed()];
    const committed = await host.hooks.listCommitted();
    const live = new Set(committed.flatMap((c) => (c.deleted ? [] : [c.segmentName])));
    const gone = servedBefore.filter((s) => !live.has(s.metadata.segmentName));
    if (gone.length > 0) {
      await retire(gone);
      host.logger.info({ segments: gone.map((s) => s.metadata.segmentName) }, 'segments deleted from the cluster: no longer served here');
    }
    for (const [name, segment] of [...this.cache]) {
      if (live.has(name)) continue;
      this.cache.delete(name);
      segment.close();
      await rm(segment.path, { force: true });
    }
  }

  private cachedAs(c: CommittedSegment): boolean {
    const cached = this.cache.get(c.segmentName);
    return cached !== undefined && sameSegment(cached, c);
  }

  close(): void {
    for (const segment of this.cache.values()) segment.close();
    this.cache.clear();
  }
}

function sameSegment(segment: SealedSegment, c: CommittedSegment): boolean {
  const m = segment.metadata;
  return m.shardId === c.shardId && m.startOffset === c.startOffset && m.endOffset === c.endOffset && m.numDocs === c.numDocs;
}

function partitionBy<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
