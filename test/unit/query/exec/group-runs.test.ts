import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../../../src/config/schema.js';
import { groupedAggregation } from '../../../../src/query/exec/agg-states.js';
import { GroupRuns } from '../../../../src/query/exec/group-runs.js';
import type { ColumnBlock } from '../../../../src/query/exec/segment-snapshot.js';
import { aggregationFunction } from '../../../../src/query/functions/aggregation-functions.js';
import type { BoundExpr } from '../../../../src/query/plan/bound-expr.js';

const spec = { name: 'v', dataType: 'DOUBLE', singleValue: true } as unknown as ColumnSpec;
const arg = { kind: 'column', column: spec, type: { dataType: 'DOUBLE', sv: true } } as unknown as BoundExpr;

describe('aggregation by runs of one group', () => {
  it('finds runs only when they are long', () => {
    const runs = new GroupRuns();
    expect(runs.of(Int32Array.from([3, 3, 3, 3, 3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5]), 16)).toBe(2);
    expect([...runs.starts.subarray(0, 3)]).toEqual([0, 8, 16]);
    expect([...runs.gids.subarray(0, 2)]).toEqual([3, 5]);
    expect(runs.of(Int32Array.from([1, 2, 1, 2, 1, 2, 1, 2]), 8)).toBe(0);
  });

  it('gives the states row-by-row adding gives, for every numeric kind (NaN, -0 and sum order included)', () => {
    let seed = 3;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const n = 5000;
    const values = Float64Array.from({ length: n }, () => [Number.NaN, -0, 0, 0.1, 1e17, -3.3][Math.floor(rand() * 6)]! * (1 + rand()));
    const block = (): ColumnBlock => ({ spec, dictionary: null, dictIds: null, values, offsets: null, nulls: null }) as ColumnBlock;
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    // Runs of 1-200 rows over 7 groups, groups coming back.
    const gids = new Int32Array(n);
    for (let i = 0, g = 0; i < n; g = (g + 1 + Math.floor(rand() * 3)) % 7) {
      const len = 1 + Math.floor(rand() * 200);
      gids.fill(g, i, Math.min(n, i + len));
      i += len;
    }
    const runs = new GroupRuns();
    const numRuns = runs.of(gids, n);
    expect(numRuns).toBeGreaterThan(0);
    for (const name of ['count', 'sum', 'avg', 'min', 'max', 'minmaxrange']) {
      const fn = aggregationFunction(name)!.fn;
      const aggSpec = { name, fn, arg: name === 'count' ? null : arg, param: 0, type: 'DOUBLE' as const, filter: null };
      const byRow = groupedAggregation(aggSpec);
      const byRun = groupedAggregation(aggSpec);
      // Two blocks, so runs continue states already started.
      for (let k = 0; k < 2; k++) {
        byRow.add(block, rows, gids, n, 7);
        byRun.addRuns!(block, rows, runs.starts, runs.gids, numRuns, 7);
      }
      for (let g = 0; g < 7; g++) expect(Object.is(byRun.result(g), byRow.result(g)) || byRun.result(g) === byRow.result(g), `${name} group ${g}`).toBe(true);
    }
  });
});
