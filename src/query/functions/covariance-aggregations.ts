import type { ScalarValue } from '../../config/data-type.js';
import type { AggregationFunction, AggState, CollectionAggregation } from './aggregation-types.js';
import { toNumber } from './values.js';

type Base = Omit<AggregationFunction, 'name' | 'mv'>;

interface Sums {
  x: number;
  y: number;
  xy: number;
  n: number;
}

/**
 * COVAR_POP / COVAR_SAMP(x, y): the population / sample covariance of two numeric expressions,
 * DOUBLE, by Pinot's formula over running sums (`sumXY / n - sumX * sumY / n²`, and
 * `sumXY / (n - 1) - sumX * sumY / (n (n - 1))`); no rows (one row for the sample form):
 * -Infinity, Pinot's default. The binder hands each row over as the pair `[x, y]`.
 */
function covariance(sample: boolean): CollectionAggregation {
  return {
    rowArgs: 2,
    minParams: 0,
    maxParams: 0,
    specialise() {
      const sums = (s: AggState): Sums => (s.v ??= { x: 0, y: 0, xy: 0, n: 0 }) as Sums;
      const fn: Base = {
        kind: 'generic',
        needsArgument: true,
        params: 'literals',
        resultType: () => 'DOUBLE',
        init: () => ({ n: 0, x: 0, y: 0, set: null, list: null }),
        add: (s, pair) => {
          const [a, b] = pair as [unknown, unknown];
          const x = toNumber(a);
          const y = toNumber(b);
          const t = sums(s);
          t.x += x;
          t.y += y;
          t.xy += x * y;
          t.n++;
        },
        merge: (a, b) => {
          if (b.v === undefined) return;
          const into = sums(a);
          const from = b.v as Sums;
          into.x += from.x;
          into.y += from.y;
          into.xy += from.xy;
          into.n += from.n;
        },
        result: (s): ScalarValue => {
          const { x, y, xy, n } = (s.v as Sums | undefined) ?? { x: 0, y: 0, xy: 0, n: 0 };
          if (n === 0 || (sample && n === 1)) return Number.NEGATIVE_INFINITY;
          return sample ? xy / (n - 1) - (x * y) / (n * (n - 1)) : xy / n - (x * y) / (n * n);
        },
      };
      return { fn, type: { dataType: 'DOUBLE', sv: true } };
    },
  };
}

export const COVARIANCE_AGGREGATIONS: Readonly<Record<string, CollectionAggregation>> = {
  covarpop: covariance(false),
  covarsamp: covariance(true),
};
