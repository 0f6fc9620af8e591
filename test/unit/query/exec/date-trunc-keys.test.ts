import { describe, expect, it } from 'vitest';
import { truncateInPlace } from '../../../../src/query/exec/date-trunc-keys.js';
import { dateTrunc } from '../../../../src/query/functions/time-functions.js';

const UNITS = ['MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];
const ZONES = [undefined, 'UTC', '+05:30', '-03:00', 'GMT+14:00'];

describe('DATETRUNC group keys', () => {
  it('equal dateTrunc for every unit and zone, before and after the epoch', () => {
    const millis = [0, 1, -1, 999, 1000, -1000, -1001, 59_999, 3_599_999, 3_600_000, 86_399_999, -86_400_001, 1_790_000_000_000, 1_790_003_599_999, -62_000_000_000_000, 253_402_300_799_999];
    for (let i = 0; i < 200; i++) millis.push(Math.floor(Math.sin(i) * 4e12));
    for (const unit of UNITS) {
      for (const zone of ZONES) {
        const values = Float64Array.from(millis);
        truncateInPlace({ unit, zone, input: { kind: 'literal', name: 'x', type: { dataType: 'LONG', sv: true }, value: 0n, text: '0' } }, values, values.length);
        expect([...values]).toEqual(millis.map((m) => dateTrunc(unit, m, zone)));
      }
    }
  });

  it('equal dateTrunc over runs within a bucket, across its edges and back (the remembered bucket)', () => {
    const millis: number[] = [];
    for (const start of [1_790_003_590_000, -3_600_010, 86_399_990, 2 ** 52 - 3_600_005, -(2 ** 52) - 5]) {
      for (let i = 0; i < 40; i++) millis.push(start + i * 500);
      for (let i = 40; i > 0; i--) millis.push(start + i * 250 - 1);
    }
    for (const unit of ['SECOND', 'MINUTE', 'HOUR', 'DAY']) {
      for (const zone of ZONES) {
        const values = Float64Array.from(millis);
        truncateInPlace({ unit, zone, input: { kind: 'literal', name: 'x', type: { dataType: 'LONG', sv: true }, value: 0n, text: '0' } }, values, values.length);
        const want = millis.map((m) => {
          const t = dateTrunc(unit, m, zone);
          return Math.abs(t) <= Number.MAX_SAFE_INTEGER ? t : Number.NaN;
        });
        expect([...values], `${unit} ${zone}`).toEqual(want);
      }
    }
  });

  it('marks buckets outside the safe integers as NaN (the exact value is looked up instead)', () => {
    const input = { kind: 'literal', name: 'x', type: { dataType: 'LONG', sv: true }, value: 0n, text: '0' } as const;
    const values = Float64Array.from([2 ** 60, -(2 ** 60), 2 ** 53]);
    truncateInPlace({ unit: 'HOUR', zone: undefined, input }, values, 3);
    expect([...values]).toEqual([Number.NaN, Number.NaN, 9_007_199_251_200_000]);
    const millis = Float64Array.from([2 ** 53, 2 ** 53 - 1]);
    truncateInPlace({ unit: 'MILLISECOND', zone: undefined, input }, millis, 2);
    expect([...millis]).toEqual([Number.NaN, 2 ** 53 - 1]);
  });

  it('rejects an unsupported zone as dateTrunc does, and only when there are rows', () => {
    const spec = { unit: 'SECOND', zone: 'Mars/Base', input: { kind: 'literal', name: 'x', type: { dataType: 'LONG', sv: true }, value: 0n, text: '0' } } as const;
    expect(() => truncateInPlace(spec, new Float64Array(1), 0)).not.toThrow();
    expect(() => truncateInPlace(spec, new Float64Array(1), 1)).toThrow(/time zone 'Mars\/Base' is not known/);
    expect(() => dateTrunc('SECOND', 0, 'Mars/Base')).toThrow(/time zone 'Mars\/Base' is not known/);
  });
});
