import { describe, expect, it } from 'vitest';
import type { AggregationPartial } from '../../../../src/query/exec/group-by.js';
import type { DistinctParts } from '../../../../src/query/exec/distinct-values.js';
import { splitByKey } from '../../../../src/query/parallel/local-split.js';
import type { KeyPartition } from '../../../../src/query/parallel/partition-aggregator.js';
import { parseSql, planQuery } from '../../../../src/query/index.js';
import type { AggregationPlan } from '../../../../src/query/plan/query-plan.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { buildTableSchema } from '../../../../src/config/schema.js';

const SCHEMA: PinotSchema = { schemaName: 't', dimensionFieldSpecs: [{ name: 'k', dataType: 'LONG' }, { name: 'i', dataType: 'INT' }], metricFieldSpecs: [{ name: 'v', dataType: 'INT' }] };
const planOf = (sql: string): AggregationPlan => planQuery(parseSql(sql), buildTableSchema(SCHEMA), 't') as AggregationPlan;
const cuts = (column: string, ...bounds: (number | bigint)[]): KeyPartition[] => [null, ...bounds, null].slice(0, -1).map((lo, w, all) => ({ column, lo, hi: w + 1 < all.length ? all[w + 1]! : null }));
const f64 = (...xs: number[]): Float64Array => Float64Array.from(xs);

describe('splitByKey (the main thread reads its segments once for every key partition)', () => {
  const counts: AggregationPartial = { numGroups: 0, keys: [], states: [], limitReached: false, run: { keys: f64(-4, 1, 5, 6, 9, 2 ** 53 - 1), counts: f64(1, 2, 3, 4, 5, 6) } };

  it('cuts a run of counts into one slice per partition, a bigint bound compared exactly', () => {
    const plan = planOf('SELECT k, count(*) FROM t GROUP BY k ORDER BY count(*) DESC, k LIMIT 3');
    const split = splitByKey(plan, counts, cuts('k', 5n, 2n ** 53n - 1n))!;
    expect(split.map((p) => [Array.from((p.run as { keys: Float64Array }).keys), Array.from((p.run as { counts: Float64Array }).counts)])).toEqual([
      [[-4, 1], [1, 2]],
      [[5, 6, 9], [3, 4, 5]],
      [[2 ** 53 - 1], [6]],
    ]);
    expect(split.every((p) => p.numGroups === 0 && p.limitReached === false)).toBe(true);
    // One partition: the whole run; a bound past every key: an empty slice.
    expect(Array.from((splitByKey(plan, counts, cuts('k'))![0]!.run as { keys: Float64Array }).keys)).toEqual([-4, 1, 5, 6, 9, 2 ** 53 - 1]);
    expect(splitByKey(plan, counts, cuts('k', 10n ** 18n))!.map((p) => (p.run as { keys: Float64Array }).keys.length)).toEqual([6, 0]);
  });

  it('cuts dense counts as it cuts their listed run', () => {
    const plan = planOf('SELECT k, count(*) FROM t GROUP BY k ORDER BY count(*) DESC, k LIMIT 3');
    // Keys 3..10 with counts, 0 where no key.
    const dense: AggregationPartial = { ...counts, run: { base: 3, dense: f64(2, 0, 0, 5, 1, 0, 0, 4), widest: 4 } };
    const split = splitByKey(plan, dense, cuts('k', 6n, 9n))!;
    expect(split.map((p) => [Array.from((p.run as { keys: Float64Array }).keys), Array.from((p.run as { counts: Float64Array }).counts)])).toEqual([
      [[3], [2]],
      [[6, 7], [5, 1]],
      [[10], [4]],
    ]);
  });

  it('declines a partial with groups made (not all in the run) or without a run', () => {
    const plan = planOf('SELECT k, count(*) FROM t GROUP BY k ORDER BY count(*) DESC, k LIMIT 3');
    expect(splitByKey(plan, { ...counts, numGroups: 2 }, cuts('k', 5n))).toBeNull();
    const { run: _, ...groups } = counts;
    expect(splitByKey(plan, { ...groups, numGroups: 0 }, cuts('k', 5n))).toBeNull();
  });

  it('sorts distinct values into their partitions: sorted lists sliced, unsorted filtered, bigints past 2^53 too', () => {
    const plan = planOf('SELECT distinctcount(k), distinctcounthll(k) FROM t');
    const longs: DistinctParts = { nums: f64(), numsSorted: false, longs: f64(9, -3, 4, 12), longsSorted: false, others: [2n ** 60n, -(2n ** 60n)] };
    const sorted: DistinctParts = { nums: f64(), numsSorted: true, longs: f64(-3, 4, 9, 12), longsSorted: true, others: [] };
    const partial: AggregationPartial = { numGroups: 1, keys: [], limitReached: false, states: [{ kind: 'distinct', sets: [longs] }, { kind: 'distinct', sets: [sorted] }] };
    const split = splitByKey(plan, partial, cuts('k', 4n, 10n))!;
    const valuesOf = (p: AggregationPartial, s: number): unknown[] => {
      const parts = (p.states[s] as { sets: DistinctParts[] }).sets[0]!;
      return [...Array.from(parts.longs), ...parts.others];
    };
    expect(split.map((p) => valuesOf(p, 0))).toEqual([[-3, -(2n ** 60n)], [9, 4], [12, 2n ** 60n]]);
    expect(split.map((p) => valuesOf(p, 1))).toEqual([[-3], [4, 9], [12]]);
    expect((split[1]!.states[1] as { sets: DistinctParts[] }).sets[0]!.longsSorted).toBe(true);
  });

  it('cuts INT values by number bounds, and keeps a set no segment filled as none', () => {
    const plan = planOf('SELECT distinctcount(i) FROM t');
    const partial: AggregationPartial = { numGroups: 1, keys: [], limitReached: false, states: [{ kind: 'distinct', sets: [null] }] };
    expect(splitByKey(plan, partial, cuts('i', 0))!.map((p) => (p.states[0] as { sets: unknown[] }).sets)).toEqual([[null], [null]]);
    const ints: AggregationPartial = { ...partial, states: [{ kind: 'distinct', sets: [{ nums: f64(-1, 0, 7), numsSorted: true, longs: f64(), longsSorted: false, others: [] }] }] };
    expect(splitByKey(plan, ints, cuts('i', 0))!.map((p) => Array.from((p.states[0] as { sets: DistinctParts[] }).sets[0]!.nums))).toEqual([[-1], [0, 7]]);
  });
});
