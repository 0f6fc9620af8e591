import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { ScalarValue } from '../../../../src/config/data-type.js';
import type { ColumnSpec } from '../../../../src/config/schema.js';
import { aggregationFunction } from '../../../../src/query/functions/aggregation-functions.js';
import type { AggState } from '../../../../src/query/functions/aggregation-functions.js';
import { exportState, importState } from '../../../../src/query/exec/agg-partials.js';
import { PercentileCounter } from '../../../../src/query/exec/percentile-counter.js';
import type { ColumnBlock } from '../../../../src/query/exec/segment-snapshot.js';
import type { BoundExpr } from '../../../../src/query/plan/bound-expr.js';
import type { Dictionary } from '../../../../src/segment/segment-view.js';

const PERCENTILE = aggregationFunction('percentile')!.fn;
const PS = [0, 0.5, 10, 50, 95, 99.9, 100];

/** Pinot's definition: the element at `(int)(n p / 100)` of the Float64Array-sorted values. */
function sorted(values: readonly number[], p: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return Number.NEGATIVE_INFINITY;
  return s[p >= 100 ? s.length - 1 : Math.min(s.length - 1, Math.trunc((s.length * p) / 100))]!;
}

const spec = { name: 'v', dataType: 'INT', singleValue: true } as unknown as ColumnSpec;
const arg = { kind: 'column', column: spec, type: { dataType: 'INT', sv: true } } as unknown as BoundExpr;

function dictionary(values: readonly ScalarValue[]): Dictionary {
  return { size: values.length, sorted: false, get: (id) => values[id]!, indexOf: (v) => values.indexOf(v) };
}

/** A block of `v` as a dictionary column (ids into `dictValues`) or as raw values. */
function block(column: Partial<ColumnBlock>): (c: string) => ColumnBlock {
  const b = { spec, dictionary: null, dictIds: null, values: null, offsets: null, nulls: null, ...column } as ColumnBlock;
  return () => b;
}

let seed = 7;
const rand = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};

/** Feeds blocks through a counter (every other row selected), then checks every percentile against a sort of the selected values. */
function check(blocks: { feed: (c: string) => ColumnBlock; values: readonly number[] }[]): void {
  const counter = new PercentileCounter(arg);
  const state: AggState = PERCENTILE.init();
  const all: number[] = [];
  for (const b of blocks) {
    const rows = Int32Array.from({ length: Math.ceil(b.values.length / 2) }, (_, i) => 2 * i);
    counter.add(state, b.feed, rows, rows.length);
    for (const r of rows) all.push(b.values[r]!);
  }
  counter.flush(state);
  // Through a partial (cloned as a worker sends it) and merged into another state, too.
  const cloned = importState(deserialize(serialize(exportState(state))) as ReturnType<typeof exportState>);
  const merged = PERCENTILE.init();
  PERCENTILE.add(merged, 1e9);
  PERCENTILE.merge(merged, cloned);
  for (const p of PS) {
    expect(Object.is(PERCENTILE.result(state, p), sorted(all, p)), `p=${p}`).toBe(true);
    expect(Object.is(PERCENTILE.result(merged, p), sorted([...all, 1e9], p)), `merged p=${p}`).toBe(true);
  }
}

describe('percentile counted per dictionary id or integer', () => {
  it('equals a full sort over dictionary columns, segment after segment', () => {
    const dictValues: ScalarValue[][] = [
      [5, 1, 4, 2, 3],
      [-0, 0, Number.NaN, 7.5, -2.25, Number.POSITIVE_INFINITY],
      [10n, 3n, 9_007_199_254_740_993n, 9_007_199_254_740_992n],
    ];
    const blocks = dictValues.flatMap((values) => {
      const dict = dictionary(values);
      return [0, 1].map(() => {
        const ids = Int32Array.from({ length: 3000 }, () => Math.floor(rand() * values.length));
        return { feed: block({ dictionary: dict, dictIds: ids }), values: Array.from(ids, (id) => Number(values[id]!)) };
      });
    });
    check(blocks);
  });

  it('equals a full sort when most dictionary values occur once (values kept as a buffer)', () => {
    const values = Array.from({ length: 5000 }, () => (rand() - 0.5) * 1e6);
    const ids = Uint16Array.from({ length: 5000 }, (_, i) => i);
    check([{ feed: block({ dictionary: dictionary(values), dictIds: ids }), values: Array.from(ids, (id) => values[id]!) }]);
  });

  it('equals a full sort over raw INT columns: a narrow range, a drifting one, one too wide to count', () => {
    const raw = (gen: (i: number) => number, n = 4000): { feed: (c: string) => ColumnBlock; values: number[] } => {
      const values = Int32Array.from({ length: n }, (_, i) => gen(i));
      return { feed: block({ values }), values: Array.from(values) };
    };
    check([raw(() => Math.floor(rand() ** 3 * 5000)), raw(() => Math.floor(rand() * 100) - 50)]);
    check([raw((i) => 1000 + i), raw((i) => -i * 3), raw((i) => 500_000 + i)]);
    check([raw(() => Math.floor((rand() - 0.5) * 2 ** 31)), raw(() => Math.floor(rand() * 10))]);
  });

  it('mixes counted values with a buffer of doubles (raw DOUBLE blocks) exactly', () => {
    const doubles = Float64Array.from({ length: 3000 }, () => [0, -0, Number.NaN, 2.5, 3][Math.floor(rand() * 5)]!);
    const ints = Int32Array.from({ length: 3000 }, () => Math.floor(rand() * 6) - 1);
    check([
      { feed: block({ values: ints }), values: Array.from(ints) },
      { feed: block({ values: doubles }), values: Array.from(doubles) },
    ]);
  });
});
