import type { TableSchema } from '../../../config/schema.js';
import { ShardtableError } from '../../../errors.js';
import type { DecodeFieldsResult, DecodeResult, DecoderSettings, StreamMessageDecoder } from '../../../spi/decoder.js';
import { decoderKey, decoderProperty } from '../../../spi/decoder.js';
import type { StreamMessage } from '../../../spi/message-batch.js';
import { documentId, ID_COLUMN, itemJson, wireItem } from '../../stream/dynamodb/dynamodb-attributes.js';
import type { Item } from '../../stream/dynamodb/dynamodb-attributes.js';
import { createJsonDecoder } from '../json/index.js';

/** `decoder.prop.key.attributes`: the table's key attribute names, partition key first (`pk` or `pk,sk`). */
export const KEY_ATTRIBUTES_KEY = 'decoder.prop.key.attributes';
/** `decoder.prop.delete.column`: the BOOLEAN column set true for REMOVE (the upsert table's `deleteRecordColumn`). */
export const DELETE_COLUMN_KEY = 'decoder.prop.delete.column';
/** `decoder.prop.id.attribute.rename`: where an item's own `_id` attribute goes. */
export const ID_RENAME_KEY = 'decoder.prop.id.attribute.rename';

/** The document field holding the record's `dynamodb.ApproximateCreationDateTime` (the upsert comparison column). */
export const CREATION_TIME_FIELD = 'ApproximateCreationDateTime';
/** The document field holding the record's `eventName` (INSERT, MODIFY, REMOVE). */
export const EVENT_NAME_FIELD = 'eventName';

const EVENTS = new Set(['INSERT', 'MODIFY', 'REMOVE']);

interface ChangeRecord {
  readonly eventName?: unknown;
  readonly tableName?: unknown;
  readonly dynamodb?: { readonly Keys?: unknown; readonly NewImage?: unknown; readonly OldImage?: unknown; readonly ApproximateCreationDateTime?: unknown };
}

/**
 * The `dynamodb-kinesis` decoder: one record of "Kinesis Data Streams for DynamoDB" (a DynamoDB
 * table's changes streamed into a Kinesis stream; JSON with `eventName`, `tableName` and
 * `dynamodb.{Keys, NewImage, OldImage, ApproximateCreationDateTime}` in AttributeValue form) as a
 * row, the way a `streamType: dynamodb` table turns a DynamoDB Streams record into one: the image's
 * attributes by name (`dynamodb-attributes.ts`: exact numbers, sets as multi-value), `_id` from the
 * key, the delete column true for `REMOVE` (the row then holds the old image, or only the key),
 * plus `ApproximateCreationDateTime` and `eventName` as fields. Records on Kinesis may come
 * duplicated and out of order: an upsert table keyed by `_id` with `ApproximateCreationDateTime`
 * as its comparison column keeps the newest version. Built on the JSON decoder, so coercion is the
 * same; `decodeFields` serves transforms (numbers there are JavaScript numbers).
 */
export function createDynamoDbKinesisDecoder(schema: TableSchema, settings: DecoderSettings): StreamMessageDecoder {
  const problems: string[] = [];
  const keysText = decoderProperty(settings, KEY_ATTRIBUTES_KEY)?.trim() ?? '';
  const keyNames = keysText === '' ? undefined : keysText.split(',').map((k) => k.trim());
  if (keyNames !== undefined && (keyNames.length > 2 || keyNames.some((k) => k === ''))) {
    problems.push(`${decoderKey(settings, KEY_ATTRIBUTES_KEY)}: ${JSON.stringify(keysText)} must name the partition key, or the partition key and the sort key: "pk" or "pk,sk"`);
  }
  const deleteColumn = decoderProperty(settings, DELETE_COLUMN_KEY)?.trim() || (schema.columnIndex.has('_deleted') ? '_deleted' : undefined);
  if (deleteColumn !== undefined) {
    const column = schema.columns[schema.columnIndex.get(deleteColumn) ?? -1];
    if (column === undefined || column.dataType !== 'BOOLEAN' || !column.singleValue) {
      problems.push(`${decoderKey(settings, DELETE_COLUMN_KEY)}: ${JSON.stringify(deleteColumn)} must be a single-value BOOLEAN column of schema ${schema.name}`);
    }
  }
  if (!schema.columnIndex.has(ID_COLUMN)) problems.push(`${decoderKey(settings, 'decoder.class.name')}: the dynamodb-kinesis decoder fills a STRING column ${ID_COLUMN} (the document id); schema ${schema.name} has none`);
  if (problems.length > 0) throw new ShardtableError('STREAM_CONFIG', { detail: problems.join('; ') });
  const rename = decoderProperty(settings, ID_RENAME_KEY)?.trim() || undefined;
  return new DynamoDbKinesisDecoder(createJsonDecoder(schema), { keyNames, deleteColumn, rename, settings });
}

