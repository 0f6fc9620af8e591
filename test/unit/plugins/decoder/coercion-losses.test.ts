import { describe, expect, it } from 'vitest';
import type { DataType } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { avroTypeFor, createAvroDecoder } from '../../../../src/plugins/decoder/avro/index.js';
import { coerceScalar } from '../../../../src/plugins/decoder/coerce.js';
import { CoercionLosses } from '../../../../src/plugins/decoder/coercion-losses.js';
import { createCsvDecoder } from '../../../../src/plugins/decoder/csv/index.js';
import { createJsonDecoder } from '../../../../src/plugins/decoder/json/index.js';
import type { DecodeResult } from '../../../../src/spi/decoder.js';
import type { StreamMessage } from '../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../helpers/decoder-settings.js';

const offset = { compareTo: () => 0, toString: () => '1' };

function message(value: string | Uint8Array): StreamMessage {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return { key: 'k', value: bytes, offset, arrivalTimeMs: 0, serializedSize: bytes.length };
}

function jsonDecode(dataType: DataType, json: string, singleValue = true): DecodeResult {
  const schema = buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 'v', dataType, singleValueField: singleValue }] });
  return createJsonDecoder(schema).decode(message(`{"v":${json}}`));
}

/** The cell and the lossy note (undefined when exact) of a decoded record; throws on a record error. */
function stored(result: DecodeResult): { cell: unknown; lossy: string | undefined } {
  if (!result.ok) throw new Error(`expected a row, got error: ${result.error}`);
  return { cell: result.row[0], lossy: result.lossy };
}

function refused(result: DecodeResult): string {
  if (result.ok) throw new Error(`expected a record error, got a row (lossy: ${result.lossy})`);
  return result.error;
}

describe('lossy coercions are stored as Pinot stores them and reported, naming field, value and type', () => {
  it.each<[string, DataType, string, unknown, string]>([
    ['a fraction into INT is truncated', 'INT', '1.5', 1, 'field "v": lossy coercion of 1.5 to INT (fraction dropped: stored 1)'],
    ['a negative fraction into INT is truncated toward zero', 'INT', '-1.9', -1, 'field "v": lossy coercion of -1.9 to INT (fraction dropped: stored -1)'],
    ['a fraction into LONG is truncated', 'LONG', '12.9', 12n, 'field "v": lossy coercion of 12.9 to LONG (fraction dropped: stored 12)'],
    ['a fraction into LONG beyond 2^53 is truncated exactly', 'LONG', '12345678901234567.9', 12345678901234567n, 'field "v": lossy coercion of 12345678901234567.9 to LONG (fraction dropped: stored 12345678901234567)'],
    ['a fraction into TIMESTAMP is truncated', 'TIMESTAMP', '1704164645123.7', 1704164645123n, 'field "v": lossy coercion of 1704164645123.7 to TIMESTAMP (fraction dropped: stored 1704164645123)'],
    ['true into INT is 1', 'INT', 'true', 1, 'field "v": lossy coercion of true to INT (a boolean: stored 1)'],
    ['false into LONG is 0', 'LONG', 'false', 0n, 'field "v": lossy coercion of false to LONG (a boolean: stored 0)'],
    ['true into DOUBLE is 1', 'DOUBLE', 'true', 1, 'field "v": lossy coercion of true to DOUBLE (a boolean: stored 1)'],
    ['true into FLOAT is 1', 'FLOAT', 'true', 1, 'field "v": lossy coercion of true to FLOAT (a boolean: stored 1)'],
    ['true into BIG_DECIMAL is 1', 'BIG_DECIMAL', 'true', '1', 'field "v": lossy coercion of true to BIG_DECIMAL (a boolean: stored 1)'],
    ['a number other than 0/1 into BOOLEAN is true', 'BOOLEAN', '2', 1, 'field "v": lossy coercion of 2 to BOOLEAN (neither 0 nor 1: stored true)'],
    ['"NaN" into DOUBLE is null (Pinot SpecialValueTransformer)', 'DOUBLE', '"NaN"', null, 'field "v": lossy coercion of "NaN" to DOUBLE (not a number: stored null)'],
    ['"NaN" into FLOAT is null', 'FLOAT', '" NaN "', null, 'field "v": lossy coercion of " NaN " to FLOAT (not a number: stored null)'],
    ['1e400 into DOUBLE overflows to Infinity', 'DOUBLE', '1e400', Infinity, 'field "v": lossy coercion of 1e400 to DOUBLE (beyond its range: stored Infinity)'],
    ['-1e400 into DOUBLE overflows to -Infinity', 'DOUBLE', '-1e400', -Infinity, 'field "v": lossy coercion of -1e400 to DOUBLE (beyond its range: stored -Infinity)'],
    ['"1e400" into DOUBLE overflows to Infinity', 'DOUBLE', '"1e400"', Infinity, 'field "v": lossy coercion of "1e400" to DOUBLE (beyond its range: stored Infinity)'],
    ['1e39 into FLOAT overflows to Infinity', 'FLOAT', '1e39', Infinity, 'field "v": lossy coercion of 1e+39 to FLOAT (beyond its range: stored Infinity)'],
    ['1e400 into FLOAT overflows to Infinity', 'FLOAT', '1e400', Infinity, 'field "v": lossy coercion of 1e400 to FLOAT (beyond its range: stored Infinity)'],
  ])('%s', (_what, type, json, cell, lossy) => {
    expect(stored(jsonDecode(type, json))).toEqual({ cell, lossy });
  });

  it('reports the first lossy field of a record and keeps every other value', () => {
    const schema = buildTableSchema({
      schemaName: 't',
      dimensionFieldSpecs: [
        { name: 'id', dataType: 'INT' },
        { name: 'ok', dataType: 'LONG' },
        { name: 'name', dataType: 'STRING' },
      ],
    });
    const result = createJsonDecoder(schema).decode(message('{"id":1.5,"ok":true,"name":"a"}'));
    expect(stored(result).lossy).toBe('field "id": lossy coercion of 1.5 to INT (fraction dropped: stored 1)');
    expect(result.ok && result.row).toEqual([1, 1n, 'a']);
  });

  it('does not carry a note over to the next record', () => {
    const schema = buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 'v', dataType: 'INT' }] });
    const decoder = createJsonDecoder(schema);
    expect(stored(decoder.decode(message('{"v":1.5}'))).lossy).toBeDefined();
    expect(refused(decoder.decode(message('{"v":"x"}')))).toBe('field "v": "x" is not an INT');
    expect(stored(decoder.decode(message('{"v":2}')))).toEqual({ cell: 2, lossy: undefined });
  });

  it('drops NaN from a multi-value column and reports it; fractions in one are reported too', () => {
    expect(stored(jsonDecode('DOUBLE', '[1, "NaN", 2]', false))).toEqual({
      cell: [1, 2],
      lossy: 'field "v": lossy coercion of "NaN" to DOUBLE (not a number: stored null)',
    });
    expect(stored(jsonDecode('DOUBLE', '"NaN"', false)).cell).toBeNull();
    expect(stored(jsonDecode('INT', '[1, "2", 3.7]', false))).toEqual({ cell: [1, 2, 3], lossy: 'field "v": lossy coercion of 3.7 to INT (fraction dropped: stored 3)' });
  });
});

