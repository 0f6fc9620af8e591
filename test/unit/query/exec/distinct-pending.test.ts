import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { ColumnBlock } from '../../../../src/query/exec/segment-snapshot.js';
import { DistinctStates } from '../../../../src/query/exec/distinct-states.js';
import { parseSql, planQuery } from '../../../../src/query/index.js';
import type { AggregationPlan } from '../../../../src/query/plan/query-plan.js';
import { mulberry32 } from '../../../../src/util/random.js';

/**
 * DISTINCTCOUNT without GROUP BY over a raw INT or LONG column (a consuming segment's) gathers the
 * integers and sorts them into the set's run at the segment's end, or whenever 2^20 are waiting,
 * in place of a hash insert per row. The count must be the true one across many such flushes,
 * beside sorted dictionary runs, with LONGs no double names exactly, and the waiting buffer must
 * stay bounded however many rows repeat the same few values.
 */
const schema = buildTableSchema({
  schemaName: 'p',
  dimensionFieldSpecs: [
    { name: 'l', dataType: 'LONG' },
    { name: 'i', dataType: 'INT' },
  ],
});

function statesFor(column: string): DistinctStates {
  const plan = planQuery(parseSql(`SELECT DISTINCTCOUNT(${column}) FROM p`), schema, 'p') as AggregationPlan;
  return new DistinctStates(plan.aggregations[0]!);
}

/** A raw block of `values` (no dictionary), as a consuming segment hands it to the aggregation. */
function rawBlock(column: string, values: Int32Array | BigInt64Array): (name: string) => ColumnBlock {
  const spec = schema.columns.find((c) => c.name === column)!;
  return () => ({ spec, dictionary: null, dictIds: null, values, offsets: null, nulls: null }) as ColumnBlock;
}

/** Feeds `values` in blocks of 10,000 rows, every other row selected. */
function feed(states: DistinctStates, column: string, values: Int32Array | BigInt64Array): void {
  const block = 10_000;
  const rows = Int32Array.from({ length: block / 2 }, (_, k) => 2 * k);
  for (let at = 0; at < values.length; at += block) {
    const part = values.subarray(at, at + block);
    states.add(rawBlock(column, part), rows, null, part.length >> 1);
  }
}

describe('DISTINCTCOUNT of raw integer columns: sorted at the segment end', () => {
  it('counts LONGs exactly over several buffer flushes, with unsafe LONGs and a sorted run beside them', () => {
    const r = mulberry32(21);
    const n = 3_000_000;
    const values = new BigInt64Array(n);
    for (let k = 0; k < n; k++) {
      const u = Math.floor(r() * 900_000);
      // Every 97th row a LONG past 2^53 that no double tells apart from its neighbours.
      values[k] = k % 97 === 0 ? 2n ** 60n + BigInt(u % 1_000) : BigInt(u) - 400_000n;
    }
    const truth = new Set<bigint>();
    for (let k = 0; k < n; k += 2) truth.add(values[k]!);
    const states = statesFor('l');
    // A sealed dictionary's run first (values 0..99,999 step 2 as LONGs), as the query reads them.
    const run = Float64Array.from({ length: 50_000 }, (_, k) => 2 * k);
    for (const x of run) truth.add(BigInt(x));
    states.addDictionary({ size: run.length, sorted: true, get: (id: number) => BigInt(run[id]!) } as never);
    feed(states, 'l', values);
    states.finish();
    expect(states.result(0)).toBe(truth.size);
  });

  it('counts INTs of few values over many rows with a bounded buffer', () => {
    const n = 5_000_000;
    const values = Int32Array.from({ length: n }, (_, k) => (k * 7919) % 5_001 - 2_500);
    const truth = new Set<number>();
    for (let k = 0; k < n; k += 2) truth.add(values[k]!);
    const states = statesFor('i');
    feed(states, 'i', values);
    // Held while waiting: at most 2^20 doubles (8 MiB), not one per row (2.5M rows: 20 MB).
    expect(states.byteSize()).toBeLessThan(9 * 2 ** 20);
    states.finish();
    expect(states.result(0)).toBe(truth.size);
    // Finished twice, or read after more rows, it stays exact.
    feed(states, 'i', Int32Array.of(1_000_000, 0, 1_000_000, 0));
    states.finish();
    expect(states.result(0)).toBe(truth.size + 1);
  });
});
