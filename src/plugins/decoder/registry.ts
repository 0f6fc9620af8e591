import type { TableSchema } from '../../config/schema.js';
import type { DecoderFactory, DecoderSettings, StreamMessageDecoder } from '../../spi/decoder.js';
import { DECODER_CLASS_NAME_KEY, decoderKey } from '../../spi/decoder.js';
import { decoderNameFor } from '../../config/stream-config.js';
import { ShardtableError } from '../../errors.js';
import { createAvroDecoder } from './avro/index.js';
import { createCsvDecoder } from './csv/index.js';
import { createDynamoDbKinesisDecoder } from './dynamodb-kinesis/index.js';
import { createJsonDecoder } from './json/index.js';
import { withMetadataColumns } from './metadata-columns.js';
import type { DecoderContext } from './metadata-columns.js';
import { createRawDecoder } from './raw/index.js';

export type { DecoderContext } from './metadata-columns.js';

/** Built-in decoders by short name. */
const DECODERS: ReadonlyMap<string, DecoderFactory> = new Map<string, DecoderFactory>([
  ['json', (schema) => createJsonDecoder(schema)],
  ['avro', createAvroDecoder],
  ['csv', createCsvDecoder],
  ['raw', createRawDecoder],
  ['dynamodb-kinesis', createDynamoDbKinesisDecoder],
]);

/** The short names of the decoders this build provides. */
export function supportedDecoderNames(): string[] {
  return [...DECODERS.keys()];
}

/**
 * The short decoder name for a short name or a Pinot decoder class name, or `undefined` when it
 * names nothing known. The class-name mapping lives with the stream config (`decoderNameFor`);
 * knowing a name does not mean it is built yet: {@link createDecoder} decides that.
 *
 * @example resolveDecoderName('org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder') // 'json'
 */
export function resolveDecoderName(nameOrClass: string): string | undefined {
  const resolved = decoderNameFor(nameOrClass);
  return 'name' in resolved ? resolved.name : undefined;
}

/**
 * Creates the decoder `name` (a short name such as `json`, or a Pinot decoder class name) for a
 * table schema, without record metadata columns: table admission builds it once per table and
 * wraps it per partition with `withMetadataColumns`. Keys are read under `settings.keyPrefix`
 * (`stream.kinesis.` for Kinesis tables). Throws `STREAM_CONFIG` (HTTP 400) naming
 * `stream.<type>.decoder.class.name` and the supported decoders when the name is unknown or not
 * built yet, or naming the decoder key that is wrong, so the error reaches the user at
 * `POST /tables`.
 *
 * @example
 *   const settings = { keyPrefix: 'stream.kinesis.', properties: tableConfig.stream.properties };
 *   const decoder = createFormatDecoder('avro', schema, settings);
 */
export function createFormatDecoder(name: string, schema: TableSchema, settings: DecoderSettings): StreamMessageDecoder {
  const resolved = resolveDecoderName(name);
  const factory = resolved === undefined ? undefined : DECODERS.get(resolved);
  if (factory === undefined) {
    const supported = supportedDecoderNames().join(', ');
    const why = resolved === undefined ? 'is not a known decoder' : `names the ${resolved} decoder, which this build does not provide yet`;
    throw new ShardtableError('STREAM_CONFIG', {
      detail: `${decoderKey(settings, DECODER_CLASS_NAME_KEY)} ${JSON.stringify(name)} ${why}; supported: ${supported}`,
    });
  }
  return factory(schema, settings);
}

/**
 * {@link createFormatDecoder} wrapped to fill record metadata columns (`__key`, `__metadata$...`)
 * when `stream.<type>.metadata.populate` is true; `context.shardId` fills `__metadata$shardId`.
 *
 * @example const decoder = createDecoder('json', schema, settings, { shardId });
 */
export function createDecoder(
  name: string,
  schema: TableSchema,
  settings: DecoderSettings,
  context: DecoderContext = {},
): StreamMessageDecoder {
  return withMetadataColumns(createFormatDecoder(name, schema, settings), schema, settings, context);
}
