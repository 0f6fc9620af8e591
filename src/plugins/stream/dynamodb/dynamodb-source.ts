import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ShardtableError } from '../../../errors.js';
import { ID_COLUMN } from './dynamodb-attributes.js';
import type { DynamoDbClients } from './dynamodb-clients.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { DYNAMODB_KEYS } from './dynamodb-config.js';
import { toStreamError } from './dynamodb-errors.js';
import type { DocumentShape } from './dynamodb-records.js';

/** What the table's readers need to know about the DynamoDB table, from DescribeTable. */
export interface SourceTable extends DocumentShape {
  readonly streamArn: string;
  readonly viewType: string;
  /** DynamoDB's approximate item count (refreshed about every 6 hours by AWS), for load progress. */
  readonly itemCount: number;
  /** The table's `CreationDateTime`, epoch millis (a table created again under the name has another). */
  readonly createdAtMs: number;
}

export const ACCEPTED_VIEW_TYPES = ['NEW_AND_OLD_IMAGES', 'NEW_IMAGE'];

/**
 * Describes the DynamoDB table once per listing and checks what the plugin needs of it: a stream
 * with NEW_AND_OLD_IMAGES or NEW_IMAGE, and no key attribute named `_id` unless it is renamed.
 * A problem there is a `STREAM_CONFIG` error (400 at `POST /tables`, which waits for the table's
 * first listing), naming the key or the table setting to change.
 */
export async function describeSourceTable(clients: DynamoDbClients, config: DynamoDbConfig, signal?: AbortSignal): Promise<SourceTable> {
  let table;
  try {
    table = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: config.tableName }), signal ? { abortSignal: signal } : {})).Table;
  } catch (err) {
    throw toStreamError(err, 'DescribeTable', `DynamoDB table ${config.tableName}`);
  }
  const keyNames = [...(table?.KeySchema ?? [])].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0)).map((k) => k.AttributeName ?? '');
  const spec = table?.StreamSpecification;
  const viewType = spec?.StreamViewType ?? '';
  const streamArn = table?.LatestStreamArn ?? '';
  const problems: string[] = [];
  if (spec?.StreamEnabled !== true || streamArn === '') {
    problems.push(`${DYNAMODB_KEYS.tableName}: DynamoDB table ${config.tableName} has no stream; enable DynamoDB Streams on it with view type NEW_AND_OLD_IMAGES (or NEW_IMAGE)`);
  } else if (!ACCEPTED_VIEW_TYPES.includes(viewType)) {
    problems.push(`${DYNAMODB_KEYS.tableName}: the stream of DynamoDB table ${config.tableName} has view type ${viewType}; it must be NEW_AND_OLD_IMAGES or NEW_IMAGE (the change must carry the item)`);
  }
  if (keyNames.includes(ID_COLUMN) && config.idAttributeRename === undefined) {
    problems.push(`${DYNAMODB_KEYS.idAttributeRename}: DynamoDB table ${config.tableName} has its own ${ID_COLUMN} key attribute; set this key to the column name it should take (the table's ${ID_COLUMN} is the computed document id)`);
  }
  if (problems.length > 0) throw new ShardtableError('STREAM_CONFIG', { detail: problems.join('; ') });
  return Object.freeze({
    keyNames: Object.freeze(keyNames),
    idAttributeRename: config.idAttributeRename,
    deleteColumn: config.deleteColumn,
    tableName: config.tableName,
    streamArn,
    viewType,
    itemCount: table?.ItemCount ?? 0,
    createdAtMs: table?.CreationDateTime?.getTime() ?? 0,
  });
}
