import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../../../../src/config/index.js';
import { resolveTable } from '../../../../../src/table/table-resolution.js';
import { avroTypeFor, createAvroDecoder, crc64AvroBytes } from '../../../../../src/plugins/decoder/avro/index.js';
import { createJsonDecoder } from '../../../../../src/plugins/decoder/json/index.js';
import type { DecodedRow } from '../../../../../src/spi/decoder.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../../helpers/decoder-settings.js';

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
    const avroDecoder = createAvroDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.schema': writerSchemaText }));
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

  it('feeds ingestion transforms: the airline config\'s fromEpochDays columns equal the JSON path', () => {
    const table = JSON.parse(readFileSync(join(AIRLINE, 'airlineStats_realtime_table_config.json'), 'utf8')) as Record<string, any>;
    const props = { 'stream.kinesis.decoder.prop.schema': writerSchemaText };
    const streamConfigs = (avroProps: Record<string, string>) => ({
      streamType: 'kinesis',
      'stream.kinesis.topic.name': 'airline',
      'stream.kinesis.decoder.class.name': avroProps['stream.kinesis.decoder.prop.schema'] ? 'avro' : 'json',
      ...avroProps,
    });
    const configFor = (avroProps: Record<string, string>) => {
      const json = structuredClone(table);
      json.tableIndexConfig = { ...(json.tableIndexConfig ?? {}), streamConfigs: streamConfigs(avroProps) };
      delete json.ingestionConfig?.streamIngestionConfig;
      return validateTableConfig(json, schema);
    };
    const avroConfig = configFor(props);
    expect(avroConfig.ingestion?.transforms.length ?? 0).toBeGreaterThan(0);
    const avroPipeline = resolveTable(schema, avroConfig).pipelineFor('shardId-000000000000');
    const jsonPipeline = resolveTable(schema, configFor({})).pipelineFor('shardId-000000000000');
    const writerType = avroTypeFor(JSON.parse(writerSchemaText) as unknown);
    const encoder = new TextEncoder();
    const ts = schema.columnIndex.get('ts')!;
    for (let i = 0; i < 500; i++) {
      const fromAvro = avroPipeline.process(message(new Uint8Array(writerType.toBuffer(records[i]))));
      const fromJson = jsonPipeline.process(message(encoder.encode(jsonLines[i]!)));
      if (!fromAvro.ok || !fromJson.ok) throw new Error(`record ${i}: ${fromAvro.ok ? '' : fromAvro.error} ${fromJson.ok ? '' : fromJson.error}`);
      expect(fromAvro.rows, `record ${i}`).toEqual(fromJson.rows);
      expect(fromAvro.rows[0]![ts]).toBe(BigInt(Number(records[i]!.DaysSinceEpoch) * 86_400_000));
    }
  });

  it('decodes the same records framed as Confluent and single-object', () => {
    const writerType = avroTypeFor(JSON.parse(writerSchemaText) as unknown);
    const decoder = createAvroDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.schema': writerSchemaText }));
    const plain = decoder.decode(message(new Uint8Array(writerType.toBuffer(records[0]))));
    const body = writerType.toBuffer(records[0]);
    const confluent = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), body]);
    expect(decoder.decode(message(new Uint8Array(confluent)))).toEqual(plain);
    const fingerprint = crc64AvroBytes(JSON.stringify(writerType.schema()));
    const singleObject = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprint, body]);
    expect(decoder.decode(message(new Uint8Array(singleObject)))).toEqual(plain);
  });
});
