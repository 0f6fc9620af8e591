import type { ClusterShardHooks, ClusterShardRuntime, CommittedSegment } from '../ingest/cluster-hooks.js';
import type { SealedSegment } from '../segment/index.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import { ShardtableError } from '../errors.js';
import { LeaseLostError } from './lease-coordinator.js';
import type { LeaseCoordinator } from './lease-coordinator.js';
import { leaseKeyOf } from './lease-store.js';
import type { LeaseStore } from './lease-store.js';
import type { SegmentStore } from './segment-store.js';

/** One table's side of the cluster (`ClusterShardHooks`): leases, commits and the deep store for its runtime. */
export class ClusterTableHooks implements ClusterShardHooks {
  /** Leases known to exist (created here or seen), so discovery does not write them again. */
  private readonly ensured = new Set<string>();

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
      const key = leaseKeyOf(this.tableName, partition.shardId);
      if (this.ensured.has(key)) continue;
      await this.parts.leases.ensure(this.tableName, partition);
      this.ensured.add(key);
    }
  }

  shardFinished(shardId: string): boolean {
    return this.parts.coordinator.finished(this.tableName, shardId);
  }

  async fetchCommitted(shardId: string, tableDir: string, have: (segment: CommittedSegment) => boolean): Promise<CommittedSegment[]> {
    const committed = (await this.parts.segments.listCommitted(this.tableName)).filter((c) => c.shardId === shardId);
    for (const item of committed) if (!item.deleted && !have(item)) await this.parts.segments.download(item, tableDir);
    return committed;
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
