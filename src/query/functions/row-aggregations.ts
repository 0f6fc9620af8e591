import type { DataType, ScalarValue } from '../../config/data-type.js';
import type { AggregationFunction, AggState } from './aggregation-types.js';
import { compareValues, valueKey } from './values.js';

type Base = Omit<AggregationFunction, 'name' | 'mv'>;

const newState = (): AggState => ({ n: 0, x: 0, y: 0, set: null, list: null });

/**
 * Aggregations whose row arguments travel as one tuple per row (`[a, b, …]`); the binder
 * (`plan/row-aggregation-binding.ts`) builds them from their arguments.
 */
export const ROW_TUPLE_AGGREGATIONS: ReadonlySet<string> = new Set(['exprmin', 'exprmax', 'funnelcount', 'funnelmaxstep', 'funnelmatchstep', 'funnelcompletecount']);

/** What a row-tuple aggregation answers: its function and its result type. */
export interface RowAggregation {
  readonly fn: Base;
  readonly type: DataType;
  readonly resultMv: boolean;
}

/**
 * Orders sort keys as Calcite does by default: nulls are the highest value (last ascending,
 * first descending); `desc[i]` flips key i.
 */
export function compareKeys(a: readonly unknown[], b: readonly unknown[], desc: readonly boolean[]): number {
  for (let i = 0; i < desc.length; i++) {
    const x = a[i];
    const y = b[i];
    const xNull = x === null || x === undefined;
    const yNull = y === null || y === undefined;
    const c = xNull || yNull ? (xNull === yNull ? 0 : xNull ? 1 : -1) : compareValues(x, y);
    if (c !== 0) return desc[i] ? -c : c;
  }
  return 0;
}

interface OrderedList {
  /** Each value's text and its row's sort keys, in the order read. */
  readonly entries: { readonly text: string; readonly keys: readonly unknown[] }[];
  readonly seen: Set<string> | null;
}

/**
 * LISTAGG(x, sep) WITHIN GROUP (ORDER BY k1 [DESC], …): each row arrives as `[x, k1, …]` (x an
 * array for a multi-value argument: each of its values is listed with the row's keys). The texts
 * are sorted by the keys (stable: equal keys keep the order read) and joined by `sep`; with
 * DISTINCT the first of equal texts is kept. An empty group answers null.
 */
export function orderedListAgg(separator: string, distinct: boolean, desc: readonly boolean[], text: (v: unknown) => string): RowAggregation {
  const list = (s: AggState): OrderedList => (s.v ??= { entries: [], seen: distinct ? new Set<string>() : null }) as OrderedList;
  const keep = (into: OrderedList, entry: OrderedList['entries'][number]): void => {
    if (into.seen !== null) {
      if (into.seen.has(entry.text)) return;
      into.seen.add(entry.text);
    }
    into.entries.push(entry);
  };
  const fn: Base = {
    kind: 'generic',
    needsArgument: true,
    params: 'literals',
    resultType: () => 'STRING',
    init: newState,
    add: (s, tuple) => {
      const [value, ...keys] = tuple as unknown[];
      if (value === null || value === undefined) return;
      for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) keep(list(s), { text: text(v), keys });
    },
    merge: (a, b) => {
      if (b.v === undefined) return;
      const into = list(a);
      for (const entry of (b.v as OrderedList).entries) keep(into, entry);
    },
    result: (s) => {
      const entries = (s.v as OrderedList | undefined)?.entries;
      if (entries === undefined || entries.length === 0) return null as unknown as ScalarValue;
      const sorted = [...entries].sort((x, y) => compareKeys(x.keys, y.keys, desc));
      return sorted.map((e) => e.text).join(separator);
    },
  };
  return { fn, type: 'STRING', resultMv: false };
}

interface Extreme {
  measures: unknown[];
  projection: unknown;
}

/** Orders two projections of a full tie: scalars as values, arrays by their text. */
function compareProjections(a: unknown, b: unknown): number {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = valueKey(a);
    const y = valueKey(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareValues(a, b);
}

/**
 * EXPR_MIN / EXPR_MAX(projection, measure1, measure2, …): the projection of the row whose
 * measures are smallest / largest, compared in order (measure2 breaks ties of measure1, …). Each
 * row arrives as `[projection, measure1, …]`; a row with a null measure is skipped. When rows tie
 * on every measure, the smallest projection is answered (Pinot answers one result row per tied
 * row; shardtable answers one value). No rows: null.
 */
export function exprMinMax(max: boolean, projectionType: DataType, projectionSv: boolean): RowAggregation {
  const better = (measures: readonly unknown[], projection: unknown, kept: Extreme): boolean => {
    for (let i = 0; i < measures.length; i++) {
      const c = compareValues(measures[i], kept.measures[i]);
      if (c !== 0) return max ? c > 0 : c < 0;
    }
    return compareProjections(projection, kept.projection) < 0;
  };
  const offer = (s: AggState, measures: unknown[], projection: unknown): void => {
    const kept = s.v as Extreme | undefined;
    if (kept === undefined || better(measures, projection, kept)) s.v = { measures, projection };
  };
  const fn: Base = {
    kind: 'generic',
    needsArgument: true,
    params: 'literals',
    resultMv: !projectionSv,
    resultType: () => projectionType,
    init: newState,
    add: (s, tuple) => {
      const [projection, ...measures] = tuple as unknown[];
      if (measures.some((m) => m === null || m === undefined)) return;
      offer(s, measures, projection);
    },
    merge: (a, b) => {
      const from = b.v as Extreme | undefined;
      if (from !== undefined) offer(a, from.measures, from.projection);
    },
    result: (s) => ((s.v as Extreme | undefined)?.projection ?? null) as ScalarValue,
  };
  return { fn, type: projectionType, resultMv: !projectionSv };
}
