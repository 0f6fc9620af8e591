import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import { ShardtableError } from '../errors.js';
import { createRecordPipeline } from '../ingest/record-pipeline.js';
import type { FieldReader, RecordPipelineParts } from '../ingest/record-pipeline.js';
import { streamOfShard } from '../ingest/resolved-table.js';
import type { ResolvedStream, ResolvedTable } from '../ingest/resolved-table.js';
import { createJsonDecoder } from '../plugins/decoder/json/index.js';
import { readJsonFields } from '../plugins/decoder/json/json-fields.js';
import { withMetadataColumns } from '../plugins/decoder/metadata-columns.js';
import { createFormatDecoder } from '../plugins/decoder/registry.js';
import { bindStream } from '../plugins/stream/registry.js';
import type { DecoderSettings, StreamMessageDecoder } from '../spi/decoder.js';
import { compileIngestionTransforms, needsSourceFields, TransformConfigError } from '../transform/index.js';
import type { IngestionTransforms } from '../transform/index.js';
import type { DimTableResolver } from '../query/embedded-expression.js';

/**
 * Admission's second half: everything in a validated table config that needs a plugin or the
 * expression compiler, parsed, built and compiled once: the stream bound to its plugin (its keys
 * checked), the decoder (its properties checked), the transforms and filter compiled. Throws
 * `STREAM_CONFIG` or `INVALID_TABLE_CONFIG` naming the field, before anything is stored, so a bad
 * key is a 400 at `POST /tables` rather than a table that fails to start.
 *
 * @example const table = resolveTable(schema, validateTableConfig(json, schema));
 */
export function resolveTable(schema: TableSchema, config: TableConfig, dimTables?: DimTableResolver): ResolvedTable {
  const transforms = compileTransforms(schema, config, dimTables);
  const coerce = transforms === null ? null : createJsonDecoder(schema);
  const streams = config.streams.map((streamConfig): ResolvedStream => {
    const stream = bindStream(streamConfig, { tableName: config.tableName, table: { config, schema } });
    const { decoderName, properties } = streamConfig;
    const settings: DecoderSettings = Object.freeze({ keyPrefix: stream.plugin.keyPrefix, properties });
    // Built once; each partition wraps it to fill the record metadata columns with its own id.
    const decoder = createFormatDecoder(decoderName, schema, settings);
    // Wrapping once here checks the metadata columns' types, so a wrong one is a 400 at admission.
    withMetadataColumns(decoder, schema, settings);
    const readFields = transforms === null ? null : fieldReader(decoderName, decoder);
    return Object.freeze({
      topicName: streamConfig.topicName,
      stream,
      pipelineFor(shardId: string) {
        const parts: RecordPipelineParts = {
          schema,
          decoder: withMetadataColumns(decoder, schema, settings, { shardId }),
          ...(transforms !== null && readFields !== null && coerce !== null
            ? { transforming: { transforms, readFields, coerce: withMetadataColumns(coerce, schema, settings, { shardId }) } }
            : {}),
        };
        return createRecordPipeline(parts);
      },
    });
  });
  return Object.freeze({
    schema,
    config,
    stream: streams[0]!.stream,
    streams: Object.freeze(streams),
    // A partition of stream k > 0 carries `<topic>/<shardId>` (docs/exactly-once.md, "Several streams").
    pipelineFor: (shardId: string) => streamOfShard(streams, shardId).pipelineFor(shardId),
  });
}

/** Compiles transforms, filter and flattening; null when the table has none. */
function compileTransforms(schema: TableSchema, config: TableConfig, dimTables: DimTableResolver | undefined): IngestionTransforms | null {
  if (!needsSourceFields(config.ingestion)) return null;
  try {
    return compileIngestionTransforms(schema, config.ingestion!, dimTables);
  } catch (err) {
    if (err instanceof ShardtableError) throw err;
    const detail = err instanceof TransformConfigError ? err.message : `ingestionConfig: ${err instanceof Error ? err.message : String(err)}`;
    throw new ShardtableError('INVALID_TABLE_CONFIG', { detail });
  }
}

/**
 * Transforms read the record's own fields: JSON records always expose them, other formats only
 * through the decoder's `decodeFields` (docs/ingestion.md).
 */
function fieldReader(decoderName: string, decoder: StreamMessageDecoder): FieldReader {
  if (decoder.decodeFields) return (message) => decoder.decodeFields!(message);
  if (decoderName === 'json') return readJsonFields;
  throw new ShardtableError('INVALID_TABLE_CONFIG', {
    detail: `ingestionConfig: transformConfigs, filterConfig and complexTypeConfig need a decoder that exposes the record's fields; the ${decoderName} decoder does not (json does)`,
  });
}