interface Shape {
  readonly keyNames: readonly string[] | undefined;
  readonly deleteColumn: string | undefined;
  readonly rename: string | undefined;
  readonly settings: DecoderSettings;
}

class DynamoDbKinesisDecoder implements StreamMessageDecoder {
  constructor(
    private readonly json: StreamMessageDecoder,
    private readonly shape: Shape,
  ) {}

  decode(message: StreamMessage): DecodeResult {
    const doc = this.document(message);
    if (!doc.ok) return doc;
    const value = Buffer.from(doc.json, 'utf8');
    return this.json.decode({ ...message, value, serializedSize: value.byteLength });
  }

  decodeFields(message: StreamMessage): DecodeFieldsResult {
    const doc = this.document(message);
    if (!doc.ok) return doc;
    return { ok: true, fields: JSON.parse(doc.json) as Record<string, unknown> };
  }

  /** The record as the JSON document the JSON decoder reads, or why it is not a change record. */
  private document(message: StreamMessage): { ok: true; json: string } | { ok: false; error: string } {
    let record: ChangeRecord;
    try {
      record = JSON.parse(Buffer.from(message.value).toString('utf8')) as ChangeRecord;
    } catch (err) {
      return fail(`not JSON: ${(err as Error).message}`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return fail('not a JSON object');
    const event = record.eventName;
    if (typeof event !== 'string' || !EVENTS.has(event)) return fail(`eventName: ${JSON.stringify(event)} is not INSERT, MODIFY or REMOVE`);
    const ddb = record.dynamodb;
    if (ddb === null || typeof ddb !== 'object') return fail('dynamodb: missing (the change itself)');
    let keys: Item;
    let image: Item | undefined;
    const deleted = event === 'REMOVE';
    try {
      keys = wireItem(ddb.Keys, 'dynamodb.Keys');
      if (Object.keys(keys).length === 0) return fail('dynamodb.Keys: empty');
      const imageField = deleted ? 'OldImage' : 'NewImage';
      image = ddb[imageField] === undefined ? undefined : wireItem(ddb[imageField], `dynamodb.${imageField}`);
    } catch (err) {
      return fail((err as Error).message);
    }
    const created = ddb.ApproximateCreationDateTime;
    if (typeof created !== 'number' || !Number.isFinite(created)) return fail(`dynamodb.ApproximateCreationDateTime: ${JSON.stringify(created)} is not a number`);
    if (deleted) image ??= keys;
    if (image === undefined) return fail(`dynamodb.NewImage: missing on ${event} (the stream must carry new images)`);
    const keyNames = this.shape.keyNames ?? (Object.keys(keys).length === 1 ? Object.keys(keys) : undefined);
    if (keyNames === undefined) return fail(`dynamodb.Keys has ${Object.keys(keys).join(', ')}: set ${decoderKey(this.shape.settings, KEY_ATTRIBUTES_KEY)} to "partitionKey,sortKey" so _id is built in key order`);
    let id: string;
    try {
      id = documentId(keys, keyNames);
    } catch (err) {
      return fail(`dynamodb.Keys: ${(err as Error).message}`);
    }
    if (deleted && this.shape.deleteColumn === undefined) return fail(`REMOVE of item ${id}: the table has no delete column; set ${decoderKey(this.shape.settings, DELETE_COLUMN_KEY)} (the upsert table's deleteRecordColumn)`);
    let attributes: Item = image;
    if (image[ID_COLUMN] !== undefined) {
      if (this.shape.rename === undefined) return fail(`item ${id} has its own ${ID_COLUMN} attribute, which would hide the document id; set ${decoderKey(this.shape.settings, ID_RENAME_KEY)} to the column it should take`);
      const { [ID_COLUMN]: own, ...rest } = image;
      attributes = { ...rest, [this.shape.rename]: own! };
    }
    const extra: [string, string][] = [
      [ID_COLUMN, JSON.stringify(id)],
      [CREATION_TIME_FIELD, String(created)],
      [EVENT_NAME_FIELD, JSON.stringify(event)],
    ];
    if (this.shape.deleteColumn !== undefined) extra.push([this.shape.deleteColumn, deleted ? 'true' : 'false']);
    try {
      return { ok: true, json: itemJson(attributes, extra) };
    } catch (err) {
      return fail(`item ${id}: ${(err as Error).message}`);
    }
  }
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error: `DynamoDB change record: ${error}` };
}
