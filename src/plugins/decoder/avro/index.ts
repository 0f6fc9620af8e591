/** The Avro decoder plugin (Pinot's `SimpleAvroMessageDecoder`; short name `avro`). */
export { createAvroDecoder } from './avro-decoder.js';
export { AVRO_SCHEMA_KEY, AVRO_SCHEMA_FILE_KEY, avroTypeFor, loadWriterSchema, resolveSchemaFile } from './avro-schema.js';
export type { WriterSchema } from './avro-schema.js';
export { AVRO_FRAMING_KEY, AVRO_FRAMINGS, AvroFrameReader, parseFraming } from './avro-framing.js';
export type { AvroFraming } from './avro-framing.js';
export { crc64Avro, crc64AvroBytes } from './crc64-avro.js';