describe('exact coercions are not reported', () => {
  it.each<[string, DataType, string, unknown]>([
    ['a numeric string with spaces into INT (Pinot trims)', 'INT', '" 17 "', 17],
    ['a numeric string with spaces into LONG', 'LONG', '" -5 "', -5n],
    ['a numeric string with spaces into DOUBLE', 'DOUBLE', '" 2.5 "', 2.5],
    ['an integral number written with a fraction or exponent into INT', 'INT', '1e3', 1000],
    ['1.0 into LONG', 'LONG', '1.0', 1n],
    ['1.5e3 into LONG beyond the fast path', 'LONG', '1.5e18', 1500000000000000000n],
    ['"Infinity" into DOUBLE (asked for, not an overflow)', 'DOUBLE', '"Infinity"', Infinity],
    ['"-Infinity" into FLOAT', 'FLOAT', '"-Infinity"', -Infinity],
    ['0 and 1 into BOOLEAN', 'BOOLEAN', '1', 1],
    ['a boolean into STRING', 'STRING', 'true', 'true'],
    ['a FLOAT rounded to 32 bits (what FLOAT means)', 'FLOAT', '0.1', Math.fround(0.1)],
  ])('%s', (_what, type, json, cell) => {
    expect(stored(jsonDecode(type, json))).toEqual({ cell, lossy: undefined });
  });
});

describe('values no column type can hold stay record errors under every policy', () => {
  it.each<[string, DataType, string, string]>([
    ['INT beyond 32 bits', 'INT', '2147483648', 'field "v": 2147483648 is out of range for INT'],
    ['a fraction beyond INT', 'INT', '3000000000.5', 'field "v": 3000000000.5 is out of range for INT'],
    ['LONG beyond 64 bits', 'LONG', '9223372036854775808', 'field "v": 9223372036854775808 is out of range for LONG'],
    ['1e400 into LONG', 'LONG', '1e400', 'field "v": 1e400 is out of range for LONG'],
    ['a fractional string into INT (Pinot: Integer.parseInt fails)', 'INT', '"1.5"', 'field "v": "1.5" is not an INT'],
    ['a string with inner spaces into INT', 'INT', '"1 000"', 'field "v": "1 000" is not an INT'],
    ['a string other than true/false/1/0 into BOOLEAN', 'BOOLEAN', '"yes"', 'field "v": "yes" is not a BOOLEAN'],
    ['a boolean into TIMESTAMP (Pinot refuses too)', 'TIMESTAMP', 'true', 'field "v": true is not a TIMESTAMP'],
  ])('%s', (_what, type, json, error) => {
    expect(refused(jsonDecode(type, json))).toBe(error);
  });
});

