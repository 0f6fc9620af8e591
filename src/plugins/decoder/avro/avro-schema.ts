import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Type } from 'avsc';
import { ShardtableError } from '../../../errors.js';
import type { DecoderSettings } from '../../../spi/decoder.js';
import { decoderKey, decoderProperty } from '../../../spi/decoder.js';
import { crc64AvroBytes } from './crc64-avro.js';

/** Key suffix: inline writer schema (JSON text), as Pinot's `SimpleAvroMessageDecoder` takes it. */
export const AVRO_SCHEMA_KEY = 'decoder.prop.schema';
/** Key suffix: writer schema file, absolute or relative to the shardtable `schemas/` directory. */
export const AVRO_SCHEMA_FILE_KEY = 'decoder.prop.schema.file';

/**
 * Avro `long` read as an exact `bigint` (LONG is exact 64-bit end to end); avsc's default reads a
 * JS number and throws beyond 2^53.
 */
const BIGINT_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as string | number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** Parses an Avro schema (JSON value) into an avsc type that reads longs as bigint. Throws avsc's error. */
export function avroTypeFor(schema: unknown): Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: BIGINT_LONG },
    // `{"type": "long", "logicalType": ...}` does not go through the registry.
    typeHook: (s) => (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long' ? BIGINT_LONG : undefined),
    wrapUnions: 'auto',
  });
}

/** A writer schema ready to decode with, and its single-object-encoding fingerprint. */
export interface WriterSchema {
  readonly type: Type;
  /** CRC-64-AVRO of the schema's Parsing Canonical Form, little-endian (single-object header bytes 2..9). */
  readonly fingerprint: Uint8Array;
  /** Where the schema came from, for messages: `inline` or the file path. */
  readonly source: string;
}

/** The directory holding `package.json` of shardtable (from `src/...` or `dist/src/...`). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Where a `schema.file` value points: absolute paths as given, others under `<repo>/schemas/`. */
export function resolveSchemaFile(file: string): string {
  return isAbsolute(file) ? file : resolve(packageRoot(), 'schemas', file);
}

function configError(key: string, problem: string): ShardtableError {
  return new ShardtableError('STREAM_CONFIG', { detail: `${key}: ${problem}` });
}

/**
 * Loads the writer schema from the settings: inline `stream.<type>.decoder.prop.schema` or
 * `...decoder.prop.schema.file` (not both). Throws `STREAM_CONFIG` (400) naming the key when the
 * schema is missing, not JSON, not a valid Avro schema, not a record, or the file cannot be read.
 *
 * @example
 *   loadWriterSchema({ keyPrefix: 'stream.kinesis.', properties: { 'stream.kinesis.decoder.prop.schema': '{"type":"record",...}' } })
 */
export function loadWriterSchema(settings: DecoderSettings): WriterSchema {
  const schemaKey = decoderKey(settings, AVRO_SCHEMA_KEY);
  const fileKey = decoderKey(settings, AVRO_SCHEMA_FILE_KEY);
  const inline = decoderProperty(settings, AVRO_SCHEMA_KEY)?.trim() ?? '';
  const file = decoderProperty(settings, AVRO_SCHEMA_FILE_KEY)?.trim() ?? '';
  if (inline !== '' && file !== '') {
    throw configError(schemaKey, `give the Avro writer schema either inline or as ${fileKey}, not both`);
  }
  if (inline === '' && file === '') {
    throw configError(schemaKey, `the Avro decoder needs the writer schema: set ${schemaKey} (schema JSON) or ${fileKey} (a .avsc file under schemas/ or an absolute path)`);
  }
  const key = inline !== '' ? schemaKey : fileKey;
  let text = inline;
  let source = 'inline';
  if (file !== '') {
    const path = resolveSchemaFile(file);
    source = path;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw configError(key, `cannot read Avro schema file ${path} (${code})`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw configError(key, `the Avro schema${file !== '' ? ` in ${source}` : ''} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  let type: Type;
  try {
    type = avroTypeFor(json);
  } catch (e) {
    throw configError(key, `invalid Avro schema: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (type.typeName !== 'record') {
    throw configError(key, `the Avro writer schema must be a record (its fields map to columns), got ${type.typeName}`);
  }
  return Object.freeze({ type, fingerprint: crc64AvroBytes(JSON.stringify(type.schema())), source });
}
