import { describe, expect, it } from 'vitest';
import { formatCell } from '../../../../src/query/response/format-value.js';
import { formatJavaDouble, formatJavaFloat } from '../../../../src/query/response/java-number-format.js';

describe('Java number formatting', () => {
  it('prints doubles as Double.toString', () => {
    const cases: [number, string][] = [
      [0, '0.0'],
      [-0, '-0.0'],
      [1, '1.0'],
      [7611, '7611.0'],
      [0.1, '0.1'],
      [0.001, '0.001'],
      [0.0001, '1.0E-4'],
      [1234567.5, '1234567.5'],
      [1e7, '1.0E7'],
      [-2147479976, '-2.147479976E9'],
      [-9223372036854775808, '-9.223372036854776E18'],
      [250.00000000000003, '250.00000000000003'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [1.5e-10, '1.5E-10'],
      [123e20, '1.23E22'],
    ];
    for (const [x, text] of cases) expect(formatJavaDouble(x), String(x)).toBe(text);
  });

  it('prints floats as Float.toString (shortest float digits)', () => {
    expect(formatJavaFloat(Math.fround(12.1))).toBe('12.1');
    expect(formatJavaFloat(Math.fround(262.1))).toBe('262.1');
    expect(formatJavaFloat(Math.fround(1e10))).toBe('1.0E10');
  });
});

describe('formatCell', () => {
  it('writes each Pinot type as the broker does', () => {
    expect(formatCell(9223372036854775807n, 'LONG')).toBe('9223372036854775807');
    expect(formatCell(42, 'INT')).toBe('42');
    expect(formatCell(Math.fround(12.1), 'FLOAT')).toBe('12.1');
    expect(formatCell(3, 'DOUBLE')).toBe('3.0');
    expect(formatCell(Number.NEGATIVE_INFINITY, 'DOUBLE')).toBe('"-Infinity"');
    expect(formatCell(1, 'BOOLEAN')).toBe('true');
    expect(formatCell(1_388_534_400_000n, 'TIMESTAMP')).toBe('"2014-01-01 00:00:00.0"');
    expect(formatCell(1_388_534_400_123n, 'TIMESTAMP')).toBe('"2014-01-01 00:00:00.123"');
    expect(formatCell(Uint8Array.from([0xde, 0xad]), 'BYTES')).toBe('"dead"');
    expect(formatCell(['a', 'b"'], 'STRING_ARRAY')).toBe('["a","b\\""]');
    expect(formatCell([1n, -2n], 'LONG_ARRAY')).toBe('[1,-2]');
    expect(formatCell(null, 'STRING')).toBe('null');
  });
});
