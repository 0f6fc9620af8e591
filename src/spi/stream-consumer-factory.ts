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
  createMetadataProvider(): StreamMetadataProvider;
  createPartitionConsumer(partition: PartitionInfo): PartitionConsumer;
  close(): Promise<void>;
}
