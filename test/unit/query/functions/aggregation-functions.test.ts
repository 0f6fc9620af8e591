import { describe, expect, it } from 'vitest';
import { aggregationFunction, percentileOf, selectPercentile } from '../../../../src/query/functions/aggregation-functions.js';

/** Pinot's definition: sort, take index (int)(n * p / 100), the last value for p = 100. */
function sorted(values: number[], p: number): number {
  if (values.length === 0) return Number.NEGATIVE_INFINITY;
  const s = Float64Array.from(values).sort();
  return p >= 100 ? s[s.length - 1]! : s[Math.min(s.length - 1, Math.trunc((s.length * p) / 100))]!;
}

describe('percentile selection', () => {
  let seed = 99;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const cases: [string, (i: number) => number][] = [
    ['skewed integers', () => Math.floor(rand() ** 3 * 5000)],
    ['doubles of both signs', () => (rand() - 0.5) * 1e6],
    ['one value', () => 42],
    ['ascending', (i) => i],
    ['descending', (i) => -i],
    ['zeros of both signs', () => (rand() < 0.5 ? -0 : 0)],
    ['NaN and infinities', () => [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, -1][Math.floor(rand() * 5)]!],
    ['tiny and huge', () => [1e-310, -1e-310, 1e308, -1e308, 0][Math.floor(rand() * 5)]!],
  ];
  for (const [name, gen] of cases) {
    it(`equals a full sort: ${name}`, () => {
      for (const n of [0, 1, 2, 15, 16, 17, 1000, (1 << 14) - 1, 1 << 14, 50_000]) {
        const values = Array.from({ length: n }, (_, i) => gen(i));
        for (const p of [0, 0.5, 10, 50, 95, 99.9, 100]) {
          expect(Object.is(percentileOf(values, p), sorted(values, p)), `n=${n} p=${p}`).toBe(true);
        }
      }
    });
  }

  it('selects within the first n values of a larger buffer', () => {
    const buf = Float64Array.from([5, 1, 4, 2, 3, -100, -100]);
    expect(selectPercentile(buf, 5, 50)).toBe(3);
  });

  it('keeps PERCENTILEEST a LONG and empty states at Pinot defaults', () => {
    const est = aggregationFunction('percentileest')!.fn;
    const s = est.init();
    expect(est.result(s, 50)).toBe(-9223372036854775808n);
    for (const v of [1.7, 2.2, 3.9]) est.add(s, v);
    expect(est.result(s, 50)).toBe(2n);
    const pct = aggregationFunction('percentile90')!;
    expect(pct.embeddedPercentile).toBe(90);
    expect(pct.fn.result(pct.fn.init(), 90)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('merges percentile and distinct states', () => {
    const pct = aggregationFunction('percentile')!.fn;
    const a = pct.init();
    const b = pct.init();
    for (let i = 0; i < 40; i++) pct.add(i % 2 ? a : b, i);
    pct.merge(a, b);
    expect(pct.result(a, 50)).toBe(20);
    const dc = aggregationFunction('distinctcount')!.fn;
    const x = dc.init();
    const y = dc.init();
    for (const v of [1, 1n, '1', -0, 0, Number.NaN]) dc.add(x, v);
    for (const v of [Number.NaN, 2n, '1', null]) dc.add(y, v);
    dc.merge(x, y);
    expect(dc.result(x, 0)).toBe(7);
  });
});
