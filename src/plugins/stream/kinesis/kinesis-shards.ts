import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import type { PartitionInfo, StreamMetadataProvider } from '../../../spi/metadata-provider.js';
import { toStreamError } from './kinesis-errors.js';

/** Anything that maps a shard id to its partition id (`PartitionIdMap` does). */
export interface PartitionIdResolver {
  idFor(shardId: string): number;
}

/**
 * Lists a stream's shards with paged `ListShards` (following `NextToken`) and maps each to a
 * `PartitionInfo`: parents from `ParentShardId` and `AdjacentParentShardId` (a merge has two),
 * `closed` when the shard has an `EndingSequenceNumber`. Order: by partition id, then shard id.
 *
 * Does not own the client (the consumer factory does); `close()` only marks it closed.
 */
export class KinesisMetadataProvider implements StreamMetadataProvider {
  private closed = false;

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly partitionIds: PartitionIdResolver,
    /** ListShards page size (AWS allows 1..10000; default 1000). */
    private readonly pageSize = 1000,
  ) {}

  async listPartitions(): Promise<PartitionInfo[]> {
    if (this.closed) throw new Error('metadata provider is closed');
    const shards = await this.listShards();
    const partitions = shards.map((shard): PartitionInfo => {
      const shardId = shard.ShardId!;
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => typeof id === 'string' && id.length > 0);
      return Object.freeze({
        partitionId: this.partitionIds.idFor(shardId),
        shardId,
        parentShardIds: Object.freeze(parents),
        closed: typeof shard.SequenceNumberRange?.EndingSequenceNumber === 'string',
      });
    });
    return partitions.sort((a, b) => a.partitionId - b.partitionId || (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
  }

  /** Every shard, open and closed, following `NextToken`; a shard seen on two pages counts once. */
  private async listShards(): Promise<Shard[]> {
    const byId = new Map<string, Shard>();
    let nextToken: string | undefined;
    do {
      let page;
      try {
        // ListShards takes either StreamName or NextToken, never both.
        page = await this.client.send(new ListShardsCommand(nextToken === undefined
          ? { StreamName: this.streamName, MaxResults: this.pageSize }
          : { NextToken: nextToken, MaxResults: this.pageSize }));
      } catch (err) {
        throw toStreamError(err, 'ListShards', this.streamName);
      }
      for (const shard of page.Shards ?? []) {
        if (shard.ShardId !== undefined) byId.set(shard.ShardId, shard);
      }
      nextToken = page.NextToken ?? undefined;
    } while (nextToken !== undefined);
    return [...byId.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
