import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../../../../src/config/index.js';
import { avroTypeFor, createAvroDecoder, crc64AvroBytes } from '../../../../../src/plugins/decoder/avro/index.js';
import { createJsonDecoder } from '../../../../../src/plugins/decoder/json/index.js';
import type { DecodedRow } from '../../../../../src/spi/decoder.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';

const AIRLINE = join(process.cwd(), '..', 'shared', 'pinot-conformance', 'airline');
const offset = { compareTo: () => 0, toString: () => '1' };

function message(bytes: Uint8Array): StreamMessage {
  return { key: 'k', value: bytes, offset, arrivalTimeMs: 0, serializedSize: bytes.length };
}

/** The records of an Avro object container file, in file order. */
function readContainer(path: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const records: Record<string, unknown>[] = [];
    avro
      .createFileDecoder(path)
      .on('data', (r: Record<string, unknown>) => records.push(r))
      .on('error', reject)
      .on('end', () => resolve(records));
  });
}

describe('Avro decoder on the airlineStats conformance data', () => {
  const writerSchemaText = readFileSync(join(AIRLINE, 'airlineStats_data.avro-schema.json'), 'utf8');
  const schema = buildTableSchema(validateSchema(JSON.parse(readFileSync(join(AIRLINE, 'airlineStats_schema.json'), 'utf8')) as unknown));
  let records: Record<string, unknown>[] = [];
  let jsonLines: string[] = [];

  beforeAll(async () => {
    records = await readContainer(join(AIRLINE, 'airlineStats_data.avro'));
    jsonLines = readFileSync(join(AIRLINE, 'airlineStats_data.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  });

  it('decodes every record (re-encoded as plain Avro binary) to the row the JSON decoder gives for the same record', () => {
    expect(records.length).toBe(jsonLines.length);
    expect(records.length).toBeGreaterThan(9000);
    const writerType = avroTypeFor(JSON.parse(writerSchemaText) as unknown);
    const avroDecoder = createAvroDecoder(schema, { 'stream.kinesis.decoder.prop.schema': writerSchemaText });
    const jsonDecoder = createJsonDecoder(schema);
    const encoder = new TextEncoder();
    let nonNullMultiValue = 0;
    for (let i = 0; i < records.length; i++) {
      const fromAvro = avroDecoder.decode(message(new Uint8Array(writerType.toBuffer(records[i]))));
      const fromJson = jsonDecoder.decode(message(encoder.encode(jsonLines[i]!)));
      if (!fromAvro.ok || !fromJson.ok) throw new Error(`record ${i}: ${fromAvro.ok ? '' : fromAvro.error} ${fromJson.ok ? '' : fromJson.error}`);
      expect(fromAvro.row, `record ${i}`).toEqual(fromJson.row);
      nonNullMultiValue += (fromAvro.row as DecodedRow).filter((c) => Array.isArray(c)).length;
    }
    expect(nonNullMultiValue).toBeGreaterThan(0);
  });

  it('decodes the same records framed as Confluent and single-object', () => {
    const writerType = avroTypeFor(JSON.parse(writerSchemaText) as unknown);
    const decoder = createAvroDecoder(schema, { 'stream.kinesis.decoder.prop.schema': writerSchemaText });
    const plain = decoder.decode(message(new Uint8Array(writerType.toBuffer(records[0]))));
    const body = writerType.toBuffer(records[0]);
    const confluent = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), body]);
    expect(decoder.decode(message(new Uint8Array(confluent)))).toEqual(plain);
    const fingerprint = crc64AvroBytes(JSON.stringify(writerType.schema()));
    const singleObject = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprint, body]);
    expect(decoder.decode(message(new Uint8Array(singleObject)))).toEqual(plain);
  });
});
