import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import { ShardtableError } from '../../../../../src/errors.js';
import { createCsvDecoder, parseCsvRecord } from '../../../../../src/plugins/decoder/csv/index.js';
import { createDecoder } from '../../../../../src/plugins/decoder/registry.js';
import type { DecodeResult, DecodedRow } from '../../../../../src/spi/decoder.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../../helpers/decoder-settings.js';

const offset = { compareTo: () => 0, toString: () => '1' };

function message(value: string | Uint8Array): StreamMessage {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return { key: 'k', value: bytes, offset, arrivalTimeMs: 0, serializedSize: bytes.length };
}

function row(result: DecodeResult): DecodedRow {
  if (!result.ok) throw new Error(`expected a row, got error: ${result.error}`);
  return result.row;
}

function error(result: DecodeResult): string {
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

const schema = buildTableSchema({
  schemaName: 'events',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'name', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'ok', dataType: 'BOOLEAN' },
  ],
  metricFieldSpecs: [{ name: 'price', dataType: 'DOUBLE' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
});

describe('parseCsvRecord', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c', ['a', '', 'c']],
    ['', ['']],
    [',', ['', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['"line\nbreak",x', ['line\nbreak', 'x']],
    ['a,b\n', ['a', 'b']],
    ['a,b\r\n', ['a', 'b']],
    ['"",x', ['', 'x']],
  ])('%j → %j', (text, values) => {
    const parsed = parseCsvRecord(text, ',');
    expect(parsed.ok && parsed.values).toEqual(values);
  });

  it('reports unbalanced quotes, stray quotes, text after a closing quote and several lines', () => {
    expect(parseCsvRecord('a,"b,c', ',')).toEqual({ ok: false, error: 'unbalanced quotes: the quoted value 2 opened at character 2 is never closed' });
    expect(parseCsvRecord('a,b"c', ',')).toMatchObject({ ok: false, error: expect.stringContaining('value 2: stray quote at character 3') });
    expect(parseCsvRecord('"a"b,c', ',')).toMatchObject({ ok: false, error: expect.stringContaining('value 1: unexpected character "b" after a closing quote') });
    expect(parseCsvRecord('a,b\nc,d', ',')).toMatchObject({ ok: false, error: expect.stringContaining('record holds more than one CSV line') });
  });
});

describe('csv decoder', () => {
  it('exposes the record fields by header name for ingestion transforms', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.header': 'id,name,tags,extra' }));
    expect(decoder.decodeFields!(message('7,"ann, jr",a;b,x'))).toEqual({ ok: true, fields: { id: '7', name: 'ann, jr', tags: ['a', 'b'], extra: 'x' } });
    expect(decoder.decodeFields!(message('7,,,'))).toEqual({ ok: true, fields: { id: '7' } });
    expect(decoder.decodeFields!(message('7,ann'))).toMatchObject({ ok: false, error: expect.stringContaining('header has 4 columns') });
  });

  it('maps values to the schema columns in order by default and coerces them', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings());
    expect(row(decoder.decode(message('9007199254740993,ann,a;b;c,true,12.5,2024-01-02T03:04:05Z')))).toEqual([
      9007199254740993n,
      'ann',
      ['a', 'b', 'c'],
      1,
      12.5,
      1704164645000n,
    ]);
  });

  it('uses the header, delimiter and multi-value delimiter properties, ignoring unknown header columns', () => {
    const settings = kinesisSettings({
      'stream.kinesis.decoder.prop.header': 'name, extra, id, tags',
      'stream.kinesis.decoder.prop.delimiter': '|',
      'stream.kinesis.decoder.prop.multiValueDelimiter': ',',
    });
    const decoder = createDecoder('org.apache.pinot.plugin.inputformat.csv.CSVMessageDecoder', schema, settings);
    expect(row(decoder.decode(message('bo|ignored|7|x,y')))).toEqual([7n, 'bo', ['x', 'y'], null, null, null]);
  });

  it('accepts a tab delimiter written as \\t', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.delimiter': '\\t', 'stream.kinesis.decoder.prop.header': 'id,name' }));
    expect(row(decoder.decode(message('1\tx y')))).toEqual([1n, 'x y', null, null, null, null]);
  });

  it('empty values are null; a quoted empty value is an empty STRING', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings());
    expect(row(decoder.decode(message(',"",,,,')))).toEqual([null, '', null, null, null, null]);
    expect(row(decoder.decode(message('1,,,,,')))).toEqual([1n, null, null, null, null, null]);
  });

  it('keeps quoted delimiters and quotes inside values', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.header': 'id,name' }));
    expect(row(decoder.decode(message('1,"Smith, ""Jo"""')))).toEqual([1n, 'Smith, "Jo"', null, null, null, null]);
  });

  it('reports a wrong number of values against the header', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.header': 'id,name' }));
    expect(error(decoder.decode(message('1,a,b')))).toBe('CSV record has 3 values, the header has 2 columns (id,name)');
    expect(error(decoder.decode(message('1')))).toBe('CSV record has 1 value, the header has 2 columns (id,name)');
  });

  it('reports unbalanced quotes', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.header': 'id,name' }));
    expect(error(decoder.decode(message('1,"abc')))).toBe('CSV record: unbalanced quotes: the quoted value 2 opened at character 2 is never closed');
  });

  it('reports values that do not coerce, naming the column', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.header': 'id,price,tags,ok' }));
    expect(error(decoder.decode(message('abc,1,a,true')))).toBe('column "id": "abc" is not a LONG');
    expect(error(decoder.decode(message('1,cheap,a,true')))).toBe('column "price": "cheap" is not a DOUBLE');
    expect(error(decoder.decode(message('1,1,a,maybe')))).toBe('column "ok": "maybe" is not a BOOLEAN');
  });

  it('reports invalid UTF-8', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings());
    expect(error(decoder.decode(message(new Uint8Array([0x31, 0x2c, 0xff, 0xfe]))))).toBe('record is not valid UTF-8');
  });

  it('decodes a 1 MB record', () => {
    const decoder = createCsvDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.header': 'id,name' }));
    const big = 'y'.repeat(1024 * 1024);
    expect(row(decoder.decode(message(`1,"${big}"`)))[1]).toBe(big);
  });

  it('refuses bad properties with a 400 naming the key', () => {
    const bad: [Record<string, string>, string][] = [
      [{ 'stream.kinesis.decoder.prop.delimiter': '||' }, 'stream.kinesis.decoder.prop.delimiter: must be a single character'],
      [{ 'stream.kinesis.decoder.prop.multiValueDelimiter': '"' }, 'stream.kinesis.decoder.prop.multiValueDelimiter: cannot be'],
      [{ 'stream.kinesis.decoder.prop.header': 'id,,name' }, 'stream.kinesis.decoder.prop.header: column name 2 is empty'],
      [{ 'stream.kinesis.decoder.prop.header': 'id,id' }, 'stream.kinesis.decoder.prop.header: column "id" appears twice'],
    ];
    for (const [properties, text] of bad) {
      let caught: unknown;
      try {
        createCsvDecoder(schema, kinesisSettings(properties));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ShardtableError);
      expect((caught as ShardtableError).status).toBe(400);
      expect((caught as ShardtableError).message).toContain(text);
    }
  });
});
