import type { ClusterShardHooks, ClusterShardRuntime, CommittedSegment } from '../ingest/cluster-hooks.js';
import type { SealedSegment } from '../segment/index.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import { ShardtableError } from '../errors.js';
import { LeaseLostError } from './lease-coordinator.js';
import type { LeaseCoordinator } from './lease-coordinator.js';
import { leaseKeyOf } from './lease-store.js';
import type { LeaseStore } from './lease-store.js';
import type { CommittedItem, SegmentStore } from './segment-store.js';

/** One table's side of the cluster (`ClusterShardHooks`): leases, commits and the deep store for its runtime. */
export class ClusterTableHooks implements ClusterShardHooks {
  /** Leases known to exist (created here or seen), so discovery does not write them again. */
  private readonly ensured = new Set<string>();
  /** Each committed segment listed, by name (its item names the deep-store key of its upload). */
  private readonly listed = new Map<string, CommittedItem>();
  /** Each listed shard's partition id (its segments' LLC names carry it). */
  private readonly partitionOf = new Map<string, number>();

  constructor(
    private readonly tableName: string,
    private readonly parts: { readonly serverId: string; readonly leases: LeaseStore; readonly coordinator: LeaseCoordinator; readonly segments: SegmentStore },
  ) {}

  attached(runtime: ClusterShardRuntime): void {
    this.parts.coordinator.attach(runtime);
  }

  detached(runtime: ClusterShardRuntime): void {
    this.parts.coordinator.detach(runtime);
  }

  dropped(): Promise<void> {
    return this.parts.coordinator.releaseTable(this.tableName);
  }

  listCommitted(): Promise<CommittedSegment[]> {
    return this.parts.segments.listCommitted(this.tableName);
  }

  deleteCommitted(segmentNames: readonly string[]): Promise<string[]> {
    return this.parts.segments.deleteCommitted(this.tableName, segmentNames);
  }

  async shardsListed(partitions: readonly PartitionInfo[]): Promise<void> {
    for (const partition of partitions) {
      this.partitionOf.set(partition.shardId, partition.partitionId);
      const key = leaseKeyOf(this.tableName, partition.shardId);
      if (this.ensured.has(key)) continue;
      await this.parts.leases.ensure(this.tableName, partition);
      this.ensured.add(key);
    }
  }

  shardFinished(shardId: string): boolean {
    return this.parts.coordinator.finished(this.tableName, shardId);
  }

  async committedSegments(shardId: string): Promise<CommittedSegment[]> {
    // The shard's partition's items when discovery has listed it (else the whole table's, filtered).
    const committed = (await this.parts.segments.listCommitted(this.tableName, this.partitionOf.get(shardId))).filter((c) => c.shardId === shardId);
    for (const item of committed) this.listed.set(item.segmentName, item);
    return committed;
  }

  async download(segment: CommittedSegment, tableDir: string): Promise<void> {
    const item = this.listed.get(segment.segmentName);
    if (item === undefined) throw new Error(`segment ${segment.segmentName} of table ${this.tableName} was not listed as committed`);
    await this.parts.segments.download(item, tableDir);
  }

  /** Deep store first (outside the lease's lock: an upload may take long), then the fenced metadata write. */
  async commit(segment: SealedSegment): Promise<void> {
    const { segmentName, shardId } = segment.metadata;
    // A key of its own per upload: a fenced server's file of the same name never replaces a committed one.
    const s3Key = await this.parts.segments.upload(segment);
    try {
      await this.parts.coordinator.commitFenced(this.tableName, shardId, async (leaseKey, counter) => (await this.parts.segments.commit(segment, s3Key, { leaseKey, counter })) !== 'fenced');
    } catch (err) {
      await this.parts.segments.deleteUpload(s3Key);
      if (err instanceof LeaseLostError) throw new ShardtableError('SEGMENT_FENCED', { segment: segmentName, table: this.tableName, serverId: this.parts.serverId, shardId });
      throw err;
    }
  }
}
