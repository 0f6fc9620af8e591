import type { CellValue } from '../config/data-type.js';
import type { StreamMessage } from './message-batch.js';

/**
 * A decoded row: one cell per schema column, in schema column order. `null` means the record had
 * no value for that column; the consuming segment stores the column's default null value and
 * marks the cell null.
 */
export type DecodedRow = (CellValue | null)[];

/** The outcome of decoding one record: a row, or why there is none. */
export type DecodeResult = { ok: true; row: DecodedRow } | { ok: false; error: string };

/**
 * Turns record bytes into a row of the table's schema (Pinot's `StreamMessageDecoder`).
 * Registered by name in `src/plugins/decoder/registry.ts`.
 *
 * Contract: `decode` never throws. A record that cannot be decoded returns `{ ok: false, error }`
 * with a message naming the field and the problem; the ingestion loop counts it and moves on.
 * Values are coerced to the column's type as Pinot does (a numeric string into an INT column is
 * accepted); a value that cannot be coerced makes the record an error.
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
