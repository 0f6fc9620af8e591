import type { DataType } from '../../config/data-type.js';
import type { AggregationFunction, AggState, DistinctValues } from './aggregation-types.js';
import { COLLECTION_AGGREGATIONS } from './collection-aggregations.js';
import { ROW_TUPLE_AGGREGATIONS } from './row-aggregations.js';
import { VALUE_AGGREGATIONS } from './value-aggregations.js';
import { countsTotal, kthOfUnion, mergeCounts } from './value-counts.js';
import type { ValueCounts } from './value-counts.js';
import { doubleToLong, toNumber, valueKey } from './values.js';

export type { AggKind, AggregationFunction, AggState, DistinctValues } from './aggregation-types.js';

const newState = (x = 0, y = 0): AggState => ({ n: 0, x, y, set: null, list: null });

function distinctKey(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? v : valueKey(v);
}

/** `DistinctValues` in one JS `Set`. */
class DistinctSet implements DistinctValues {
  private readonly set = new Set<unknown>();

  get size(): number {
    return this.set.size;
  }

  add(v: unknown): void {
    this.set.add(distinctKey(v));
  }

  values(): Iterable<unknown> {
    return this.set;
  }
}

/** Appends `x` to a percentile state's buffer. */
export function pushValue(s: AggState, x: number): void {
  let list = s.list;
  if (list === null || s.n === list.length) {
    const grown = new Float64Array(Math.max(16, s.n * 2));
    if (list !== null) grown.set(list);
    list = s.list = grown;
  }
  list[s.n++] = x;
}

/** Appends `values[0..count)` to a percentile state's buffer. */
export function pushValues(s: AggState, values: Float64Array, count: number): void {
  appendTarget(s, count).set(count === values.length ? values : values.subarray(0, count));
  s.n += count;
}

/**
 * Room for `count` more values in a percentile state's buffer: the caller writes them to the
 * returned view, then adds `count` to `s.n`.
 */
export function appendTarget(s: AggState, count: number): Float64Array {
  const need = s.n + count;
  if (s.list === null || need > s.list.length) {
    const grown = new Float64Array(Math.max(16, need, s.n * 2));
    if (s.list !== null) grown.set(s.list.subarray(0, s.n));
    s.list = grown;
  }
  return s.list.subarray(s.n, need);
}

/** Pinot's percentile: sort, take index `(int)(n * p / 100)`, the last value for p = 100. */
export function percentileOf(values: ArrayLike<number>, p: number): number {
  return selectPercentile(Float64Array.from(values), values.length, p);
}

/** Pinot's index of percentile `p` among `n` sorted values (n > 0): `(int)(n * p / 100)`, the last for p = 100. */
export function percentileIndex(n: number, p: number): number {
  return p >= 100 ? n - 1 : Math.min(n - 1, Math.max(0, Math.trunc((n * p) / 100)));
}

/**
 * `percentileOf` over `values[0..n)`, which it reorders: the element a full sort would put at
 * that index (Float64Array order: -0 before 0, NaN last), found without sorting.
 */
export function selectPercentile(values: Float64Array, n: number, p: number): number {
  if (n === 0) return Number.NEGATIVE_INFINITY;
  const k = percentileIndex(n, p);
  return n >= RADIX_MIN && LITTLE_ENDIAN ? radixSelect(values, n, k) : smallSelect(values, n, k);
}

/** Below this many values a histogram pass costs more than it saves. */
const RADIX_MIN = 1 << 14;
/** `radixSelect` reads each double's high word at the odd index of a Uint32Array view. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function smallSelect(values: Float64Array, n: number, k: number): number {
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // NaN and -0 order differently from `<`: leave them to the typed-array sort.
    if (v !== v || (v === 0 && 1 / v < 0)) return values.subarray(0, n).sort()[k]!;
  }
  return quickselect(values, 0, n - 1, k);
}

/**
 * The k-th smallest of `values[0..n)`: a histogram of the top 16 bits of each double's
 * order-preserving bit pattern finds the bucket holding it, then quickselect runs on that
 * bucket's values only. -0 and 0 fall in different buckets, so `<` orders every bucket.
 */
function radixSelect(values: Float64Array, n: number, k: number): number {
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const counts = new Int32Array(1 << 16);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) return values.subarray(0, n).sort()[k]!;
    const hi = words[2 * i + 1]!;
    counts[((hi ^ ((hi >> 31) | 0x80000000)) >>> 16)]++;
  }
  let bucket = 0;
  let before = 0;
  while (before + counts[bucket]! <= k) before += counts[bucket++]!;
  const candidates = new Float64Array(counts[bucket]!);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    if ((hi ^ ((hi >> 31) | 0x80000000)) >>> 16 === bucket) candidates[m++] = values[i]!;
  }
  return quickselect(candidates, 0, m - 1, k - before);
}

