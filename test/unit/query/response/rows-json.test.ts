import { describe, expect, it } from 'vitest';
import { formatCell } from '../../../../src/query/response/format-value.js';
import { formatJavaDouble } from '../../../../src/query/response/java-number-format.js';
import { rowsJson } from '../../../../src/query/response/rows-json.js';

/** The former writer: a string per cell, joined per row, then per result. */
const joined = (rows: unknown[][], types: string[]): string => `[${rows.map((row) => `[${row.map((v, i) => formatCell(v, types[i]!)).join(',')}]`).join(',')}]`;

describe('rowsJson', () => {
  const types = ['LONG', 'INT', 'DOUBLE', 'FLOAT', 'STRING', 'BOOLEAN', 'TIMESTAMP', 'BYTES', 'INT_ARRAY', 'STRING_ARRAY'];
  const rows: unknown[][] = [
    [2n ** 60n + 1n, -0, Number.NaN, 12.1, 'a "quoted"\nline', 1, 1_700_000_000_000n, new Uint8Array([0, 255]), [1, 2], ['x', 'y']],
    [-5n, 2147483647, 7611, Number.NEGATIVE_INFINITY, '', 0, 0n, new Uint8Array(), [], []],
    [null, null, null, null, null, null, null, null, null, null],
    [7, 3.9, -9.223372036854776e18, 1e-7, 'ü', true, 5n, 'abc', 4, 'z'],
  ];

  it('writes what the per-cell writer wrote, for every column type', () => {
    expect(rowsJson(rows, types)).toBe(joined(rows, types));
    expect(rowsJson([], types)).toBe('[]');
  });

  it('writes a 10,000-row result that parses back', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => [BigInt(i) * 1_000_003n, i, i / 7, `user-${i}`]);
    const t = ['LONG', 'INT', 'DOUBLE', 'STRING'];
    const text = rowsJson(many, t);
    expect(text).toBe(joined(many, t));
    const parsed = JSON.parse(text) as unknown[][];
    expect(parsed).toHaveLength(10_000);
    expect(parsed[9_999]).toEqual([9_999 * 1_000_003, 9_999, 9_999 / 7, 'user-9999']);
  });
});

describe('formatJavaDouble in plain-decimal range', () => {
  it('prints shortest round-trip digits, `.0` on integers, no exponent, between 1e-3 and 1e7', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (let i = 0; i < 20_000; i++) {
      const mag = 10 ** (-3 + rand() * 10);
      const x = (rand() < 0.5 ? -1 : 1) * (i % 3 === 0 ? Math.round(mag) || 1 : mag);
      if (Math.abs(x) >= 1e7) continue;
      const text = formatJavaDouble(x);
      expect(text).toMatch(/^-?\d+\.\d+$/);
      expect(Number(text)).toBe(x);
      if (Number.isInteger(x)) expect(text.endsWith('.0')).toBe(true);
    }
    expect([0.001, 7611, -9.5, 1234567.25, 9999999].map(formatJavaDouble)).toEqual(['0.001', '7611.0', '-9.5', '1234567.25', '9999999.0']);
  });
});
