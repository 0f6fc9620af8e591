import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../../../src/config/schema.js';
import { groupedAggregation } from '../../../../src/query/exec/agg-states.js';
import type { ColumnBlock } from '../../../../src/query/exec/segment-snapshot.js';
import { aggregationFunction } from '../../../../src/query/functions/aggregation-functions.js';
import type { BoundExpr } from '../../../../src/query/plan/bound-expr.js';
import { mulberry32 } from '../../../../src/util/random.js';

/** A raw column of `values` (Float64Array or Int32Array: read in place). */
function column(dataType: 'DOUBLE' | 'INT', values: ArrayLike<number>): { arg: BoundExpr; block: () => ColumnBlock } {
  const spec = { name: 'v', dataType, singleValue: true } as unknown as ColumnSpec;
  const arg = { kind: 'column', column: spec, type: { dataType, sv: true } } as unknown as BoundExpr;
  return { arg, block: () => ({ spec, dictionary: null, dictIds: null, values, offsets: null, nulls: null }) as unknown as ColumnBlock };
}

describe('aggregations without GROUP BY read a raw column in place', () => {
  const rand = mulberry32(11);
  const n = 6000;
  const doubles = Float64Array.from({ length: n }, () => [Number.NaN, -0, 0, 0.1, 1e17, -3.3, Infinity][Math.floor(rand() * 7)]! * (1 + rand()));
  const ints = Int32Array.from({ length: n }, () => Math.floor((rand() - 0.5) * 2 ** 32));
  // A broad filter's selection: about half the rows.
  const rows = Int32Array.from({ length: n }, (_, i) => i).filter(() => rand() < 0.5);

  it('gives the state the function adds value by value, for every kind, NaN and -0 included', () => {
    for (const [dataType, typed] of [['DOUBLE', doubles], ['INT', ints]] as const) {
      for (const name of ['sum', 'avg', 'min', 'max', 'minmaxrange']) {
        const fn = aggregationFunction(name)!.fn;
        const inPlace = column(dataType, typed);
        const spec = (arg: BoundExpr) => ({ name, fn, arg, param: 0, type: 'DOUBLE' as const, filter: null });
        const a = groupedAggregation(spec(inPlace.arg));
        const reference = fn.init();
        for (let k = 0; k < 2; k++) {
          a.add(inPlace.block, rows, null, rows.length, 1);
          for (const r of rows) fn.add(reference, typed[r]!);
        }
        const want = fn.result(reference, 0);
        const got = a.result(0);
        expect(Object.is(got, want) || got === want, `${name} of ${dataType}`).toBe(true);
      }
    }
  });
});
