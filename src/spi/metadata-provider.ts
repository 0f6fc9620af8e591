/**
 * One partition of a stream as discovery sees it (a Kinesis shard).
 */
export interface PartitionInfo {
  /** Integer partition id, stable for the life of the table (see `kinesis-partition-id.ts`). */
  readonly partitionId: number;
  /** The stream's own id for it (`shardId-000000000007`). */
  readonly shardId: string;
  /** Shards this one was split or merged from; they must be read to their end first. */
  readonly parentShardIds: readonly string[];
  /** True when the shard is closed: it has an ending sequence number and takes no new writes. */
  readonly closed: boolean;
  /**
   * True for a partition that loads a snapshot of the source before its changes are followed (a
   * segment of a DynamoDB table's initial scan): it is closed, and the stream's first partitions
   * list it as a parent, so the lineage rule runs the load first. Status shows the table
   * `LOADING` while one of these has not been read to its end.
   */
  readonly snapshot?: boolean;
}

/**
 * Which instance of a stream a table reads. A stream deleted and created again under the same name
 * is another stream (new partitions, new offsets, sometimes the same partition ids), so a table
 * records this with its checkpoints and refuses to resume from them on another one
 * (docs/exactly-once.md, "A recreated stream").
 *
 * @example { id: 'arn:aws:kinesis:us-east-1:000000000000:stream/events', createdAtMs: 1764979200000 }
 */
export interface StreamIdentity {
  /** The stream's unique name across accounts and regions (a Kinesis stream ARN). */
  readonly id: string;
  /** When this instance of the stream was created, epoch millis. */
  readonly createdAtMs: number;
}

/**
 * Lists the partitions of a stream (Pinot's `StreamMetadataProvider`). Owned and closed by the
 * table ingestion that created it.
 */
export interface StreamMetadataProvider {
  /**
   * Every partition the stream currently has, open and closed, in a stable order. Settles within
   * the plugin's own deadline (a documented stream config key, e.g.
   * `stream.kinesis.metadata.timeout.millis`), however the endpoint behaves: an endpoint that
   * accepts connections and never answers is a `TransientStreamError`, never a hang, because
   * `POST /tables` and table start wait for the first listing.
   */
  listPartitions(): Promise<PartitionInfo[]>;
  /**
   * Optional: the identity of the stream instance reachable now, within the same deadline as
   * `listPartitions`. A stream that does not exist (deleted) is a `PermanentStreamError`. Stream
   * types without it are never checked for recreation.
   */
  streamIdentity?(): Promise<StreamIdentity>;
  close(): Promise<void>;
}
