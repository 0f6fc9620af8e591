import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import { createRawDecoder } from '../../../../../src/plugins/decoder/raw/index.js';
import { createDecoder } from '../../../../../src/plugins/decoder/registry.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../../helpers/decoder-settings.js';

const offset = { compareTo: () => 0, toString: () => '1' };

function message(value: string | Uint8Array): StreamMessage {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return { key: 'k', value: bytes, offset, arrivalTimeMs: 0, serializedSize: bytes.length };
}

const schema = buildTableSchema({
  schemaName: 'raw',
  dimensionFieldSpecs: [
    { name: 'kinesis_data', dataType: 'STRING' },
    { name: 'payload', dataType: 'BYTES' },
    { name: 'doc', dataType: 'JSON' },
    { name: 'n', dataType: 'INT' },
  ],
});

describe('raw decoder', () => {
  it('stores the whole record as UTF-8 text in the first column by default', () => {
    const decoder = createDecoder('raw', schema, kinesisSettings());
    expect(decoder.decode(message('héllo, {"not": parsed}'))).toEqual({ ok: true, row: ['héllo, {"not": parsed}', null, null, null] });
  });

  it('stores the bytes as they are in a BYTES column named by the column property', () => {
    const decoder = createRawDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.column': 'payload' }));
    const bytes = new Uint8Array([0, 0xff, 0xc3, 0x28]);
    const result = decoder.decode(message(bytes));
    expect(result).toEqual({ ok: true, row: [null, new Uint8Array([0, 0xff, 0xc3, 0x28]), null, null] });
    bytes.fill(1);
    expect(result.ok && [...(result.row[1] as Uint8Array)]).toEqual([0, 0xff, 0xc3, 0x28]);
  });

  it('a JSON column keeps JSON text and wraps other text as a JSON string', () => {
    const decoder = createRawDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.column': 'doc' }));
    expect(decoder.decode(message('{"a": [1, 2]}'))).toEqual({ ok: true, row: [null, null, '{"a":[1,2]}', null] });
    expect(decoder.decode(message('plain'))).toEqual({ ok: true, row: [null, null, '"plain"', null] });
  });

  it('reports invalid UTF-8 for text columns', () => {
    const decoder = createRawDecoder(schema, kinesisSettings());
    expect(decoder.decode(message(new Uint8Array([0x61, 0xc3, 0x28])))).toEqual({ ok: false, error: 'record is not valid UTF-8' });
  });

  it('decodes a 1 MB record', () => {
    const big = 'z'.repeat(1024 * 1024);
    const result = createRawDecoder(schema, kinesisSettings()).decode(message(big));
    expect(result.ok && result.row[0]).toBe(big);
  });

  it('refuses an unknown column or a column that cannot hold the record, naming the key', () => {
    expect(() => createRawDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.column': 'nope' }))).toThrow(/stream\.kinesis\.decoder\.prop\.column: schema raw has no column "nope"/);
    expect(() => createRawDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.column': 'n' }))).toThrow(
      /stream\.kinesis\.decoder\.prop\.column: the raw decoder stores the record in column n, which is INT; it must be a single-value STRING, JSON or BYTES column/,
    );
  });
});
