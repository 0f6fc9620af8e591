import type { DataType, ScalarValue } from '../../config/data-type.js';
import { isDataType } from '../../config/data-type.js';
import type { AggregationFunction, AggState, CollectionAggregation, LiteralParam } from './aggregation-types.js';
import { COVARIANCE_AGGREGATIONS } from './covariance-aggregations.js';
import { convertTo, toJavaString, toNumber, valueKey } from './values.js';

type Base = Omit<AggregationFunction, 'name' | 'mv'>;

export type { CollectionAggregation, LiteralParam } from './aggregation-types.js';

const newState = (): AggState => ({ n: 0, x: 0, y: 0, set: null, list: null });

/** Values in the order read (segment by segment, row by row); with `distinct`, the first of equal values. */
interface Collected {
  readonly values: unknown[];
  readonly seen: Set<string> | null;
}

function collecting(distinct: boolean, convert: (v: unknown) => unknown): Pick<Base, 'init' | 'add' | 'merge'> {
  const keep = (c: Collected, v: unknown): void => {
    if (c.seen !== null) {
      const key = valueKey(v);
      if (c.seen.has(key)) return;
      c.seen.add(key);
    }
    c.values.push(v);
  };
  const collected = (s: AggState): Collected => (s.v ??= { values: [], seen: distinct ? new Set<string>() : null }) as Collected;
  return {
    init: newState,
    add: (s, v) => {
      if (v === null || v === undefined) return;
      keep(collected(s), convert(v));
    },
    merge: (a, b) => {
      if (b.v === undefined) return;
      const into = collected(a);
      for (const v of (b.v as Collected).values) keep(into, v);
    },
  };
}

const ARRAY_AGG_TYPES: ReadonlySet<DataType> = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BIG_DECIMAL', 'BOOLEAN', 'TIMESTAMP', 'STRING', 'JSON', 'BYTES']);

/** `true`, `'true'` or `'DISTINCT'` (both spellings of Pinot's docs). */
function distinctFlag(p: LiteralParam | undefined, what: string): boolean {
  if (p === undefined) return false;
  if (p.kind === 'boolean') return p.value;
  if (p.kind === 'string' && /^(true|false|distinct)$/i.test(p.text)) return !/^false$/i.test(p.text);
  throw new Error(`${what} must be true, false or 'DISTINCT'`);
}

/**
 * ARRAY_AGG(x, 'TYPE'[, isDistinct]): every value (each value of a multi-value argument) as an
 * array of TYPE, in the order read; an empty group answers `[]`.
 */
const ARRAY_AGG: CollectionAggregation = {
  minParams: 1,
  maxParams: 2,
  specialise(params, arg, distinctKeyword) {
    const p = params[0]!;
    const written = p.kind === 'string' ? p.text.toUpperCase() : '';
    if (!isDataType(written) || !ARRAY_AGG_TYPES.has(written)) {
      throw new Error(`the data type (argument 2) must be one of ${[...ARRAY_AGG_TYPES].map((t) => `'${t}'`).join(', ')}`);
    }
    const type: DataType = written;
    const distinct = distinctKeyword || distinctFlag(params[1], 'isDistinct (argument 3)');
    const fn: Base = {
      kind: 'generic',
      needsArgument: true,
      params: 'literals',
      resultMv: true,
      resultType: () => type,
      ...collecting(distinct, (v) => convertTo(v, type, arg.dataType)),
      result: (s) => ((s.v as Collected | undefined)?.values ?? []) as unknown as ScalarValue,
    };
    return { fn, type: { dataType: type, sv: false } };
  },
};

/**
 * LISTAGG(x[, 'separator'][, isDistinct]) and LISTAGG(DISTINCT x, 'separator'): the values as
 * text joined by the separator (default `,`), in the order read; an empty group answers null.
 */
const LISTAGG: CollectionAggregation = {
  minParams: 0,
  maxParams: 2,
  specialise(params, arg, distinctKeyword) {
    const sep = params[0];
    if (sep !== undefined && sep.kind !== 'string') throw new Error('the separator (argument 2) must be a string literal');
    const separator = sep?.text ?? ',';
    const distinct = distinctKeyword || distinctFlag(params[1], 'isDistinct (argument 3)');
    const fn: Base = {
      kind: 'generic',
      needsArgument: true,
      params: 'literals',
      resultType: () => 'STRING',
      ...collecting(distinct, (v) => toJavaString(v, arg.dataType)),
      result: (s) => {
        const values = (s.v as Collected | undefined)?.values;
        return (values === undefined || values.length === 0 ? null : values.join(separator)) as ScalarValue;
      },
    };
    return { fn, type: { dataType: 'STRING', sv: true } };
  },
};

