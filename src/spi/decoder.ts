import type { CellValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { StreamMessage } from './message-batch.js';

/**
 * A decoded row: one cell per schema column, in schema column order. `null` means the record had
 * no value for that column; the consuming segment stores the column's default null value and
 * marks the cell null.
 */
export type DecodedRow = (CellValue | null)[];

/**
 * The outcome of decoding one record: a row, or why there is none.
 *
 * `lossy` is present when the row holds a value changed to fit its column by Pinot's lenient
 * conversion (`1.5` into INT stored as 1, `true` as 1, `"NaN"` into DOUBLE as null, `1e400` as
 * Infinity; the full list is in docs/decoders.md). It names the record's first such value:
 * `field "id": lossy coercion of 1.5 to INT (fraction dropped: stored 1)`. The decoder does not
 * judge: the partition does, by the table's bad-record policy — `fail` treats the record as a
 * record error (the partition stops at it); `skip` and `deadLetter` index the row and count it in
 * `recordsWithLossyCoercion`. Absent when every value was stored as the record gave it.
 */
export type DecodeResult = { ok: true; row: DecodedRow; lossy?: string } | { ok: false; error: string };

/**
 * Turns record bytes into a row of the table's schema (Pinot's `StreamMessageDecoder`).
 * Built by a {@link DecoderFactory} registered by name in `src/plugins/decoder/registry.ts`.
 *
 * Contract: `decode` never throws. A record that cannot be decoded returns `{ ok: false, error }`
 * with a message naming the field and the problem; the ingestion loop counts it and moves on.
 * Values are coerced to the column's type as Pinot does (a numeric string into an INT column is
 * accepted); a value that cannot be coerced makes the record an error; a value Pinot's conversion
 * keeps only by changing it is stored Pinot's way and reported in `DecodeResult.lossy`.
 *
 * @example
 *   const result = decoder.decode(message);
 *   if (result.ok) segment.index(result.row);
 */
export interface StreamMessageDecoder {
  decode(message: StreamMessage): DecodeResult;
  /**
   * Optional: every field of the record by name (not only schema columns), for tables with
   * transforms, a filter or complex types (`src/ingest/record-pipeline.ts`). Values as the format
   * delivers them (nested objects and arrays included); never throws. The JSON format is read by
   * the pipeline itself; a decoder without this method cannot serve such tables.
   */
  decodeFields?(message: StreamMessage): DecodeFieldsResult;
}

/** The outcome of reading a record's source fields. */
export type DecodeFieldsResult = { ok: true; fields: Record<string, unknown> } | { ok: false; error: string };

/**
 * What a decoder is built from: the table's stream config and the key prefix of its stream type.
 * Decoder keys are named by suffix (`decoder.prop.header`, `metadata.populate`...) and read under
 * the stream type's own prefix, so one decoder serves every stream type: a Kinesis table sets
 * `stream.kinesis.decoder.prop.header`, a DynamoDB table `stream.dynamodb.decoder.prop.header`.
 * Error messages name the full key with the table's prefix ({@link decoderKey}).
 *
 * @example
 *   const settings: DecoderSettings = { keyPrefix: 'stream.kinesis.', properties: config.stream.properties };
 *   decoderProperty(settings, 'decoder.prop.header'); // properties['stream.kinesis.decoder.prop.header']
 */
export interface DecoderSettings {
  /** The stream type's own key prefix, `stream.<type>.` with the trailing dot (`stream.kinesis.`). */
  readonly keyPrefix: string;
  /** The table's whole stream config map (Pinot's `streamConfigs`), keys in full. */
  readonly properties: Readonly<Record<string, string>>;
}

/** Key suffix naming the decoder (a short name or a Pinot decoder class name). */
export const DECODER_CLASS_NAME_KEY = 'decoder.class.name';

/**
 * The full key for a decoder key suffix, as error messages name it.
 *
 * @example decoderKey({ keyPrefix: 'stream.kinesis.', properties: {} }, 'decoder.prop.column') // 'stream.kinesis.decoder.prop.column'
 */
export function decoderKey(settings: DecoderSettings, suffix: string): string {
  return settings.keyPrefix + suffix;
}

/** The value of the decoder key with this suffix, or `undefined` when the table does not set it. */
export function decoderProperty(settings: DecoderSettings, suffix: string): string | undefined {
  return settings.properties[decoderKey(settings, suffix)];
}

/**
 * Builds a decoder for one table's schema from its settings. Throws `STREAM_CONFIG` naming the
 * full key when a setting is wrong (missing Avro schema, bad delimiter...); it is called when a
 * table config is validated, so the error reaches the user at `POST /tables`.
 */
export type DecoderFactory = (schema: TableSchema, settings: DecoderSettings) => StreamMessageDecoder;
