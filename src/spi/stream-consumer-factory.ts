import type { StreamMetadataProvider, PartitionInfo } from './metadata-provider.js';
import type { StreamOffsetFactory } from './offset.js';
import type { PartitionConsumer } from './partition-consumer.js';

/**
 * Builds the readers for one table's stream (Pinot's `StreamConsumerFactory`), registered by
 * `streamType` in `src/plugins/stream/registry.ts`. Created once per table from its validated
 * stream config; `close()` releases shared clients.
 *
 * @example
 *   const factory = createStreamConsumerFactory(tableConfig.stream, { partitionIds });
 *   const partitions = await factory.createMetadataProvider().listPartitions();
 */
export interface StreamConsumerFactory {
  readonly offsetFactory: StreamOffsetFactory;
  /** How long one `fetchMessages` may wait (Pinot's `stream.<type>.fetch.timeout.millis`). */
  readonly fetchTimeoutMs: number;
  /** How often ingestion lists partitions to find new ones (after a reshard), in millis. */
  readonly discoveryIntervalMs: number;
  /** Where a partition with no checkpoint starts, for status (e.g. `TRIM_HORIZON`). */
  readonly initialPositionDescription: string;
  createMetadataProvider(): StreamMetadataProvider;
  createPartitionConsumer(partition: PartitionInfo): PartitionConsumer;
  close(): Promise<void>;
}
