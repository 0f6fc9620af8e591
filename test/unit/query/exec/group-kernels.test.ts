import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../../../src/config/schema.js';
import { groupedAggregation } from '../../../../src/query/exec/agg-states.js';
import { avgByGroup, countByGroup, inRuns, maxByGroup, minByGroup, rangeByGroup, sumByGroup, sumRowsByGroupF64, sumRowsByGroupI32 } from '../../../../src/query/exec/group-kernels.js';
import type { ColumnBlock } from '../../../../src/query/exec/segment-snapshot.js';
import { aggregationFunction } from '../../../../src/query/functions/aggregation-functions.js';
import type { BoundExpr } from '../../../../src/query/plan/bound-expr.js';
import { mulberry32 } from '../../../../src/util/random.js';

const spec = { name: 'v', dataType: 'DOUBLE', singleValue: true } as unknown as ColumnSpec;
const arg = { kind: 'column', column: spec, type: { dataType: 'DOUBLE', sv: true } } as unknown as BoundExpr;
const GROUPS = 7;

/** Runs of 1-`longest` rows over 7 groups, groups coming back. */
function groupIds(n: number, longest: number, rand: () => number): Int32Array {
  const gids = new Int32Array(n);
  for (let i = 0, g = 0; i < n; g = (g + 1 + Math.floor(rand() * 3)) % GROUPS) {
    const len = 1 + Math.floor(rand() * longest);
    gids.fill(g, i, Math.min(n, i + len));
    i += len;
  }
  return gids;
}

const same = (a: number, b: number): boolean => Object.is(a, b);

describe('group kernels: per row and by runs give the same states', () => {
  const rand = mulberry32(3);
  const n = 5000;
  const values = Float64Array.from({ length: n }, () => [Number.NaN, -0, 0, 0.1, 1e17, -3.3][Math.floor(rand() * 6)]! * (1 + rand()));

  it('inRuns tells runs from a random order', () => {
    expect(inRuns(groupIds(n, 200, rand), n)).toBe(true);
    expect(inRuns(Int32Array.from({ length: n }, (_, i) => i % 3), n)).toBe(false);
    expect(inRuns(new Int32Array(1), 1)).toBe(true);
  });

  it('for every kernel, from states already started, NaN, -0 and sum order included', () => {
    for (const longest of [1, 3, 200]) {
      const gids = groupIds(n, longest, rand);
      const fresh = (x: number): Float64Array => new Float64Array(GROUPS).fill(x);
      const check = (name: string, run: (xs: Float64Array, ys: Float64Array, runs: boolean) => void, x0: number): void => {
        const [a, b, ya, yb] = [fresh(x0), fresh(x0), fresh(-Infinity), fresh(-Infinity)];
        // Two blocks, so the second continues states the first started.
        for (let k = 0; k < 2; k++) {
          run(a, ya, false);
          run(b, yb, true);
        }
        for (let g = 0; g < GROUPS; g++) expect(same(a[g]!, b[g]!) && same(ya[g]!, yb[g]!), `${name} group ${g}, runs up to ${longest}`).toBe(true);
      };
      check('count', (xs, _ys, runs) => countByGroup(xs, gids, n, runs), 0);
      check('sum', (xs, _ys, runs) => sumByGroup(xs, values, gids, n, runs), 0);
      check('avg', (xs, ys, runs) => avgByGroup(xs, ys, values, gids, n, runs), 0);
      check('min', (xs, _ys, runs) => minByGroup(xs, values, gids, n, runs), Infinity);
      check('max', (xs, _ys, runs) => maxByGroup(xs, values, gids, n, runs), -Infinity);
      check('range', (xs, ys, runs) => rangeByGroup(xs, ys, values, gids, n, runs), Infinity);
    }
  });

  it('SUM and AVG read in place from a raw column through selected rows, DOUBLE and INT', () => {
    const ints = Int32Array.from({ length: n }, () => Math.floor((rand() - 0.5) * 2 ** 32));
    // Every other row selected, so rows are not the identity.
    const m = n >> 1;
    const rows = Int32Array.from({ length: m }, (_, i) => 2 * i + (i % 3 === 0 ? 1 : 0));
    for (const longest of [1, 3, 200]) {
      const gids = groupIds(m, longest, rand);
      for (const withCount of [false, true]) {
        for (const runs of [false, true]) {
          const [xs, ns, wantX, wantN] = [new Float64Array(GROUPS), new Float64Array(GROUPS), new Float64Array(GROUPS), new Float64Array(GROUPS)];
          const [xi, ni, wantXi] = [new Float64Array(GROUPS), new Float64Array(GROUPS), new Float64Array(GROUPS)];
          for (let k = 0; k < 2; k++) {
            sumRowsByGroupF64(xs, withCount ? ns : null, values, rows, gids, m, runs);
            sumRowsByGroupI32(xi, withCount ? ni : null, ints, rows, gids, m, runs);
            for (let i = 0; i < m; i++) {
              wantX[gids[i]!] += values[rows[i]!]!;
              wantXi[gids[i]!] += ints[rows[i]!]!;
              if (withCount) wantN[gids[i]!]++;
            }
          }
          for (let g = 0; g < GROUPS; g++) {
            expect(same(xs[g]!, wantX[g]!) && same(xi[g]!, wantXi[g]!), `sum group ${g}, runs up to ${longest}, by runs ${runs}`).toBe(true);
            expect([ns[g], ni[g]]).toEqual([wantN[g], withCount ? wantN[g] : 0]);
          }
        }
      }
    }
  });

  it('the states of every numeric kind equal a row-by-row reference through groupedAggregation', () => {
    const block = (): ColumnBlock => ({ spec, dictionary: null, dictIds: null, values, offsets: null, nulls: null }) as ColumnBlock;
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    for (const longest of [1, 200]) {
      const gids = groupIds(n, longest, rand);
      for (const name of ['count', 'sum', 'avg', 'min', 'max', 'minmaxrange']) {
        const fn = aggregationFunction(name)!.fn;
        const aggSpec = { name, fn, arg: name === 'count' ? null : arg, param: 0, type: 'DOUBLE' as const, filter: null };
        const states = groupedAggregation(aggSpec);
        const reference = Array.from({ length: GROUPS }, () => fn.init());
        for (let k = 0; k < 2; k++) {
          states.add(block, rows, gids, n, GROUPS);
          for (let i = 0; i < n; i++) fn.add(reference[gids[i]!]!, name === 'count' ? undefined : values[i]);
        }
        for (let g = 0; g < GROUPS; g++) {
          const want = fn.result(reference[g]!, 0);
          expect(Object.is(states.result(g), want) || states.result(g) === want, `${name} group ${g}`).toBe(true);
        }
      }
    }
  });
});