describe('CSV: text values follow the same rules', () => {
  const schema = buildTableSchema({
    schemaName: 't',
    dimensionFieldSpecs: [
      { name: 'id', dataType: 'INT' },
      { name: 'price', dataType: 'DOUBLE' },
      { name: 'ratio', dataType: 'FLOAT' },
      { name: 'vals', dataType: 'DOUBLE', singleValueField: false },
    ],
  });
  const csv = createCsvDecoder(schema, kinesisSettings({}));

  it('reports NaN, overflow and NaN elements, naming the column', () => {
    expect(stored(csv.decode(message('1,NaN,2,')))).toMatchObject({ cell: 1, lossy: 'column "price": lossy coercion of "NaN" to DOUBLE (not a number: stored null)' });
    expect(stored(csv.decode(message('1,1e400,2,'))).lossy).toBe('column "price": lossy coercion of "1e400" to DOUBLE (beyond its range: stored Infinity)');
    expect(stored(csv.decode(message('1,2,1e39,'))).lossy).toBe('column "ratio": lossy coercion of "1e39" to FLOAT (beyond its range: stored Infinity)');
    const mv = csv.decode(message('1,2,3,1;NaN;2'));
    expect(mv.ok && mv.row[3]).toEqual([1, 2]);
    expect(stored(mv).lossy).toBe('column "vals": lossy coercion of "NaN" to DOUBLE (not a number: stored null)');
  });

  it('keeps exact text exact and refuses fractions into INT', () => {
    expect(stored(csv.decode(message(' 7 ,2.5,Infinity,1;2')))).toEqual({ cell: 7, lossy: undefined });
    expect(refused(csv.decode(message('1.5,2,3,')))).toBe('column "id": "1.5" is not an INT');
  });
});

describe('Avro: values of other Avro types follow the same rules', () => {
  const writerSchema = {
    type: 'record',
    name: 'E',
    fields: [
      { name: 'i', type: 'double' },
      { name: 'l', type: ['null', 'boolean'] },
      { name: 'd', type: 'double' },
      { name: 'f', type: 'double' },
      { name: 'm', type: { type: 'array', items: 'double' } },
    ],
  };
  const writer = avroTypeFor(writerSchema);
  const schema = buildTableSchema({
    schemaName: 't',
    dimensionFieldSpecs: [
      { name: 'i', dataType: 'INT' },
      { name: 'l', dataType: 'LONG' },
      { name: 'd', dataType: 'DOUBLE' },
      { name: 'f', dataType: 'FLOAT' },
      { name: 'm', dataType: 'DOUBLE', singleValueField: false },
    ],
  });
  const avro = createAvroDecoder(schema, kinesisSettings({ 'stream.kinesis.decoder.prop.schema': JSON.stringify(writerSchema) }));
  const decode = (record: Record<string, unknown>): DecodeResult => avro.decode(message(new Uint8Array(writer.toBuffer(record))));
  const exact = { i: 2, l: null, d: 1.5, f: 1.5, m: [1] };

  it('reports a double into INT, a boolean into LONG, NaN, and a double beyond FLOAT', () => {
    expect(stored(decode({ ...exact, i: 2.5 })).lossy).toBe('field "i": lossy coercion of 2.5 to INT (fraction dropped: stored 2)');
    expect(stored(decode({ ...exact, l: true })).lossy).toBe('field "l": lossy coercion of true to LONG (a boolean: stored 1)');
    expect(stored(decode({ ...exact, d: Number.NaN })).lossy).toBe('field "d": lossy coercion of NaN to DOUBLE (not a number: stored null)');
    expect(stored(decode({ ...exact, f: 1e39 })).lossy).toBe('field "f": lossy coercion of 1e+39 to FLOAT (beyond its range: stored Infinity)');
    const mv = decode({ ...exact, m: [1, Number.NaN, 2] });
    expect(mv.ok && mv.row[4]).toEqual([1, 2]);
    expect(stored(mv).lossy).toBe('field "m": lossy coercion of NaN to DOUBLE (not a number: stored null)');
  });

  it('stores an IEEE infinity as is: it is the value, not an overflow', () => {
    const result = decode({ ...exact, d: Infinity });
    expect(result.ok && result.row).toEqual([2, null, Infinity, 1.5, [1]]);
    expect(stored(result).lossy).toBeUndefined();
  });
});

describe('coerceScalar and CoercionLosses', () => {
  it('notes only the first loss of a record, under the column named last', () => {
    const losses = new CoercionLosses('column');
    losses.at('a');
    expect(coerceScalar('INT', 1.5, losses)).toBe(1);
    losses.at('b');
    expect(coerceScalar('INT', true, losses)).toBe(1);
    expect(losses.take()).toBe('column "a": lossy coercion of 1.5 to INT (fraction dropped: stored 1)');
    expect(losses.take()).toBeNull();
  });

  it('reset forgets a note left by a record that failed later', () => {
    const losses = new CoercionLosses();
    coerceScalar('INT', 1.5, losses);
    losses.reset();
    expect(losses.take()).toBeNull();
  });
});
