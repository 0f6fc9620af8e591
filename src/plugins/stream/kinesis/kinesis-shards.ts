import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import type { PartitionInfo, StreamIdentity, StreamMetadataProvider } from '../../../spi/metadata-provider.js';
import { TransientStreamError } from '../../../spi/partition-consumer.js';
import { KINESIS_DEFAULTS, KINESIS_KEYS } from './kinesis-config.js';
import { toStreamError } from './kinesis-errors.js';

/** Anything that maps a shard id to its partition id (`PartitionIdMap` does). */
export interface PartitionIdResolver {
  idFor(shardId: string): number;
}

export interface KinesisMetadataProviderOptions {
  /** ListShards page size (AWS allows 1..10000; default 1000). */
  readonly pageSize?: number;
  /** Deadline of one whole listing, millis (`stream.kinesis.metadata.timeout.millis`, default 5000). */
  readonly timeoutMs?: number;
}

/**
 * Lists a stream's shards with paged `ListShards` (following `NextToken`) and maps each to a
 * `PartitionInfo`: parents from `ParentShardId` and `AdjacentParentShardId` (a merge has two),
 * `closed` when the shard has an `EndingSequenceNumber`. Order: by partition id, then shard id.
 *
 * A listing has one deadline for all its pages, credential resolution included: an endpoint that
 * accepts the connection and never answers fails it with a `TransientStreamError` naming the key,
 * within `timeoutMs`, and the request in flight is aborted.
 *
 * Does not own the client (the consumer factory does); `close()` only marks it closed.
 */
export class KinesisMetadataProvider implements StreamMetadataProvider {
  private closed = false;

  private readonly pageSize: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly partitionIds: PartitionIdResolver,
    options: KinesisMetadataProviderOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    this.timeoutMs = options.timeoutMs ?? KINESIS_DEFAULTS.metadataTimeoutMs;
  }

  async listPartitions(): Promise<PartitionInfo[]> {
    if (this.closed) throw new Error('metadata provider is closed');
    const shards = await this.withDeadline((signal) => this.listShards(signal));
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

  /** `DescribeStreamSummary`: the stream's ARN and creation time (a recreated stream has a new one). */
  async streamIdentity(): Promise<StreamIdentity> {
    if (this.closed) throw new Error('metadata provider is closed');
    const out = await this.withDeadline(async (signal) => {
      try {
        return await this.client.send(new DescribeStreamSummaryCommand({ StreamName: this.streamName }), { abortSignal: signal });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw toStreamError(err, 'DescribeStreamSummary', this.streamName);
      }
    }, 'DescribeStreamSummary');
    const summary = out.StreamDescriptionSummary;
    if (summary?.StreamARN === undefined || summary.StreamCreationTimestamp === undefined) {
      throw new TransientStreamError(`DescribeStreamSummary of Kinesis stream ${this.streamName} returned no StreamARN or StreamCreationTimestamp`);
    }
    return Object.freeze({ id: summary.StreamARN, createdAtMs: summary.StreamCreationTimestamp.getTime() });
  }

  /** Every shard, open and closed, following `NextToken`; a shard seen on two pages counts once. */
  private async listShards(signal: AbortSignal): Promise<Shard[]> {
    const byId = new Map<string, Shard>();
    let nextToken: string | undefined;
    do {
      let page;
      try {
        // ListShards takes either StreamName or NextToken, never both.
        page = await this.client.send(new ListShardsCommand(nextToken === undefined
          ? { StreamName: this.streamName, MaxResults: this.pageSize }
          : { NextToken: nextToken, MaxResults: this.pageSize }), { abortSignal: signal });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw toStreamError(err, 'ListShards', this.streamName);
      }
      for (const shard of page.Shards ?? []) {
        if (shard.ShardId !== undefined) byId.set(shard.ShardId, shard);
      }
      nextToken = page.NextToken ?? undefined;
    } while (nextToken !== undefined);
    return [...byId.values()];
  }

  /**
   * Runs `work` with an abort signal that fires at the deadline, and settles by then whatever
   * `work` does (the SDK resolves credentials before it looks at the signal).
   */
  private withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, call = 'ListShards'): Promise<T> {
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TransientStreamError(
          `${call} got no answer from Kinesis stream ${this.streamName} within ${this.timeoutMs} ms (${KINESIS_KEYS.metadataTimeoutMs}): the endpoint is unreachable or does not answer`,
        );
        controller.abort(error);
        reject(error);
      }, this.timeoutMs);
      work(controller.signal).then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
