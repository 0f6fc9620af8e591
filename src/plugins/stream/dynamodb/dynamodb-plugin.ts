import type { StreamPlugin } from '../../../spi/stream-plugin.js';
import { parseDynamoDbConfig } from './dynamodb-config.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { DynamoDbConsumerFactory } from './dynamodb-consumer-factory.js';
import { classifyDynamoDbError } from './dynamodb-errors.js';
import { DynamoDbPartitionIds } from './dynamodb-partition-id.js';

/**
 * The DynamoDB source (`streamType: dynamodb`, keys `stream.dynamodb.*`; docs/dynamodb.md): an
 * upsert table keyed by `_id`, loaded by a parallel scan under a read-capacity budget, then fed by
 * the table's DynamoDB Stream. Registered in `src/plugins/stream/registry.ts`.
 */
export const dynamoDbPlugin: StreamPlugin<DynamoDbConfig> = {
  streamType: 'dynamodb',
  keyPrefix: 'stream.dynamodb.',
  topicKey: 'table.name',
  ordersChanges: true,
  parse: (stream, context) => parseDynamoDbConfig(stream, context.table),
  createConsumerFactory: (settings, options) => new DynamoDbConsumerFactory(settings, { partitionIds: options.partitionIds, tableName: options.tableName }),
  loadPartitionIds: (saved) => DynamoDbPartitionIds.fromJSON(saved),
  classifyError: classifyDynamoDbError,
  statusWords: Object.freeze({
    resumedAfter: (offset: string) =>
      offset.startsWith('scan:') || offset.startsWith('export:')
        ? `${offset.slice(0, offset.indexOf(':'))} resumed after item ${offset.split(/[:,]/)[1]} (last sealed segment)`
        : `AFTER_SEQUENCE_NUMBER ${offset} (last sealed segment)`,
    childFromOldest: 'TRIM_HORIZON (its parents — the initial load or an older shard — were read to their end)',
  }),
};
