import { describe, expect, it } from 'vitest';
import { CoercionError, coerceScalar, describeValue } from '../../../../src/plugins/decoder/coerce.js';
import {
  canonicalDecimalText,
  javaDoubleToString,
  truncateDecimalText,
} from '../../../../src/plugins/decoder/coerce-number-text.js';
import { minifyJsonText } from '../../../../src/plugins/decoder/coerce-json-text.js';
import { parseTimestampText } from '../../../../src/plugins/decoder/coerce-timestamp.js';
import { CoercionLosses } from '../../../../src/plugins/decoder/coercion-losses.js';

const losses = (): CoercionLosses => new CoercionLosses();

describe('javaDoubleToString', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [1.5, '1.5'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1234567.5, '1234567.5'],
    [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'],
    [-2.5e-10, '-2.5E-10'],
    [1e21, '1.0E21'],
    [100, '100.0'],
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%s → %s', (value, text) => {
    expect(javaDoubleToString(value)).toBe(text);
  });
});

describe('canonicalDecimalText (BigDecimal.toPlainString)', () => {
  it.each([
    ['1.50', '1.50'],
    ['+007.0', '7.0'],
    ['1.5E3', '1500'],
    ['1.5e-3', '0.0015'],
    ['-0.000', '0.000'],
    ['0e5', '0'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['123456789012345678901234567890.000000000000000000001', '123456789012345678901234567890.000000000000000000001'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalDecimalText(input)).toBe(expected);
  });

  it('rejects non-decimal text and absurd exponents', () => {
    for (const bad of ['', '.', 'abc', '1,5', '1e', '0x10', '1e99999999']) expect(canonicalDecimalText(bad)).toBeUndefined();
  });
});

describe('truncateDecimalText', () => {
  it('truncates toward zero exactly', () => {
    expect(truncateDecimalText('9223372036854775807')).toBe(9223372036854775807n);
    expect(truncateDecimalText('-9.99')).toBe(-9n);
    expect(truncateDecimalText('0.5')).toBe(0n);
    expect(truncateDecimalText('2e20')).toBe(200000000000000000000n);
    expect(truncateDecimalText('x')).toBeUndefined();
  });
});

describe('parseTimestampText', () => {
  it('reads ISO-8601, SQL text and dates as UTC epoch millis', () => {
    expect(parseTimestampText('1970-01-01T00:00:00Z')).toBe(0);
    expect(parseTimestampText('2024-01-02T03:04:05Z')).toBe(1704164645000);
    expect(parseTimestampText('2024-01-02T03:04:05')).toBe(1704164645000);
    expect(parseTimestampText('2024-01-02T03:04Z')).toBe(1704164640000);
    expect(parseTimestampText('2024-01-02T04:04:05+0100')).toBe(1704164645000);
    expect(parseTimestampText('2024-01-01T22:04:05-05:00')).toBe(1704164645000);
    expect(parseTimestampText('2024-01-02 03:04:05.123456789')).toBe(1704164645123);
    expect(parseTimestampText('2024-2-29 00:00:00')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestampText('1969-12-31 23:59:59.999')).toBe(-1);
    expect(parseTimestampText('1600-03-01')).toBe(Date.UTC(1600, 2, 1));
  });

  it('rejects impossible or foreign text', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-01-01 24:00:00', '01/02/2024', 'now', '2024-01-01T00:00:00+25:00']) {
      expect(parseTimestampText(bad)).toBeUndefined();
    }
  });
});

describe('minifyJsonText', () => {
  it('drops whitespace outside strings only', () => {
    expect(minifyJsonText('{ "a b" : [ 1 ,\n 2 ] ,\t"c":"x\\" y" }')).toBe('{"a b":[1,2],"c":"x\\" y"}');
    expect(minifyJsonText('[1,2]')).toBe('[1,2]');
  });
});

describe('coerceScalar (values without JSON source)', () => {
  it('converts values from other decoders', () => {
    expect(coerceScalar('LONG', 9007199254740993n, losses())).toBe(9007199254740993n);
    expect(coerceScalar('INT', 5n, losses())).toBe(5);
    expect(coerceScalar('BIG_DECIMAL', 0.1, losses())).toBe('0.1');
    expect(coerceScalar('STRING', { a: 1n }, losses())).toBe('{"a":"1"}');
    expect(coerceScalar('STRING', new Uint8Array([0xab]), losses())).toBe('ab');
    expect(coerceScalar('TIMESTAMP', 1.7e12, losses())).toBe(1700000000000n);
  });

  it('throws CoercionError naming the value', () => {
    expect(() => coerceScalar('INT', 'x', losses())).toThrow(CoercionError);
    expect(() => coerceScalar('LONG', 2n ** 64n, losses())).toThrow('18446744073709551616 is out of range for LONG');
  });

  it('describes values briefly', () => {
    expect(describeValue('a'.repeat(100))).toBe(JSON.stringify('a'.repeat(64) + '…'));
    expect(describeValue([1])).toBe('an array');
    expect(describeValue({})).toBe('an object');
  });
});
