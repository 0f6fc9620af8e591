import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import { ShardtableError } from '../errors.js';
import { createJsonDecoder } from '../plugins/decoder/json/index.js';
import { withMetadataColumns } from '../plugins/decoder/metadata-columns.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../plugins/decoder/json/json-depth.js';
import type { DecodedRow, DecodeFieldsResult, StreamMessageDecoder } from '../spi/decoder.js';
import type { StreamMessage } from '../spi/message-batch.js';
import { applyIngestionTransforms, compileIngestionTransforms, needsSourceFields } from './transform/index.js';
import type { IngestionTransforms, SourceRecord } from './transform/index.js';

/**
 * What one stream record became: rows to index (one per unnested element; none when the filter
 * dropped it), or why it has none. Every row of one record carries that record's offset.
 */
export type RecordOutcome = { readonly ok: true; readonly rows: readonly DecodedRow[] } | { readonly ok: false; readonly error: string };

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

/**
 * Builds a table's pipeline. Throws `INVALID_TABLE_CONFIG` when the config needs source fields
 * and the decoder cannot provide them, or when an expression does not compile.
 *
 * @example const outcome = createRecordPipeline(schema, config, decoder).process(message);
 */
export function createRecordPipeline(schema: TableSchema, config: TableConfig, decoder: StreamMessageDecoder, context: { readonly shardId?: string } = {}): RecordPipeline {
  const settings = config.ingestion;
  if (!needsSourceFields(settings)) {
    return {
      process: (message) => {
        const decoded = decoder.decode(message);
        return decoded.ok ? { ok: true, rows: [decoded.row] } : decoded;
      },
    };
  }
  const readFields = fieldReader(config.stream.decoderName, decoder);
  const transforms = compileIngestionTransforms(schema, settings!);
  // Record metadata columns (`__key`, `__metadata$…`) are filled as the table's decoder fills them.
  const coerce = withMetadataColumns(createJsonDecoder(schema), schema, { keyPrefix: `stream.${config.stream.streamType}.`, properties: config.stream.properties }, context);
  return new TransformingPipeline(readFields, transforms, schema, coerce);
}

type FieldReader = (message: StreamMessage) => DecodeFieldsResult;

function fieldReader(decoderName: string, decoder: StreamMessageDecoder): FieldReader {
  if (decoder.decodeFields) return (m) => decoder.decodeFields!(m);
  if (decoderName === 'json') return readJsonFields;
  throw new ShardtableError('INVALID_TABLE_CONFIG', {
    detail: `ingestionConfig: transformConfigs, filterConfig and complexTypeConfig need a decoder that exposes the record's fields; the ${decoderName} decoder does not (json does)`,
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON decoder's checks (UTF-8, nesting depth, one object per record), keeping every field. */
export function readJsonFields(message: StreamMessage): DecodeFieldsResult {
  let text: string;
  try {
    text = utf8.decode(message.value);
  } catch {
    return { ok: false, error: 'record is not valid UTF-8' };
  }
  if (exceedsJsonDepth(message.value, text, MAX_JSON_DEPTH)) return { ok: false, error: `record nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `record is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'record is not a JSON object' };
  return { ok: true, fields: parsed as Record<string, unknown> };
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
    for (const record of records) {
      const value = encoder.encode(destinationJson(record, this.columns));
      const decoded = this.coerce.decode({ ...message, value });
      if (!decoded.ok) return records.length > 1 ? { ok: false, error: `unnested row ${rows.length + 1} of ${records.length}: ${decoded.error}` } : decoded;
      rows.push(decoded.row);
    }
    return { ok: true, rows };
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
