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
import { Backoff, sleep } from './backoff.js';
import { describeError } from '../util/describe-error.js';

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

/** Committed files fetched (or opened from the cache) at once per taken shard. */
const PARALLEL_FETCHES = 4;

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
  /** Per shard, the take whose committed files are being fetched (a later take or a release makes it stale). */
  private readonly takes = new Map<string, number>();
  private lastTake = 0;
  private readonly closing = new AbortController();
  private readonly loading = new Set<Promise<void>>();

  constructor(private readonly host: ClusterShardsHost, cached: readonly SealedSegment[]) {
    for (const segment of cached) this.cache.set(segment.metadata.segmentName, segment);
  }

  /** True once the shard's checkpoint is set from the committed segments: it may be consumed. */
  isReady(shardId: string): boolean {
    return this.ready.has(shardId);
  }

  /**
   * This server now holds the shard's lease. From the committed items alone (no file is fetched
   * first): local files of the shard no item names are removed, the checkpoint is set and the
   * shard is ready to be consumed at once. Its committed files are then fetched (from the deep
   * store when missing, a few at a time, retried with backoff while the lease is held) and served
   * together once all are open (`loaded`, which never rejects): the time a taken shard waits to be
   * consumed does not grow with its history. Until then the broker reports them unserved (partial).
   */
  async acquire(shardId: string): Promise<{ readonly loaded: Promise<void> }> {
    const { host } = this;
    if (this.ready.has(shardId)) return { loaded: Promise.resolve() };
    const all = await host.hooks.committedSegments(shardId);
    // A deleted segment's item (kept for the checkpoint) is neither served nor kept as a file.
    const committed = all.filter((c) => !c.deleted);
    const byName = new Map(committed.map((c) => [c.segmentName, c]));
    for (const [name, segment] of this.cache) {
      const c = byName.get(name);
      // Same name, other rows (this server's own seal that was never committed, while another
      // server committed one of that name): not the committed segment, which is fetched in its place.
      if (c && !sameSegment(segment, c)) {
        this.cache.delete(name);
        segment.close();
        continue;
      }
      if (segment.metadata.shardId !== shardId || c) continue;
      // Before the shard is consumed again: its next seal may take this name.
      this.cache.delete(name);
      segment.close();
      await rm(segment.path, { force: true });
      host.logger.info({ segment: name, shardId }, 'local segment file never committed to the cluster: removed');
    }
    const sequenceOf = (name: string): number => parseLlcSegmentName(name)?.sequence ?? 0;
    const checkpoint = checkpointsFromSegments(all, host.offsets, sequenceOf).get(shardId);
    if (checkpoint) host.checkpoints.set(shardId, checkpoint);
    if (checkpoint?.ended === true) host.ended.add(shardId);
    this.ready.add(shardId);
    const take = ++this.lastTake;
    this.takes.set(shardId, take);
    const served = new Set(host.sealed().map((s) => s.metadata.segmentName));
    host.logger.info({ shardId, committedSegments: committed.length, resumeAfter: checkpoint?.after?.toString() ?? null }, 'shard lease taken: consuming after its committed segments, which are fetched and served in the background');
    const loaded = this.load(shardId, take, committed.filter((c) => !served.has(c.segmentName)));
    this.loading.add(loaded);
    void loaded.finally(() => this.loading.delete(loaded));
    return { loaded };
  }

  /** Fetches and opens the taken shard's committed files, then serves them (unless the take went stale meanwhile). */
  private async load(shardId: string, take: number, committed: readonly CommittedSegment[]): Promise<void> {
    const current = (): boolean => !this.closing.signal.aborted && this.takes.get(shardId) === take;
    const opened: SealedSegment[] = [];
    const queue = [...committed];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined && current(); c = queue.shift()) {
        const segment = await this.open(c, current);
        if (segment) opened.push(segment);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_FETCHES, queue.length) }, worker));
    if (!current()) {
      // Released (or taken again) meanwhile: the files stay as cache, unserved.
      for (const segment of opened) this.toCache(segment);
      return;
    }
    this.takes.delete(shardId);
    const { host } = this;
    const served = new Set(host.sealed().map((s) => s.metadata.segmentName));
    const [twice, adding] = partitionBy(opened, (s) => served.has(s.metadata.segmentName));
    for (const segment of twice) segment.close();
    host.setSealed([...host.sealed(), ...adding].sort(compareSegments));
    host.logger.info({ shardId, segments: adding.length }, 'committed segments of a taken shard served');
  }

  /** Keeps an opened file unserved (closed when the table stops, or when the cache has that segment already). */
  private toCache(segment: SealedSegment): void {
    const name = segment.metadata.segmentName;
    if (this.closing.signal.aborted || this.cache.has(name)) segment.close();
    else this.cache.set(name, segment);
  }

  /** One committed file: the cached handle when it is that segment, else fetched and opened; null once the take is stale. */
  private async open(c: CommittedSegment, current: () => boolean): Promise<SealedSegment | null> {
    const { host } = this;
    const backoff = new Backoff(500, 15_000);
    while (current()) {
      const cached = this.cache.get(c.segmentName);
      if (cached && sameSegment(cached, c)) {
        this.cache.delete(c.segmentName);
        return cached;
      }
      try {
        await host.hooks.download(c, host.tableDir);
        return await openSegment(join(host.tableDir, c.segmentName + SEGMENT_FILE_SUFFIX), { verifyChecksum: true });
      } catch (err) {
        host.logger.warn({ segment: c.segmentName, shardId: c.shardId, err: describeError(err) }, 'could not fetch a committed segment of a taken shard; retrying');
        await sleep(backoff.next(), this.closing.signal);
      }
    }
    return null;
  }

  /** Stops consuming the shard (after sealing and committing when `seal`), and stops serving its segments. */
  async release(shardId: string, seal: boolean): Promise<void> {
    const { host } = this;
    this.ready.delete(shardId);
    this.takes.delete(shardId);
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

  /** Stops fetching (a fetch in flight is let finish, so nothing is written in the table's directory afterwards) and closes the cached files. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.loading]);
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
