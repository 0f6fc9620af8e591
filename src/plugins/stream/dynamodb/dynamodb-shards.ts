import type { PartitionInfo, StreamIdentity, StreamMetadataProvider } from '../../../spi/metadata-provider.js';
import type { PartitionIdScheme } from '../../../spi/partition-id-scheme.js';
import { TransientStreamError } from '../../../spi/partition-consumer.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { DYNAMODB_KEYS } from './dynamodb-config.js';
import { toStreamError } from './dynamodb-errors.js';
import { SCAN_PARTITION_PREFIX } from './dynamodb-partition-id.js';
import type { SourceTable } from './dynamodb-source.js';
import { withDeadline } from './dynamodb-streams-api.js';
import type { DynamoDbStreamsApi, StreamShard } from './dynamodb-streams-api.js';

/**
 * Lists a DynamoDB-fed table's partitions: first the initial load's scan segments (`scan-0`…,
 * closed: each ends when its segment is scanned), then every shard of the table's stream. A
 * stream shard whose parent is not listed (the stream's first shards, or a parent trimmed away)
 * gets every scan segment as its parents, so ingestion's lineage rule — children start only when
 * their parents are read to their end and sealed — runs the whole load before any change, and
 * the shards then start at their oldest record (TRIM_HORIZON: a position before the load began,
 * so no change made during the load is missed; replaying older ones is harmless, the newest
 * version wins). Shards with a listed parent start after it, as DynamoDB Streams requires.
 */
export class DynamoDbMetadataProvider implements StreamMetadataProvider {
  constructor(
    private readonly api: DynamoDbStreamsApi,
    private readonly config: DynamoDbConfig,
    private readonly describe: (signal: AbortSignal) => Promise<SourceTable>,
    private readonly ids: PartitionIdScheme,
  ) {}

  listPartitions(): Promise<PartitionInfo[]> {
    return withDeadline(this.config.metadataTimeoutMs, this.timeout('listing the stream'), async (signal) => {
      const table = await this.describe(signal);
      const shards = await this.listShards(table.streamArn, signal);
      return this.partitionsOf(shards);
    });
  }

  /**
   * The table's stream as ingestion's recreation guard knows it: its ARN (`LatestStreamArn`, which
   * names the table and the stream's creation) and the table's `CreationDateTime`. A table deleted
   * and created again under the same name, or whose stream was disabled and enabled again, is
   * another one: its stream has other shards and sequence numbers, and changes made in between
   * are not in it, so the table stops reading until it is reset (which loads it again).
   */
  streamIdentity(): Promise<StreamIdentity> {
    return withDeadline(this.config.metadataTimeoutMs, this.timeout('describing'), async (signal) => {
      const table = await this.describe(signal);
      return Object.freeze({ id: table.streamArn, createdAtMs: table.createdAtMs });
    });
  }

  private timeout(what: string): () => TransientStreamError {
    return () =>
      new TransientStreamError(
        `${what} of DynamoDB table ${this.config.tableName} got no answer within ${this.config.metadataTimeoutMs} ms (${DYNAMODB_KEYS.metadataTimeoutMs}): the endpoint is unreachable or does not answer`,
      );
  }

  private async listShards(streamArn: string, signal: AbortSignal): Promise<StreamShard[]> {
    const all: StreamShard[] = [];
    let start: string | undefined;
    do {
      let page;
      try {
        page = await this.api.describeStream({ StreamArn: streamArn, ...(start !== undefined ? { ExclusiveStartShardId: start } : {}) }, signal);
      } catch (err) {
        throw toStreamError(err, 'DescribeStream', `the stream of DynamoDB table ${this.config.tableName}`);
      }
      all.push(...page.shards);
      start = page.lastEvaluatedShardId;
    } while (start !== undefined);
    return all;
  }

  private partitionsOf(shards: readonly StreamShard[]): PartitionInfo[] {
    const scans: PartitionInfo[] = [];
    if (this.config.initialLoad !== 'none') {
      for (let i = 0; i < this.config.scanSegments; i++) {
        const shardId = `${SCAN_PARTITION_PREFIX}${i}`;
        scans.push({ partitionId: this.ids.idFor(shardId), shardId, parentShardIds: [], closed: true, snapshot: true });
      }
    }
    const listed = new Set(shards.map((s) => s.ShardId ?? ''));
    const scanIds = scans.map((s) => s.shardId);
    const streamParts = shards
      .filter((s) => s.ShardId !== undefined)
      .map((s): PartitionInfo => {
        const parent = s.ParentShardId;
        const parents = parent !== undefined && listed.has(parent) ? [parent] : scanIds;
        return { partitionId: this.ids.idFor(s.ShardId!), shardId: s.ShardId!, parentShardIds: parents, closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined };
      });
    return [...scans, ...streamParts];
  }

  async close(): Promise<void> {}
}
