import type { TableSchema } from '../config/schema.js';
import type { DecodedRow, DecodeFieldsResult, StreamMessageDecoder } from '../spi/decoder.js';
import type { StreamMessage } from '../spi/message-batch.js';
import { applyIngestionTransforms } from '../transform/index.js';
import type { IngestionTransforms, SourceRecord } from '../transform/index.js';

/**
 * What one stream record became: rows to index (one per unnested element; none when the filter
 * dropped it), or why it has none. Every row of one record carries that record's offset. `lossy`
 * names the record's first value changed to fit its column (`DecodeResult.lossy`); the indexer
 * applies the bad-record policy to it.
 */
export type RecordOutcome =
  | { readonly ok: true; readonly rows: readonly DecodedRow[]; readonly lossy?: string }
  | { readonly ok: false; readonly error: string };

/**
 * Record bytes → rows: decode → flatten/unnest → transforms → filter → coercion into the schema.
 * Never throws.
 *
 * Without transforms, filter or complex types it is the table's decoder alone. With them, the
 * record is first read into a field-name → value map (JSON: `JSON.parse`; other formats: the
 * decoder's `decodeFields`), transformed, and each resulting record is coerced into the schema by
 * the JSON decoder's rules, so a value is stored exactly as if it had arrived in the record.
 */
export interface RecordPipeline {
  process(message: StreamMessage): RecordOutcome;
}

/** Reads a record's source fields (`StreamMessageDecoder.decodeFields`, or the JSON reader). */
export type FieldReader = (message: StreamMessage) => DecodeFieldsResult;

/** What a partition's pipeline is built from; table admission makes the parts once per table. */
export interface RecordPipelineParts {
  readonly schema: TableSchema;
  /** The table's decoder for this partition (metadata columns filled for its shard). */
  readonly decoder: StreamMessageDecoder;
  /** Present when the table has transforms, a filter or complex types. */
  readonly transforming?: {
    readonly transforms: IngestionTransforms;
    /** Reads the record's own fields (the decoder's `decodeFields`, or the JSON reader). */
    readonly readFields: FieldReader;
    /** Coerces a transformed record (as JSON) into the schema, metadata columns filled. */
    readonly coerce: StreamMessageDecoder;
  };
}

/**
 * Builds one partition's pipeline from parts made once (no parsing or compiling here).
 *
 * @example const outcome = createRecordPipeline({ schema, decoder }).process(message);
 */
export function createRecordPipeline(parts: RecordPipelineParts): RecordPipeline {
  const { decoder, transforming } = parts;
  if (transforming === undefined) {
    return {
      process: (message) => {
        const decoded = decoder.decode(message);
        if (!decoded.ok) return decoded;
        return decoded.lossy === undefined ? { ok: true, rows: [decoded.row] } : { ok: true, rows: [decoded.row], lossy: decoded.lossy };
      },
    };
  }
  return new TransformingPipeline(transforming.readFields, transforming.transforms, parts.schema, transforming.coerce);
}

const encoder = new TextEncoder();

class TransformingPipeline implements RecordPipeline {
  private readonly columns: readonly string[];

  constructor(
    private readonly readFields: FieldReader,
    private readonly transforms: IngestionTransforms,
    schema: TableSchema,
    private readonly coerce: StreamMessageDecoder,
  ) {
    this.columns = schema.columns.map((c) => c.name);
  }

  process(message: StreamMessage): RecordOutcome {
    const fields = this.readFields(message);
    if (!fields.ok) return fields;
    let records: SourceRecord[];
    try {
      records = applyIngestionTransforms(this.transforms, fields.fields);
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const rows: DecodedRow[] = [];
    let lossy: string | undefined;
    for (const record of records) {
      const value = encoder.encode(destinationJson(record, this.columns));
      const decoded = this.coerce.decode({ ...message, value });
      const which = records.length > 1 ? `unnested row ${rows.length + 1} of ${records.length}: ` : '';
      if (!decoded.ok) return { ok: false, error: which + decoded.error };
      if (lossy === undefined && decoded.lossy !== undefined) lossy = which + decoded.lossy;
      rows.push(decoded.row);
    }
    return lossy === undefined ? { ok: true, rows } : { ok: true, rows, lossy };
  }
}

/** The schema columns of a record as JSON text, LONG values (bigint) written exactly. */
function destinationJson(record: SourceRecord, columns: readonly string[]): string {
  const parts: string[] = [];
  for (const name of columns) {
    const value = record[name];
    if (value === undefined || value === null) continue;
    parts.push(`${JSON.stringify(name)}:${jsonValue(value)}`);
  }
  return `{${parts.join(',')}}`;
}

function jsonValue(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('hex'));
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : jsonValue(v))).join(',')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
  return JSON.stringify(value) ?? 'null';
}
