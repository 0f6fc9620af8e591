import type { TableSchema } from '../../config/schema.js';
import type { StreamMessageDecoder } from '../../spi/decoder.js';
import { decoderNameFor } from '../../config/stream-config.js';
import { ShardtableError } from '../../errors.js';
import { createAvroDecoder } from './avro/index.js';
import { createCsvDecoder } from './csv/index.js';
import { createJsonDecoder } from './json/index.js';
import { withMetadataColumns } from './metadata-columns.js';
import type { DecoderContext } from './metadata-columns.js';
import { createRawDecoder } from './raw/index.js';

export type { DecoderContext } from './metadata-columns.js';

/**
 * Builds a decoder for one table's schema from its stream config properties. Throws `STREAM_CONFIG`
 * naming the property when the properties are wrong (missing Avro schema, bad delimiter...).
 */
export type DecoderFactory = (
  schema: TableSchema,
  properties: Readonly<Record<string, string>>,
) => StreamMessageDecoder;

/** Built-in decoders by short name. */
const DECODERS: ReadonlyMap<string, DecoderFactory> = new Map<string, DecoderFactory>([
  ['json', (schema) => createJsonDecoder(schema)],
  ['avro', createAvroDecoder],
  ['csv', createCsvDecoder],
  ['raw', createRawDecoder],
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
 * table schema, wrapped to fill record metadata columns (`__key`, `__metadata$...`) when
 * `stream.kinesis.metadata.populate` is true; `context.shardId` fills `__metadata$shardId`.
 * Throws `STREAM_CONFIG` (HTTP 400) naming `stream.kinesis.decoder.class.name` and the supported
 * decoders when the name is unknown or not built yet, or naming the decoder property that is wrong;
 * call it when a table config is validated so the error reaches the user at `POST /tables`.
 *
 * @example const decoder = createDecoder('json', schema, tableConfig.stream.properties, { shardId });
 */
export function createDecoder(
  name: string,
  schema: TableSchema,
  properties: Readonly<Record<string, string>>,
  context: DecoderContext = {},
): StreamMessageDecoder {
  const resolved = resolveDecoderName(name);
  const factory = resolved === undefined ? undefined : DECODERS.get(resolved);
  if (factory === undefined) {
    const supported = supportedDecoderNames().join(', ');
    const why = resolved === undefined ? 'is not a known decoder' : `names the ${resolved} decoder, which this build does not provide yet`;
    throw new ShardtableError('STREAM_CONFIG', {
      detail: `stream.kinesis.decoder.class.name ${JSON.stringify(name)} ${why}; supported: ${supported}`,
    });
  }
  return withMetadataColumns(factory(schema, properties), schema, properties, context);
}
