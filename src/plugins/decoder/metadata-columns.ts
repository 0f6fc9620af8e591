import type { CellValue, DataType } from '../../config/data-type.js';
import type { TableSchema } from '../../config/schema.js';
import { ShardtableError } from '../../errors.js';
import type { DecodeFieldsResult, DecodeResult, DecoderSettings, StreamMessageDecoder } from '../../spi/decoder.js';
import { decoderKey, decoderProperty } from '../../spi/decoder.js';
import type { StreamMessage } from '../../spi/message-batch.js';
import { coerceScalar } from './coerce.js';
import { CoercionLosses } from './coercion-losses.js';

/** Key suffix turning record metadata columns on (Pinot's `stream.<type>.metadata.populate`). */
export const METADATA_POPULATE_KEY = 'metadata.populate';

/**
 * Record metadata columns, as Pinot names them, with the types each accepts. Redshift's streaming
 * views call them `partition_key`, `sequence_number`, `approximate_arrival_timestamp`,
 * `shard_id` (see docs/decoders.md).
 */
export const METADATA_COLUMNS = Object.freeze({
  key: '__key',
  sequenceNumber: '__metadata$sequenceNumber',
  arrivalTimestamp: '__metadata$apprxArrivalTimestamp',
  serializedValueSize: '__metadata$recordSerializedValueSize',
  shardId: '__metadata$shardId',
});

type MetadataField = keyof typeof METADATA_COLUMNS;

const ACCEPTED_TYPES: Readonly<Record<MetadataField, readonly DataType[]>> = {
  key: ['STRING', 'JSON', 'BYTES'],
  sequenceNumber: ['STRING', 'BIG_DECIMAL'],
  arrivalTimestamp: ['LONG', 'TIMESTAMP'],
  serializedValueSize: ['INT', 'LONG'],
  shardId: ['STRING'],
};

const NAMES: ReadonlySet<string> = new Set(Object.values(METADATA_COLUMNS));

/** True for `__key` and the `__metadata$...` columns. */
export function isMetadataColumn(name: string): boolean {
  return NAMES.has(name) || name.startsWith('__metadata$');
}

/** True when the stream config turns metadata columns on (`stream.<type>.metadata.populate` is `true`, any case). */
export function metadataPopulated(settings: DecoderSettings): boolean {
  return decoderProperty(settings, METADATA_POPULATE_KEY)?.trim().toLowerCase() === 'true';
}

/** What the decoder needs beyond the record: which shard it reads. */
export interface DecoderContext {
  /** The Kinesis shard id (`shardId-000000000001`) for `__metadata$shardId`; absent at validation. */
  readonly shardId?: string;
}

interface Slot {
  readonly index: number;
  readonly field: MetadataField;
  readonly type: DataType;
}

/**
 * Wraps a decoder so that the schema's metadata columns are filled from the message (and the shard
 * id given at creation) after the record is decoded, whatever the record format. Returns `decoder`
 * unchanged when populate is off or the schema declares none. Throws `STREAM_CONFIG` when a declared
 * metadata column has a type it cannot hold (a multi-value column or e.g. a BOOLEAN arrival time).
 *
 * @example
 *   const decoder = withMetadataColumns(inner, schema, settings, { shardId: 'shardId-000000000000' });
 */
export function withMetadataColumns(
  decoder: StreamMessageDecoder,
  schema: TableSchema,
  settings: DecoderSettings,
  context: DecoderContext = {},
): StreamMessageDecoder {
  if (!metadataPopulated(settings)) return decoder;
  const slots: Slot[] = [];
  for (const field of Object.keys(METADATA_COLUMNS) as MetadataField[]) {
    const name = METADATA_COLUMNS[field];
    const index = schema.columnIndex.get(name);
    if (index === undefined) continue;
    const column = schema.columns[index]!;
    if (!column.singleValue || !ACCEPTED_TYPES[field].includes(column.dataType)) {
      throw new ShardtableError('STREAM_CONFIG', {
        detail: `${decoderKey(settings, METADATA_POPULATE_KEY)}: schema column ${name} is ${column.singleValue ? '' : 'multi-value '}${column.dataType}; it must be a single-value ${ACCEPTED_TYPES[field].join(' or ')}`,
      });
    }
    slots.push({ index, field, type: column.dataType });
  }
  if (slots.length === 0) return decoder;
  return new MetadataDecoder(decoder, slots, context.shardId ?? null);
}

class MetadataDecoder implements StreamMessageDecoder {
  /** The inner decoder's source fields, passed through (ingestion transforms read them). */
  readonly decodeFields?: (message: StreamMessage) => DecodeFieldsResult;
  private readonly losses = new CoercionLosses('column');

  constructor(
    private readonly inner: StreamMessageDecoder,
    private readonly slots: readonly Slot[],
    private readonly shardId: string | null,
  ) {
    if (inner.decodeFields) this.decodeFields = (message) => inner.decodeFields!(message);
  }

  decode(message: StreamMessage): DecodeResult {
    const result = this.inner.decode(message);
    if (!result.ok) return result;
    const row = result.row;
    this.losses.reset();
    for (const slot of this.slots) {
      this.losses.at(METADATA_COLUMNS[slot.field]);
      try {
        row[slot.index] = this.value(slot, message);
      } catch (e) {
        return { ok: false, error: `record metadata ${METADATA_COLUMNS[slot.field]}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    // Metadata values (text, integer sizes, millis) fit their accepted types exactly; kept for the contract.
    const lossy = this.losses.take();
    return lossy === null || result.lossy !== undefined ? result : { ...result, lossy };
  }

  private value(slot: Slot, message: StreamMessage): CellValue | null {
    switch (slot.field) {
      case 'key':
        return slot.type === 'BYTES' ? new Uint8Array(Buffer.from(message.key, 'utf8')) : coerceScalar(slot.type, message.key, this.losses);
      case 'sequenceNumber':
        return message.offset.toString();
      case 'arrivalTimestamp':
        return Number.isFinite(message.arrivalTimeMs) ? BigInt(Math.trunc(message.arrivalTimeMs)) : null;
      case 'serializedValueSize':
        return coerceScalar(slot.type, message.serializedSize, this.losses);
      case 'shardId':
        return this.shardId;
    }
  }
}
