/**
 * TEST ONLY. Decoder settings for a Kinesis table: the `stream.kinesis.` key prefix over the given
 * stream config map, as the table config hands them to the decoder registry.
 */
import type { DecoderSettings } from '../../src/spi/decoder.js';

/**
 * @example createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.header': 'id,name' }))
 */
export function kinesisSettings(properties: Readonly<Record<string, string>> = {}): DecoderSettings {
  return { keyPrefix: 'stream.kinesis.', properties };
}
