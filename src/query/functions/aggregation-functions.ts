import type { DataType, ScalarValue } from '../../config/data-type.js';
import type { ExprType } from './function-types.js';
import { doubleToLong, toNumber, valueKey } from './values.js';

/**
 * One aggregation function (Pinot's `AggregationFunction`): a per-group state that values are
 * added to, states merge across segments, and a final result of Pinot's result type.
 * `mv` functions (`summv`, …) receive each value of a multi-value cell separately.
 */
export interface AggregationFunction {
  /** Canonical name as Pinot prints it (`sum`, `distinctcounthll`, `percentileest`). */
  readonly name: string;
  readonly mv: boolean;
  /** false for `count(*)`. */
  readonly needsArgument: boolean;
  /** Literal parameters after the argument, e.g. the percentile. */
  readonly params: 'none' | 'percentile' | 'optional';
  resultType(arg: ExprType | null): DataType;
  init(): AggState;
  add(state: AggState, value: unknown): void;
  merge(into: AggState, from: AggState): void;
  result(state: AggState, param: number): ScalarValue;
}

/** A mutable per-group accumulator. */
export interface AggState {
  n: number;
  x: number;
  y: number;
  set: Set<unknown> | null;
  list: number[] | null;
}

const newState = (x = 0, y = 0): AggState => ({ n: 0, x, y, set: null, list: null });

/** Pinot's percentile: sort, take index `(int)(n * p / 100)`, the last value for p = 100. */
export function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return Number.NEGATIVE_INFINITY;
  const sorted = Float64Array.from(values).sort();
  if (p >= 100) return sorted[sorted.length - 1]!;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.trunc((sorted.length * p) / 100)))]!;
}

function distinctKey(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? v : valueKey(v);
}

type Base = Omit<AggregationFunction, 'name' | 'mv'>;

const COUNT: Base = {
  needsArgument: false,
  params: 'none',
  resultType: () => 'LONG',
  init: () => newState(),
  add: (s) => {
    s.n++;
  },
  merge: (a, b) => {
    a.n += b.n;
  },
  result: (s) => BigInt(s.n),
};

const SUM: Base = {
  needsArgument: true,
  params: 'none',
  resultType: () => 'DOUBLE',
  init: () => newState(),
  add: (s, v) => {
    s.x += toNumber(v);
  },
  merge: (a, b) => {
    a.x += b.x;
  },
  result: (s) => s.x,
};

const MIN: Base = {
  needsArgument: true,
  params: 'none',
  resultType: () => 'DOUBLE',
  init: () => newState(Number.POSITIVE_INFINITY),
  add: (s, v) => {
    const x = toNumber(v);
    if (x < s.x) s.x = x;
  },
  merge: (a, b) => {
    if (b.x < a.x) a.x = b.x;
  },
  result: (s) => s.x,
};

const MAX: Base = {
  needsArgument: true,
  params: 'none',
  resultType: () => 'DOUBLE',
  init: () => newState(Number.NEGATIVE_INFINITY),
  add: (s, v) => {
    const x = toNumber(v);
    if (x > s.x) s.x = x;
  },
  merge: (a, b) => {
    if (b.x > a.x) a.x = b.x;
  },
  result: (s) => s.x,
};

const AVG: Base = {
  needsArgument: true,
  params: 'none',
  resultType: () => 'DOUBLE',
  init: () => newState(),
  add: (s, v) => {
    s.x += toNumber(v);
    s.n++;
  },
  merge: (a, b) => {
    a.x += b.x;
    a.n += b.n;
  },
  // Pinot's default for an empty AVG is -Infinity (null handling off).
  result: (s) => (s.n === 0 ? Number.NEGATIVE_INFINITY : s.x / s.n),
};

const MINMAXRANGE: Base = {
  needsArgument: true,
  params: 'none',
  resultType: () => 'DOUBLE',
  init: () => newState(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  add: (s, v) => {
    const x = toNumber(v);
    if (x < s.x) s.x = x;
    if (x > s.y) s.y = x;
  },
  merge: (a, b) => {
    if (b.x < a.x) a.x = b.x;
    if (b.y > a.y) a.y = b.y;
  },
  result: (s) => s.y - s.x,
};

function distinct(type: DataType): Base {
  return {
    needsArgument: true,
    params: 'optional',
    resultType: () => type,
    init: () => newState(),
    add: (s, v) => {
      (s.set ??= new Set()).add(distinctKey(v));
    },
    merge: (a, b) => {
      if (!b.set) return;
      if (!a.set) a.set = b.set;
      else for (const v of b.set) a.set.add(v);
    },
    result: (s) => (type === 'INT' ? (s.set?.size ?? 0) : BigInt(s.set?.size ?? 0)),
  };
}

function percentile(type: DataType): Base {
  return {
    needsArgument: true,
    params: 'percentile',
    resultType: () => type,
    init: () => newState(),
    add: (s, v) => {
      (s.list ??= []).push(toNumber(v));
    },
    merge: (a, b) => {
      if (!b.list) return;
      if (!a.list) a.list = b.list;
      else for (const v of b.list) a.list.push(v);
    },
    result: (s, p) => {
      const v = percentileOf(s.list ?? [], p);
      return type === 'LONG' ? (s.list?.length ? doubleToLong(v) : -9223372036854775808n) : v;
    },
  };
}

const BASES: Record<string, Base> = {
  count: COUNT,
  sum: SUM,
  min: MIN,
  max: MAX,
  avg: AVG,
  minmaxrange: MINMAXRANGE,
  distinctcount: distinct('INT'),
  distinctcountbitmap: distinct('INT'),
  // HLL and theta sketches are estimates in Pinot; shardtable counts exactly (equal for small sets).
  distinctcounthll: distinct('LONG'),
  distinctcountthetasketch: distinct('LONG'),
  distinctcountsmarthll: distinct('INT'),
  percentile: percentile('DOUBLE'),
  percentileest: percentile('LONG'),
  percentiletdigest: percentile('DOUBLE'),
  percentilekll: percentile('DOUBLE'),
};

/**
 * Looks up an aggregation by canonical call name: `sum`, `summv`, `percentile95`,
 * `percentileestmv`, … Returns the function and, for the legacy `percentileNN` spelling, the
 * percentile embedded in the name.
 */
export function aggregationFunction(canonical: string): { fn: AggregationFunction; embeddedPercentile: number | null } | undefined {
  let name = canonical;
  let isMv = false;
  if (!(name in BASES) && name.endsWith('mv') && name.slice(0, -2) in BASES) {
    name = name.slice(0, -2);
    isMv = true;
  }
  let embedded: number | null = null;
  if (!(name in BASES)) {
    const m = /^(percentile|percentileest|percentiletdigest|percentilekll)(\d+)(mv)?$/.exec(canonical);
    if (!m) return undefined;
    name = m[1]!;
    embedded = Number(m[2]);
    isMv = m[3] !== undefined;
  }
  const base = BASES[name]!;
  return { fn: { ...base, name: canonical, mv: isMv, needsArgument: base.needsArgument || isMv }, embeddedPercentile: embedded };
}

export function isAggregationName(canonical: string): boolean {
  return aggregationFunction(canonical) !== undefined;
}
