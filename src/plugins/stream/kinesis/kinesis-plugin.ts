import type { StreamPlugin } from '../../../spi/stream-plugin.js';
import { parseKinesisConfig } from './kinesis-config.js';
import type { KinesisConfig } from './kinesis-config.js';
import { KinesisConsumerFactory } from './kinesis-consumer-factory.js';
import { classifyKinesisError } from './kinesis-errors.js';
import { PartitionIdMap } from './kinesis-partition-id.js';
import { putTableRecords } from './kinesis-producer.js';

/**
 * The Kinesis stream plugin (`streamType: kinesis`, keys `stream.kinesis.*` plus Pinot's bare
 * `region`, `endpoint`, `accessKey`... keys; docs/config.md). Registered in
 * `src/plugins/stream/registry.ts`.
 */
export const kinesisPlugin: StreamPlugin<KinesisConfig> = {
  streamType: 'kinesis',
  keyPrefix: 'stream.kinesis.',
  parse: (stream, context) => parseKinesisConfig(stream, process.env, context.tableName),
  createConsumerFactory: (settings, options) => new KinesisConsumerFactory(settings, { partitionIds: options.partitionIds, tableName: options.tableName }),
  loadPartitionIds: (saved) => PartitionIdMap.fromJSON(saved),
  classifyError: classifyKinesisError,
  putRecords: (settings, records, options) => putTableRecords(settings, records, options.tableName),
  statusWords: Object.freeze({
    resumedAfter: (offset: string) => `AFTER_SEQUENCE_NUMBER ${offset} (last sealed segment)`,
    childFromOldest: 'TRIM_HORIZON (child of a shard this table read to its end)',
  }),
};