/** At most this many bins, so one HISTOGRAM cannot allocate without bound. */
export const MAX_HISTOGRAM_BINS = 10_000;

/**
 * HISTOGRAM(x, lower, upper, numBins) or HISTOGRAM(x, ARRAY[e0, e1, …]): counts per bin as
 * DOUBLE_ARRAY. Bins are `[e_i, e_i+1)`, the last one closed `[e_n-1, e_n]`; values outside
 * `[e0, e_n]` (and NaN) are not counted.
 */
const HISTOGRAM: CollectionAggregation = {
  minParams: 1,
  maxParams: 3,
  specialise(params, arg) {
    if (!arg.sv || !['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP', 'BOOLEAN', 'BIG_DECIMAL'].includes(arg.dataType)) {
      throw new Error(`the value (argument 1) must be a single-value number, not ${arg.dataType}${arg.sv ? '' : '_ARRAY'}`);
    }
    const edges = histogramEdges(params);
    const bins = edges.length - 1;
    const lastEdge = edges[bins]!;
    const uniformWidth = params.length === 3 ? (lastEdge - edges[0]!) / bins : 0;
    const binOf = (x: number): number => {
      if (!(x >= edges[0]! && x <= lastEdge)) return -1;
      if (x === lastEdge) return bins - 1;
      if (uniformWidth > 0) {
        // Arithmetic finds the bin; the edges (as written in the result's contract) settle a value
        // that rounding put one bin off.
        let bin = Math.min(bins - 1, Math.floor((x - edges[0]!) / uniformWidth));
        while (bin > 0 && x < edges[bin]!) bin--;
        while (bin < bins - 1 && x >= edges[bin + 1]!) bin++;
        return bin;
      }
      let lo = 0;
      let hi = bins - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (edges[mid]! <= x) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const counts = (s: AggState): Float64Array => (s.v ??= new Float64Array(bins)) as Float64Array;
    const fn: Base = {
      kind: 'generic',
      needsArgument: true,
      params: 'literals',
      resultMv: true,
      resultType: () => 'DOUBLE',
      init: newState,
      add: (s, v) => {
        const b = binOf(toNumber(v));
        if (b >= 0) counts(s)[b]++;
      },
      merge: (a, b) => {
        if (b.v === undefined) return;
        const into = counts(a);
        (b.v as Float64Array).forEach((c, i) => (into[i] += c));
      },
      result: (s) => [...counts(s)] as unknown as ScalarValue,
    };
    return { fn, type: { dataType: 'DOUBLE', sv: false } };
  },
};

function histogramEdges(params: readonly LiteralParam[]): number[] {
  if (params.length === 1) {
    const p = params[0]!;
    if (p.kind !== 'array') throw new Error('the bin edges (argument 2) must be ARRAY[e0, e1, …] of number literals');
    const edges = [...p.values];
    if (edges.length < 2) throw new Error('the bin edges (argument 2) need at least two values');
    if (edges.length - 1 > MAX_HISTOGRAM_BINS) throw new Error(`at most ${MAX_HISTOGRAM_BINS} bins`);
    for (let i = 1; i < edges.length; i++) if (!(edges[i]! > edges[i - 1]!)) throw new Error(`the bin edges must increase strictly; ${edges[i]} follows ${edges[i - 1]}`);
    return edges;
  }
  if (params.length !== 3 || params.some((p) => p.kind !== 'number')) throw new Error('expects HISTOGRAM(x, lower, upper, numBins) with number literals, or HISTOGRAM(x, ARRAY[edges])');
  const [lower, upper, n] = params.map((p) => (p as { value: number }).value) as [number, number, number];
  if (!Number.isInteger(n) || n < 1 || n > MAX_HISTOGRAM_BINS) throw new Error(`numBins (argument 4) must be an integer from 1 to ${MAX_HISTOGRAM_BINS}`);
  if (!(upper > lower) || !Number.isFinite(lower) || !Number.isFinite(upper)) throw new Error('upper (argument 3) must be greater than lower (argument 2), both finite');
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? upper : lower + ((upper - lower) * i) / n));
}

/** The parameterised aggregations, by canonical name (`array_agg` and `arrayagg` are one). */
export const COLLECTION_AGGREGATIONS: Readonly<Record<string, CollectionAggregation>> = {
  ...COVARIANCE_AGGREGATIONS,
  arrayagg: ARRAY_AGG,
  listagg: LISTAGG,
  histogram: HISTOGRAM,
};
