import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { ShardtableError } from '../../../../src/errors.js';
import {
  createDecoder,
  resolveDecoderName,
  supportedDecoderNames,
} from '../../../../src/plugins/decoder/registry.js';
import { kinesisSettings } from '../../../helpers/decoder-settings.js';

const schema = buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 'a', dataType: 'STRING' }] });
const offset = { compareTo: () => 0, toString: () => '1' };

describe('decoder registry', () => {
  it('creates the JSON decoder by short name and by Pinot class name', () => {
    for (const name of ['json', 'JSON', 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder', 'org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder']) {
      const decoder = createDecoder(name, schema, kinesisSettings());
      const value = new TextEncoder().encode('{"a":"x"}');
      expect(decoder.decode({ key: 'k', value, offset, arrivalTimeMs: 0, serializedSize: value.length })).toEqual({ ok: true, row: ['x'] });
    }
  });

  it('maps Pinot class names to short names', () => {
    expect(resolveDecoderName('org.apache.pinot.plugin.inputformat.avro.SimpleAvroMessageDecoder')).toBe('avro');
    expect(resolveDecoderName('org.apache.pinot.plugin.inputformat.csv.CSVMessageDecoder')).toBe('csv');
    expect(resolveDecoderName('com.example.Nope')).toBeUndefined();
    expect(supportedDecoderNames()).toContain('json');
  });

  it('refuses an unknown decoder with a 400 naming the config key and the supported decoders', () => {
    let caught: unknown;
    try {
      createDecoder('com.example.ProtobufDecoder', schema, kinesisSettings());
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ShardtableError);
    const error = caught as ShardtableError;
    expect(error.status).toBe(400);
    expect(error.errorName).toBe('STREAM_CONFIG');
    expect(error.message).toContain('stream.kinesis.decoder.class.name "com.example.ProtobufDecoder" is not a known decoder');
    expect(error.message).toContain('supported: json');
  });

  it('builds every decoder it names, and each factory checks its own properties', () => {
    expect(supportedDecoderNames().sort()).toEqual(['avro', 'csv', 'dynamodb-kinesis', 'json', 'raw']);
    expect(() => createDecoder('dynamodb-kinesis', schema, kinesisSettings())).toThrow(/the dynamodb-kinesis decoder fills a STRING column _id/);
    expect(() => createDecoder('avro', schema, kinesisSettings())).toThrow(/stream\.kinesis\.decoder\.prop\.schema: the Avro decoder needs the writer schema/);
    expect(createDecoder('csv', schema, kinesisSettings())).toBeDefined();
    expect(createDecoder('raw', schema, kinesisSettings())).toBeDefined();
  });

  it('refuses Pinot decoders that need a schema registry', () => {
    expect(() => createDecoder('org.apache.pinot.plugin.inputformat.avro.KafkaAvroMessageDecoder', schema, kinesisSettings())).toThrow(/is not a known decoder/);
  });
});
