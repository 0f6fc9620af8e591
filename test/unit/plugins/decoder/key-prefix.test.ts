import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { createCsvDecoder } from '../../../../src/plugins/decoder/csv/index.js';
import { createRawDecoder } from '../../../../src/plugins/decoder/raw/index.js';
import { createDecoder } from '../../../../src/plugins/decoder/registry.js';
import type { DecoderSettings } from '../../../../src/spi/decoder.js';
import type { StreamMessage } from '../../../../src/spi/message-batch.js';

// A second stream type reuses the decoders: every key is read under its own prefix and every
// error names the key the user wrote. Kinesis keys in the same map are not read.

const offset = { compareTo: () => 0, toString: () => '42' };

function message(value: string, key = 'pk-1'): StreamMessage {
  const bytes = new TextEncoder().encode(value);
  return { key, value: bytes, offset, arrivalTimeMs: 1_700_000_000_000, serializedSize: bytes.length };
}

function dynamodb(properties: Record<string, string>): DecoderSettings {
  return { keyPrefix: 'stream.dynamodb.', properties: { streamType: 'dynamodb', ...properties } };
}

function thrown(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected the decoder to refuse its settings');
}

const schema = buildTableSchema({
  schemaName: 'ddb',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'name', dataType: 'STRING' },
    { name: 'n', dataType: 'INT' },
    { name: '__key', dataType: 'STRING' },
  ],
});

describe('decoders under the stream.dynamodb. key prefix', () => {
  it('CSV reads stream.dynamodb.decoder.prop.* and ignores the stream.kinesis.* keys', () => {
    const decoder = createCsvDecoder(
      schema,
      dynamodb({
        'stream.dynamodb.decoder.prop.header': 'name,id',
        'stream.dynamodb.decoder.prop.delimiter': '|',
        'stream.kinesis.decoder.prop.header': 'id,name',
        'stream.kinesis.decoder.prop.delimiter': ';',
      }),
    );
    expect(decoder.decode(message('ann|7'))).toEqual({ ok: true, row: [7n, 'ann', null, null] });
  });

  it('CSV names the stream.dynamodb. key in its errors', () => {
    expect(thrown(() => createCsvDecoder(schema, dynamodb({ 'stream.dynamodb.decoder.prop.delimiter': '||' })))).toContain(
      'stream.dynamodb.decoder.prop.delimiter: must be a single character',
    );
    expect(thrown(() => createCsvDecoder(schema, dynamodb({ 'stream.dynamodb.decoder.prop.header': 'id,id' })))).toContain(
      'stream.dynamodb.decoder.prop.header: column "id" appears twice',
    );
  });

  it('raw reads stream.dynamodb.decoder.prop.column and names it, or decoder.class.name, in its errors', () => {
    const decoder = createRawDecoder(schema, dynamodb({ 'stream.dynamodb.decoder.prop.column': 'name', 'stream.kinesis.decoder.prop.column': 'nope' }));
    expect(decoder.decode(message('{"NewImage":{}}'))).toEqual({ ok: true, row: [null, '{"NewImage":{}}', null, null] });
    expect(thrown(() => createRawDecoder(schema, dynamodb({ 'stream.dynamodb.decoder.prop.column': 'nope' })))).toContain(
      'stream.dynamodb.decoder.prop.column: schema ddb has no column "nope"',
    );
    // The default column (the first, a LONG) cannot hold the record: the message points at the decoder choice.
    const why = thrown(() => createRawDecoder(schema, dynamodb({})));
    expect(why).toContain('stream.dynamodb.decoder.class.name: the raw decoder stores the record in column id, which is LONG');
    expect(why).toContain('(name another with stream.dynamodb.decoder.prop.column)');
  });

  it('the registry names stream.dynamodb.decoder.class.name for an unknown decoder, and Avro its schema key', () => {
    expect(thrown(() => createDecoder('com.example.Nope', schema, dynamodb({})))).toContain('stream.dynamodb.decoder.class.name "com.example.Nope" is not a known decoder');
    expect(thrown(() => createDecoder('avro', schema, dynamodb({})))).toContain(
      'stream.dynamodb.decoder.prop.schema: the Avro decoder needs the writer schema: set stream.dynamodb.decoder.prop.schema (schema JSON) or stream.dynamodb.decoder.prop.schema.file',
    );
  });

  it('record metadata is turned on by stream.dynamodb.metadata.populate only, and its errors name that key', () => {
    const on = dynamodb({ 'stream.dynamodb.metadata.populate': 'true' });
    expect(createDecoder('json', schema, on).decode(message('{"id":1,"__key":"from-record"}'))).toEqual({ ok: true, row: [1n, null, null, 'pk-1'] });
    const kinesisKeyOnly = dynamodb({ 'stream.kinesis.metadata.populate': 'true' });
    expect(createDecoder('json', schema, kinesisKeyOnly).decode(message('{"id":1,"__key":"from-record"}'))).toEqual({
      ok: true,
      row: [1n, null, null, 'from-record'],
    });
    const bad = buildTableSchema({ schemaName: 'b', dimensionFieldSpecs: [{ name: 'x', dataType: 'STRING' }, { name: '__key', dataType: 'INT' }] });
    expect(thrown(() => createDecoder('json', bad, on))).toContain('stream.dynamodb.metadata.populate: schema column __key is INT; it must be a single-value STRING or JSON or BYTES');
  });
});
