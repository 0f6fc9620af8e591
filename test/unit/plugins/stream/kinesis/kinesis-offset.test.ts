import { describe, expect, it } from 'vitest';
import { KinesisOffset, kinesisOffsetFactory } from '../../../../../src/plugins/stream/kinesis/kinesis-offset.js';

const REAL = '49590338271490256608559692538361571095921575989136588898';

describe('KinesisOffset', () => {
  it('pins the persisted form: "<seq>" and "<seq>:<sub>" round-trip exactly', () => {
    for (const text of [REAL, `${REAL}:0`, `${REAL}:17`, '0', '9'.repeat(128), `${'1'.repeat(128)}:3`]) {
      const offset = kinesisOffsetFactory.parse(text);
      expect(offset.toString()).toBe(text);
      expect(kinesisOffsetFactory.parse(offset.toString()).compareTo(offset)).toBe(0);
    }
    expect(new KinesisOffset(REAL).toString()).toBe(REAL);
    expect(new KinesisOffset(REAL, 4).toString()).toBe(`${REAL}:4`);
    expect(JSON.stringify({ at: new KinesisOffset(REAL, 4) })).toBe(`{"at":"${REAL}:4"}`);
  });

  it('orders by numeric value where text order is wrong (different lengths)', () => {
    const nine = KinesisOffset.parse('9');
    const ten = KinesisOffset.parse('10');
    expect('9' > '10').toBe(true); // text order
    expect(nine.compareTo(ten)).toBeLessThan(0);
    expect(ten.compareTo(nine)).toBeGreaterThan(0);

    const short = KinesisOffset.parse(REAL);
    const long = KinesisOffset.parse(`1${'0'.repeat(127)}`);
    expect(long.compareTo(short)).toBeGreaterThan(0);
    const max = KinesisOffset.parse('9'.repeat(128));
    expect(max.compareTo(long)).toBeGreaterThan(0);
    expect(max.sequence).toBe(10n ** 128n - 1n);
  });

  it('orders 128-digit numbers that differ only in the last digit', () => {
    const a = KinesisOffset.parse(`${'7'.repeat(127)}1`);
    const b = KinesisOffset.parse(`${'7'.repeat(127)}2`);
    expect(a.compareTo(b)).toBeLessThan(0);
    expect(a.compareTo(KinesisOffset.parse(a.toString()))).toBe(0);
  });

  it('orders sub-sequence numbers after their plain record and among themselves', () => {
    const plain = KinesisOffset.parse(REAL);
    const sub0 = KinesisOffset.parse(`${REAL}:0`);
    const sub10 = KinesisOffset.parse(`${REAL}:10`);
    const next = KinesisOffset.parse((BigInt(REAL) + 1n).toString());
    expect(plain.compareTo(sub0)).toBeLessThan(0);
    expect(sub0.compareTo(sub10)).toBeLessThan(0);
    expect(sub10.compareTo(next)).toBeLessThan(0);
    expect(plain.equals(KinesisOffset.parse(REAL))).toBe(true);
    expect(plain.equals(sub0)).toBe(false);
  });

  it('sorts a shuffled list numerically', () => {
    const values = ['100', '9', '10', '99', '1000', REAL, '1'];
    const sorted = values.map((v) => KinesisOffset.parse(v)).sort((a, b) => a.compareTo(b)).map(String);
    expect(sorted).toEqual(['1', '9', '10', '99', '100', '1000', REAL]);
  });

  it('rejects text that is not an offset', () => {
    for (const bad of ['', 'abc', '-1', '1.5', '01', ' 1', `${'1'.repeat(129)}`, `${REAL}:`, `${REAL}:x`, `${REAL}:-1`, `${REAL}:1:2`]) {
      expect(() => kinesisOffsetFactory.parse(bad), bad).toThrow();
    }
  });
});