/** The k-th smallest of `a[lo..hi]` (no NaN, no -0), reordering the range (Hoare partitions). */
function quickselect(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    if (hi - lo < 16) {
      for (let i = lo + 1; i <= hi; i++) {
        const v = a[i]!;
        let j = i - 1;
        while (j >= lo && a[j]! > v) {
          a[j + 1] = a[j]!;
          j--;
        }
        a[j + 1] = v;
      }
      return a[k]!;
    }
    // Median of three as the pivot, so sorted and reversed inputs stay linear.
    const mid = lo + ((hi - lo) >> 1);
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

type Base = Omit<AggregationFunction, 'name' | 'mv'>;

const COUNT: Base = {
  kind: 'count',
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

/** What SUM, MIN, MAX, AVG and MINMAXRANGE share: one numeric argument, a DOUBLE result. */
const NUMBER_TO_DOUBLE = { needsArgument: true, params: 'none', resultType: (): DataType => 'DOUBLE' } as const;

const SUM: Base = {
  kind: 'sum',
  ...NUMBER_TO_DOUBLE,
  init: () => newState(),
  add: (s, v) => {
    s.x += toNumber(v);
  },
  merge: (a, b) => {
    a.x += b.x;
  },
  result: (s) => s.x,
};

/**
 * MIN and MAX, one definition with the comparison picked by `kind` (a constant per function, so
 * the branch costs nothing). NaN never replaces the state; -0 and 0 keep the first seen.
 */
function extremum(kind: 'min' | 'max'): Base {
  const min = kind === 'min';
  return {
    kind,
    ...NUMBER_TO_DOUBLE,
    init: () => newState(min ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY),
    add: (s, v) => {
      const x = toNumber(v);
      if (min ? x < s.x : x > s.x) s.x = x;
    },
    merge: (a, b) => {
      if (min ? b.x < a.x : b.x > a.x) a.x = b.x;
    },
    result: (s) => s.x,
  };
}

const AVG: Base = {
  kind: 'avg',
  ...NUMBER_TO_DOUBLE,
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
  kind: 'minmaxrange',
  ...NUMBER_TO_DOUBLE,
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
    kind: 'distinct',
    needsArgument: true,
    params: 'optional',
    resultType: () => type,
    init: () => newState(),
    add: (s, v) => {
      (s.set ??= new DistinctSet()).add(v);
    },
    merge: (a, b) => {
      if (!b.set) return;
      if (!a.set) a.set = b.set;
      else for (const v of b.set.values()) a.set.add(v);
    },
    result: (s) => (type === 'INT' ? (s.set?.size ?? 0) : BigInt(s.set?.size ?? 0)),
  };
}

function percentile(type: DataType): Base {
  return {
    kind: 'percentile',
    needsArgument: true,
    params: 'percentile',
    resultType: () => type,
    init: () => newState(),
    add: (s, v) => {
      pushValue(s, toNumber(v));
    },
    merge: (a, b) => {
      if (b.list) pushValues(a, b.list, b.n);
      if (b.v !== undefined) a.v = mergeCounts(a.v as ValueCounts | undefined, b.v as ValueCounts);
    },
    result: (s, p) => {
      const counted = s.v as ValueCounts | undefined;
      const total = s.n + countsTotal(counted);
      let v: number;
      if (counted === undefined) v = s.list === null ? Number.NEGATIVE_INFINITY : selectPercentile(s.list, s.n, p);
      else v = total === 0 ? Number.NEGATIVE_INFINITY : kthOfUnion(s.list, s.n, counted, percentileIndex(total, p));
      return type === 'LONG' ? (total > 0 ? doubleToLong(v) : -9223372036854775808n) : v;
    },
  };
}

/**
 * The entry of a parameterised aggregation (`COLLECTION_AGGREGATIONS`): it names the function as
 * an aggregation; the binder replaces it by the function specialised to its literal parameters.
 */
const UNSPECIALISED: Base = {
  kind: 'generic',
  needsArgument: true,
  params: 'literals',
  resultType: () => 'STRING',
  init: () => {
    throw new Error('internal: a parameterised aggregation ran before its parameters were bound');
  },
  add: () => undefined,
  merge: () => undefined,
  result: () => '',
};

const BASES: Record<string, Base> = {
  count: COUNT,
  sum: SUM,
  min: extremum('min'),
  max: extremum('max'),
  avg: AVG,
  minmaxrange: MINMAXRANGE,
  distinctcount: distinct('INT'),
  distinctcountbitmap: distinct('INT'),
  // HLL and theta sketches are estimates in Pinot; shardtable counts exactly (equal for small sets).
  distinctcounthll: distinct('LONG'),
  distinctcountthetasketch: distinct('LONG'),
  distinctcountsmarthll: distinct('INT'),
  // Pinot's other approximate distinct counts (HLL++, UltraLogLog, CPC) and the per-segment sum
  // of SEGMENTPARTITIONEDDISTINCTCOUNT (exact when values are partitioned by segment): exact here.
  distinctcounthllplus: distinct('LONG'),
  distinctcountull: distinct('LONG'),
  distinctcountcpcsketch: distinct('LONG'),
  segmentpartitioneddistinctcount: distinct('LONG'),
  percentile: percentile('DOUBLE'),
  percentileest: percentile('LONG'),
  percentiletdigest: percentile('DOUBLE'),
  percentilekll: percentile('DOUBLE'),
  ...VALUE_AGGREGATIONS,
  ...Object.fromEntries([...Object.keys(COLLECTION_AGGREGATIONS), ...ROW_TUPLE_AGGREGATIONS].map((name) => [name, UNSPECIALISED])),
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
