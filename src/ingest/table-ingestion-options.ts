import type { ClusterShardHooks } from './cluster-hooks.js';
import type { Logger } from '../logger.js';
import type { StreamConsumerFactory } from '../spi/stream-consumer-factory.js';
import type { BoundStream, StreamPluginOptions } from '../spi/stream-plugin.js';
import type { IngestBound } from './ingest-bound.js';
import type { ResolvedTable } from './resolved-table.js';
import type { DataLossEntry } from './table-ingestion-status.js';

export interface TableIngestionOptions {
  /** The table, resolved once at admission (stream bound to its plugin, decoder, transforms). */
  readonly table: ResolvedTable;
  readonly tableDir: string;
  readonly logger: Logger;
  /**
   * Builds the stream's consumer factory; default: the table's stream plugin. Tests wrap the real
   * one (e.g. a metadata provider that stops listing a shard, standing in for retention expiry).
   */
  readonly streamFactory?: (stream: BoundStream, opts: StreamPluginOptions) => StreamConsumerFactory;
  /** Sees lineage events in the order they happen (a partition started, a segment published). */
  readonly onEvent?: (event: IngestionEvent) => void;
  /** A bounded run (`ingest --once`): every partition stops at this bound; see {@link boundReached}. */
  readonly bound?: IngestBound;
  /** The clock retention compares segment times with (default `Date.now`; tests inject a fake one). */
  readonly clock?: () => number;
  /** Time between retention checks (default `RETENTION_INTERVAL_MS`). */
  readonly retentionIntervalMs?: number;
  /** Cluster mode (docs/cluster.md): shards follow leases, segments commit to the deep store. */
  readonly cluster?: ClusterShardHooks;
}

/**
 * What the table runtime did, in order: a partition's consumer started (after its parents ended),
 * or a segment file was published (the commit). Tests use it to prove parents seal first.
 */
export type IngestionEvent =
  | { readonly kind: 'partitionStarted'; readonly shardId: string; readonly parentShardIds: readonly string[]; readonly atMs: number }
  | { readonly kind: 'segmentSealed'; readonly shardId: string; readonly segmentName: string; readonly endOfShard: boolean; readonly atMs: number }
  | { readonly kind: 'dataLoss'; readonly entry: DataLossEntry };
