import type { DataType, ScalarValue } from '../../config/data-type.js';
import type { AggregationFunction, AggState } from './aggregation-types.js';
import { compareValues, toNumber } from './values.js';

type Base = Omit<AggregationFunction, 'name' | 'mv'>;

const newState = (): AggState => ({ n: 0, x: 0, y: 0, set: null, list: null });

/** MODE's reducer for several values with the highest count (Pinot's `multiModalReductionType`). */
export const MODE_REDUCERS = ['MIN', 'MAX', 'AVG'] as const;

/**
 * MODE(x[, 'MIN'|'MAX'|'AVG']): the most frequent value as DOUBLE; between equally frequent
 * values the smallest (default), the largest, or their average. No rows: -Infinity, Pinot's
 * default with null handling off. `param` is the reducer's index in `MODE_REDUCERS`.
 */
const MODE: Base = {
  kind: 'generic',
  needsArgument: true,
  params: 'mode',
  resultType: () => 'DOUBLE',
  init: newState,
  add: (s, v) => {
    const counts = (s.v ??= new Map<number, number>()) as Map<number, number>;
    const x = toNumber(v);
    counts.set(x, (counts.get(x) ?? 0) + 1);
  },
  merge: (a, b) => {
    if (b.v === undefined) return;
    const into = (a.v ??= new Map<number, number>()) as Map<number, number>;
    for (const [x, c] of b.v as Map<number, number>) into.set(x, (into.get(x) ?? 0) + c);
  },
  result: (s, param) => {
    const counts = s.v as Map<number, number> | undefined;
    if (counts === undefined || counts.size === 0) return Number.NEGATIVE_INFINITY;
    let best = 0;
    for (const c of counts.values()) if (c > best) best = c;
    const modes = [...counts].filter(([, c]) => c === best).map(([x]) => x);
    const reducer = MODE_REDUCERS[param] ?? 'MIN';
    if (reducer === 'MAX') return Math.max(...modes);
    if (reducer === 'AVG') return modes.reduce((t, x) => t + x, 0) / modes.length;
    return Math.min(...modes);
  },
};

/**
 * MIN and MAX of a STRING (or BYTES) argument, as Pinot's multi-stage engine answers them:
 * the smallest or largest value in Java's order, typed as the argument; no rows gives null.
 */
export function stringExtremum(kind: 'min' | 'max', type: DataType): Base {
  const better = kind === 'min' ? (c: number): boolean => c < 0 : (c: number): boolean => c > 0;
  return {
    kind: 'generic',
    needsArgument: true,
    params: 'none',
    resultType: () => type,
    init: newState,
    add: (s, v) => {
      if (s.n === 0 || better(compareValues(v, s.v))) s.v = v;
      s.n = 1;
    },
    merge: (a, b) => {
      if (b.n !== 0 && (a.n === 0 || better(compareValues(b.v, a.v)))) {
        a.v = b.v;
        a.n = 1;
      }
    },
    result: (s) => (s.n === 0 ? (null as unknown as ScalarValue) : (s.v as ScalarValue)),
  };
}

/**
 * FIRSTWITHTIME / LASTWITHTIME(x, timeCol, 'TYPE'): the value of the row with the smallest /
 * largest time. The binder passes each row as the pair `[value, time]`; on equal times the first
 * row seen is kept. No rows: null.
 */
function withTime(last: boolean): Base {
  const better = (t: number, kept: number): boolean => (last ? t > kept : t < kept);
  return {
    kind: 'generic',
    needsArgument: true,
    params: 'withTime',
    // The binder sets the type from the third argument.
    resultType: (arg) => arg?.dataType ?? 'STRING',
    init: newState,
    add: (s, pair) => {
      const [v, time] = pair as [unknown, unknown];
      const t = toNumber(time);
      if (s.n === 0 || better(t, s.x)) {
        s.x = t;
        s.v = v;
        s.n = 1;
      }
    },
    merge: (a, b) => {
      if (b.n !== 0 && (a.n === 0 || better(b.x, a.x))) {
        a.x = b.x;
        a.v = b.v;
        a.n = 1;
      }
    },
    result: (s) => (s.n === 0 ? (null as unknown as ScalarValue) : (s.v as ScalarValue)),
  };
}

/**
 * DISTINCTSUM / DISTINCTAVG(x): the sum / average of the distinct values, DOUBLE (`…MV` for a
 * multi-value column). No rows: 0 / NaN, Pinot's answers with null handling off.
 */
function distinctAggregate(avg: boolean): Base {
  const values = (s: AggState): Set<number> => (s.v ??= new Set<number>()) as Set<number>;
  return {
    kind: 'generic',
    needsArgument: true,
    params: 'none',
    resultType: () => 'DOUBLE',
    init: newState,
    add: (s, v) => {
      values(s).add(toNumber(v));
    },
    merge: (a, b) => {
      if (b.v === undefined) return;
      const into = values(a);
      for (const x of b.v as Set<number>) into.add(x);
    },
    result: (s) => {
      const set = s.v as Set<number> | undefined;
      let sum = 0;
      for (const x of set ?? []) sum += x;
      return avg ? sum / (set?.size ?? 0) : sum;
    },
  };
}

/** The aggregations over values rather than numbers, by canonical name. */
export const VALUE_AGGREGATIONS: Record<string, Base> = {
  distinctsum: distinctAggregate(false),
  distinctavg: distinctAggregate(true),
  mode: MODE,
  firstwithtime: withTime(false),
  lastwithtime: withTime(true),
};
