import type { StreamMessage } from '../../../spi/message-batch.js';
import type { StreamOffset } from '../../../spi/offset.js';
import { PermanentStreamError } from '../../../spi/partition-consumer.js';
import { documentId, ID_COLUMN, itemJson } from './dynamodb-attributes.js';
import type { Item } from './dynamodb-attributes.js';

/** How items become documents: the table's key names, where an item's own `_id` goes, the delete column. */
export interface DocumentShape {
  /** Partition key name, then sort key name (from DescribeTable). */
  readonly keyNames: readonly string[];
  /** The name an item's own `_id` attribute takes (`stream.dynamodb.id.attribute.rename`). */
  readonly idAttributeRename: string | undefined;
  /** The table's `deleteRecordColumn`. */
  readonly deleteColumn: string;
  /** The DynamoDB table's name, for messages. */
  readonly tableName: string;
}

/**
 * One item (a scanned item, a stream record's new image, or a removed item's key) as the message
 * the table's JSON decoder reads: every attribute (`dynamodb-attributes.ts`), `_id` from the key,
 * the delete column (true for REMOVE). An item with its own `_id` attribute and no rename is a
 * `PermanentStreamError` naming the item and the key to set: its `_id` would be silently replaced.
 */
export function itemMessage(item: Item, shape: DocumentShape, change: { readonly deleted: boolean; readonly offset: StreamOffset; readonly arrivalTimeMs: number }): StreamMessage {
  const id = documentId(item, shape.keyNames);
  let attributes = item;
  if (item[ID_COLUMN] !== undefined) {
    if (shape.idAttributeRename === undefined) {
      throw new PermanentStreamError(
        `item ${id} of DynamoDB table ${shape.tableName} has its own ${ID_COLUMN} attribute, which would hide the document id; set stream.dynamodb.id.attribute.rename to the column name it should take (docs/dynamodb.md, "The _id column")`,
      );
    }
    const { [ID_COLUMN]: own, ...rest } = item;
    attributes = { ...rest, [shape.idAttributeRename]: own! };
  }
  const json = itemJson(attributes, [
    [ID_COLUMN, JSON.stringify(id)],
    [shape.deleteColumn, change.deleted ? 'true' : 'false'],
  ]);
  const value = Buffer.from(json, 'utf8');
  return { key: id, value, offset: change.offset, arrivalTimeMs: change.arrivalTimeMs, serializedSize: value.byteLength };
}

/** The key attributes of an item (a scan's resume point). */
export function keyOf(item: Item, keyNames: readonly string[]): Item {
  const key: Record<string, Item[string]> = {};
  for (const name of keyNames) {
    const v = item[name];
    if (v !== undefined) key[name] = v;
  }
  return key;
}
