import type { SealedSegment } from '../segment/index.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';

/** A committed segment as the cluster's segment table records it: the truth a lease holder resumes from. */
export interface CommittedSegment {
  readonly segmentName: string;
  readonly shardId: string;
  readonly partitionId: number;
  readonly startOffset: string | null;
  readonly endOffset: string | null;
  readonly endOfShard: boolean;
  readonly numDocs: number;
  /**
   * Deleted (by a segment delete or retention), its item kept only because it holds the shard's
   * latest checkpoint: counted for where the shard resumes, never served nor downloaded.
   */
  readonly deleted: boolean;
}

/**
 * What a table runtime asks of the cluster it runs in (docs/cluster.md). Implemented by the
 * cluster layer; a runtime without it runs alone, its local disk the truth.
 */
export interface ClusterShardHooks {
  /** The runtime has loaded its local files (a cache, not served) and may be given shards. */
  attached(runtime: ClusterShardRuntime): void;
  /** The runtime stopped: nothing more is asked of it. */
  detached(runtime: ClusterShardRuntime): void;
  /** The table was deleted here (its runtime stopped): its leases held here are released. */
  dropped(): Promise<void>;
  /** Every committed segment of the table, deleted ones (kept for a checkpoint) included. */
  listCommitted(): Promise<CommittedSegment[]>;
  /**
   * Deletes committed segments from the cluster (docs/cluster.md, "Deleting segments"): each one's
   * item and deep-store object; the item of a shard's latest segment stays, marked deleted, so
   * the shard still resumes after it. Answers the names that were committed (and are now deleted).
   */
  deleteCommitted(segmentNames: readonly string[]): Promise<string[]>;
  /** Discovery listed these shards: their leases are created when missing. */
  shardsListed(partitions: readonly PartitionInfo[]): Promise<void>;
  /** True once the shard was read to its end and its last segment committed, by any server. */
  shardFinished(shardId: string): boolean;
  /** The shard's committed segments, as the cluster's segment table lists them now (no file is fetched). */
  committedSegments(shardId: string): Promise<CommittedSegment[]>;
  /** Puts a committed segment's file into `tableDir` from the deep store (temp name, then rename). */
  download(segment: CommittedSegment, tableDir: string): Promise<void>;
  /**
   * Commits a sealed segment: deep store first, then the metadata write fenced by the lease. A
   * throw fails the seal (the file is removed, nothing is published); when the lease is lost the
   * cluster also stops the shard.
   */
  commit(segment: SealedSegment): Promise<void>;
}

/** What the cluster asks of a table runtime: serve and consume a shard, or let it go. */
export interface ClusterShardRuntime {
  readonly tableName: string;
  /** This server now holds the shard's lease: load its committed segments, resume after them. */
  acquireShard(shardId: string): Promise<void>;
  /** Stop consuming and serving the shard; `seal` first commits what its consuming segment holds. */
  releaseShard(shardId: string, seal: boolean): Promise<void>;
  /** Lease states changed (a parent finished elsewhere): start the shards now ready. */
  leasesChanged(): void;
  /** Stops serving (and removes the local copies of) segments no longer committed: deleted through another server or by retention. */
  syncCommitted?(): Promise<void>;
}
