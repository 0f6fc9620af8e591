import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { PinotSchema, TableSchema } from '../../../../src/config/schema.js';
import { compileExpr, compileRowExpr, truthy } from '../../../../src/query/exec/compile-expr.js';
import { compareKeys, orderKey } from '../../../../src/query/exec/order.js';
import type { SegmentSnapshot } from '../../../../src/query/exec/segment-snapshot.js';
import type { AggState } from '../../../../src/query/functions/aggregation-functions.js';
import { valueKey } from '../../../../src/query/functions/values.js';
import { executePlan, parseSql, planQuery, snapshotRuntime } from '../../../../src/query/index.js';
import type { AggregationPlan } from '../../../../src/query/plan/query-plan.js';
import type { BoundExpr } from '../../../../src/query/plan/bound-expr.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

/**
 * The group-by engine against a plain reference (string keys per row, one generic state per
 * group and aggregation, a full stable sort), over segments with different dictionaries, raw and
 * dictionary copies of each column, LONG values beyond 2^53, -0, NaN and multi-value columns.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'g',
  dimensionFieldSpecs: [
    { name: 'k', dataType: 'LONG' },
    { name: 'kr', dataType: 'LONG' },
    { name: 'i', dataType: 'INT' },
    { name: 'ir', dataType: 'INT' },
    { name: 's', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'nums', dataType: 'INT', singleValueField: false },
  ],
  metricFieldSpecs: [
    { name: 'd', dataType: 'DOUBLE' },
    { name: 'dd', dataType: 'DOUBLE' },
    { name: 'f', dataType: 'FLOAT' },
  ],
  dateTimeFieldSpecs: [
    { name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' },
    { name: 'tsr', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' },
  ],
};
const RAW = ['kr', 'ir', 'd', 'f', 'tsr'];

const LONGS = [1n, 2n, -3n, 0n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 53n + 2n, -(2n ** 60n), 1_000_000n];
const INTS = [0, 1, -1, 7, 2147483647, -2147483648];
const DOUBLES = [0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, 2.5, -7.25];
const STRINGS = ['a', 'b', '', 'null', 'z'];
const TAGS = ['x', 'y', 'w'];
const T0 = 1_790_000_000_000;

/** `wide`: keys drawn from thousands of values, so blocks take the bulk (sorted-merge) paths. */
function rows(n: number, wide = false): (CellValue | null)[][] {
  let seed = 12345;
  const rand = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % m;
  };
  return Array.from({ length: n }, (_, r) => {
    const k = wide && rand(10) > 0 ? BigInt(rand(5000)) * 7919n - 1_000_000n : LONGS[rand(LONGS.length)]!;
    const i = wide && rand(10) > 0 ? rand(3000) - 1500 : INTS[rand(INTS.length)]!;
    const d = DOUBLES[rand(DOUBLES.length)]!;
    // Hours and minutes around T0, some before the epoch.
    const ts = BigInt(rand(10) === 0 ? -rand(100_000_000) : T0 + rand(48) * 1_800_000 + rand(60_000));
    const tags = TAGS.filter(() => rand(2) === 0);
    // Row 7 is all nulls: default values.
    if (r === 7) return [null, null, null, null, null, null, null, null, null, null, null, null];
    // Schema order: dimensions, metrics, date-times.
    return [k, k, i, i, STRINGS[rand(STRINGS.length)]!, tags.length > 0 ? tags : ['x', 'x'], [i, rand(5)], d, d, Math.fround(d), ts, ts];
  });
}

const QUERIES = [
  // Single dictionary / raw keys of every type, every typed aggregation.
  'SELECT k, count(*), sum(i), min(d), max(d), avg(ir), minmaxrange(ir) FROM g GROUP BY k ORDER BY k LIMIT 100',
  'SELECT kr, count(*), sum(dd), min(f), max(f), avg(d) FROM g GROUP BY kr ORDER BY kr LIMIT 100',
  'SELECT i, count(*), sum(k), avg(kr) FROM g GROUP BY i ORDER BY i LIMIT 100',
  'SELECT ir, count(*) FROM g GROUP BY ir ORDER BY ir LIMIT 100',
  'SELECT d, count(*), sum(ir) FROM g GROUP BY d ORDER BY d LIMIT 100',
  'SELECT dd, count(*) FROM g GROUP BY dd ORDER BY dd LIMIT 100',
  'SELECT f, count(*) FROM g GROUP BY f ORDER BY f LIMIT 100',
  'SELECT s, count(*), sum(d) FROM g GROUP BY s ORDER BY s LIMIT 100',
  'SELECT ts, count(*) FROM g GROUP BY ts ORDER BY ts LIMIT 1000',
  'SELECT tsr, count(*) FROM g GROUP BY tsr ORDER BY tsr LIMIT 1000',
  // Time buckets over dictionary and raw timestamps, with zones and calendar units.
  "SELECT DATETRUNC('HOUR', ts), count(*), avg(ir) FROM g GROUP BY DATETRUNC('HOUR', ts) ORDER BY DATETRUNC('HOUR', ts) LIMIT 1000",
  "SELECT DATETRUNC('day', tsr), count(*) FROM g GROUP BY DATETRUNC('day', tsr) ORDER BY 1 LIMIT 1000",
  "SELECT DATETRUNC('MINUTE', ts, 'MILLISECONDS', '+05:30'), count(*) FROM g GROUP BY DATETRUNC('MINUTE', ts, 'MILLISECONDS', '+05:30') ORDER BY 1 LIMIT 1000",
  "SELECT DATETRUNC('HOUR', tsr, 'MILLISECONDS', '-03:00', 'MILLISECONDS'), count(*) FROM g GROUP BY DATETRUNC('HOUR', tsr, 'MILLISECONDS', '-03:00', 'MILLISECONDS') ORDER BY 1 LIMIT 1000",
  "SELECT DATETRUNC('WEEK', ts), DATETRUNC('MONTH', tsr), count(*) FROM g GROUP BY DATETRUNC('WEEK', ts), DATETRUNC('MONTH', tsr) ORDER BY 1, 2 LIMIT 1000",
  "SELECT DATETRUNC('HOUR', ts, 'SECONDS'), count(*) FROM g GROUP BY DATETRUNC('HOUR', ts, 'SECONDS') ORDER BY 1 LIMIT 1000",
  "SELECT DATETRUNC('SECOND', i), DATETRUNC('SECOND', ir), count(*) FROM g GROUP BY DATETRUNC('SECOND', i), DATETRUNC('SECOND', ir) ORDER BY 1, 2 LIMIT 100",
  "SELECT DATETRUNC('SECOND', ir), count(*) FROM g GROUP BY DATETRUNC('SECOND', ir) ORDER BY 1 LIMIT 100",
  // Composite, expression, null and multi-value keys.
  'SELECT k, s, count(*), sum(d) FROM g GROUP BY k, s ORDER BY k, s LIMIT 1000',
  'SELECT kr, s, i, count(*) FROM g GROUP BY kr, s, i ORDER BY kr, s, i LIMIT 1000',
  // Typed composite keys: raw doubles with -0 and NaN, expressions over a dictionary column, raw LONGs.
  'SELECT d, i, count(*), sum(ir) FROM g GROUP BY d, i ORDER BY d, i LIMIT 1000',
  'SELECT f, dd, kr, count(*) FROM g GROUP BY f, dd, kr ORDER BY f, dd, kr LIMIT 1000',
  'SELECT hour(ts), s, k + 1, count(*) FROM g GROUP BY hour(ts), s, k + 1 ORDER BY 1, 2, 3 LIMIT 1000',
  'SELECT hour(tsr), s, d * 2, count(*) FROM g GROUP BY hour(tsr), s, d * 2 ORDER BY 1, 2, 3 LIMIT 1000',
  'SELECT 1 / d, i, kr - 1, count(*), sum(ir) FROM g GROUP BY 1 / d, i, kr - 1 ORDER BY 1, 2, 3 LIMIT 1000',
  "SELECT DATETRUNC('HOUR', tsr), i % 3, count(*) FROM g GROUP BY DATETRUNC('HOUR', tsr), i % 3 ORDER BY 1, 2 LIMIT 1000",
  "SELECT CASE WHEN i > 0 THEN s END, count(*) FROM g GROUP BY CASE WHEN i > 0 THEN s END ORDER BY count(*) DESC LIMIT 10",
  'SELECT k + 1, count(*) FROM g GROUP BY k + 1 ORDER BY 1 LIMIT 100',
  'SELECT tags, count(*), sum(d) FROM g GROUP BY tags ORDER BY tags LIMIT 100',
  'SELECT tags, s, count(*) FROM g GROUP BY tags, s ORDER BY tags, s LIMIT 100',
  'SELECT nums, count(*) FROM g GROUP BY nums ORDER BY nums LIMIT 100',
  'SELECT DISTINCT s, i FROM g ORDER BY s, i LIMIT 100',
  // DISTINCTCOUNT across dictionaries and raw columns, with and without GROUP BY.
  'SELECT distinctcount(k), distinctcount(kr), distinctcount(d), distinctcount(dd), distinctcount(f), distinctcount(s), distinctcounthll(ts), distinctcount(tsr), distinctcount(i), distinctcount(ir) FROM g',
  'SELECT s, distinctcount(k), distinctcount(kr), distinctcount(d), distinctcount(dd), distinctcountbitmap(ts) FROM g GROUP BY s ORDER BY s LIMIT 100',
  'SELECT distinctcount(k + 0), distinctcount(CASE WHEN i > 0 THEN s END) FROM g',
  // Percentiles.
  'SELECT percentile(d, 50), percentile(dd, 0), percentile(ir, 100), percentileest(k, 90), percentile(kr, 95), percentiletdigest(f, 10) FROM g',
  'SELECT s, percentile(d, 50), percentileest(ir, 95) FROM g GROUP BY s ORDER BY s LIMIT 100',
  // ORDER BY aggregates with ties, OFFSET, expressions, HAVING, no ORDER BY.
  'SELECT i, count(*) FROM g GROUP BY i ORDER BY count(*) DESC LIMIT 2',
  'SELECT k, count(*) AS n FROM g GROUP BY k ORDER BY n DESC, k LIMIT 3 OFFSET 1',
  'SELECT ts, count(*) AS n FROM g GROUP BY ts ORDER BY n DESC LIMIT 5',
  'SELECT kr, sum(d) FROM g GROUP BY kr ORDER BY sum(d) LIMIT 2',
  'SELECT s, max(i) - min(i) FROM g GROUP BY s ORDER BY max(i) - min(i) DESC, s LIMIT 2',
  'SELECT k, percentile(ir, 50) FROM g GROUP BY k ORDER BY percentile(ir, 50) DESC LIMIT 3',
  'SELECT k, distinctcount(s) FROM g GROUP BY k ORDER BY distinctcount(s) DESC LIMIT 3',
  'SELECT k, count(*) FROM g GROUP BY k HAVING count(*) > 2 ORDER BY count(*) LIMIT 2',
  'SELECT tsr, count(*) FROM g GROUP BY tsr LIMIT 3',
  'SELECT k, s, count(*) FROM g GROUP BY k, s LIMIT 4',
  // Filters on expressions of one column (per dictionary id / per distinct raw value, with -0,
  // NaN and LONGs beyond 2^53) and arithmetic arguments evaluated a block at a time.
  'SELECT count(*), sum(i * d), sum(kr - ir), min(f / ir), max(k % 7), sum(ir + ir * ir) FROM g WHERE year(ts) = 2026 OR hour(tsr) < 5',
  'SELECT s, sum(d * 2 + dd), avg(kr + 1), sum(ts - tsr) FROM g WHERE hour(tsr) BETWEEN 3 AND 20 AND d * 2 > 1 GROUP BY s ORDER BY s LIMIT 100',
  'SELECT count(*), sum(ir) FROM g WHERE kr + 0 > 9007199254740992 OR k - 1 < -5',
  'SELECT count(*), sum(i) FROM g WHERE 1 / d < 0',
  'SELECT count(*), sum(i) FROM g WHERE 1 / dd < 0',
  'SELECT count(*), sum(i) FROM g WHERE f + 1 <> f + 1',
  'SELECT count(*) FROM g WHERE ir % 2 = 1 AND i % 2 = 1 AND NOT (d > 0)',
  // Multi-value aggregations and filters.
  'SELECT s, countmv(tags), summv(nums), distinctcountmv(tags), percentilemv(nums, 50) FROM g GROUP BY s ORDER BY s LIMIT 100',
  'SELECT k, count(*), sum(d) FROM g WHERE i > 0 GROUP BY k ORDER BY k LIMIT 100',
  'SELECT count(*), sum(d), min(ir), max(kr), avg(f), minmaxrange(ts) FROM g WHERE s = \'a\'',
];

describe('group-by against a reference', () => {
  let f: QueryFixture;
  let schema: TableSchema;
  let segments: () => SegmentSnapshot[];
  beforeAll(async () => {
    f = await buildFixture(SCHEMA, rows(600), { segmentRows: 150, indexing: { noDictionaryColumns: RAW } });
    schema = buildTableSchema(SCHEMA);
    segments = () => snapshotRuntime({ queryableSegments: () => ({ sealed: f.sealed, consuming: f.consuming }) });
  });
  afterAll(() => f.cleanup());

  for (const sql of QUERIES) {
    for (const limit of [100_000, 7, 1]) {
      it(`${sql} (numGroupsLimit ${limit})`, async () => {
        const plan = planQuery(parseSql(sql), schema, 'g', new Map([['numGroupsLimit', String(limit)]])) as AggregationPlan;
        expect(plan.kind).toBe('aggregation');
        const got = await executePlan(plan, segments(), Date.now() + 60_000);
        const want = reference(plan, segments());
        expect(got.rows).toEqual(want.rows);
        expect(got.numGroupsLimitReached).toBe(want.limitReached);
      });
    }
  }

  it('reaches the limit on a key first seen after it, and keeps earlier groups whole', async () => {
    const r = await f.query('SELECT k, count(*) FROM g GROUP BY k ORDER BY count(*) DESC LIMIT 100', 'numGroupsLimit=3');
    expect(r.numGroupsLimitReached).toBe(true);
    expect(r.partialResult).toBe(true);
    // Per segment: each of the 4 segments keeps its first 3 keys, so more than 3 groups in all,
    // fewer than the 10 distinct keys.
    expect(r.resultTable!.rows.length).toBeGreaterThan(3);
    expect(r.resultTable!.rows.length).toBeLessThan(LONGS.length + 1);
  });
});

const WIDE_QUERIES = [
  'SELECT k, count(*), sum(d) FROM g GROUP BY k ORDER BY k LIMIT 100000',
  'SELECT k, count(*) AS n FROM g GROUP BY k ORDER BY n DESC, k LIMIT 10',
  'SELECT i, count(*) AS n, max(kr) FROM g GROUP BY i ORDER BY n DESC LIMIT 10',
  'SELECT kr, count(*) FROM g GROUP BY kr ORDER BY count(*) DESC LIMIT 5 OFFSET 3',
  'SELECT k, count(*) FROM g GROUP BY k LIMIT 20',
  'SELECT kr, ir, count(*) AS n, sum(d) FROM g GROUP BY kr, ir ORDER BY n DESC, kr, ir LIMIT 10',
  'SELECT k, ir, count(*) FROM g GROUP BY k, ir LIMIT 20',
  'SELECT k, count(*) FROM g WHERE i > 0 GROUP BY k ORDER BY k LIMIT 100000',
  'SELECT distinctcount(k), distinctcount(i), distinctcount(kr), distinctcount(ir) FROM g',
  'SELECT percentile(k, 50), percentile(ir, 95), percentileest(kr, 5) FROM g',
  "SELECT DATETRUNC('MINUTE', ts), count(*) FROM g GROUP BY DATETRUNC('MINUTE', ts) ORDER BY 1 LIMIT 100000",
];

describe('group-by against a reference, with thousands of keys per segment', () => {
  let f: QueryFixture;
  let schema: TableSchema;
  let segments: () => SegmentSnapshot[];
  beforeAll(async () => {
    f = await buildFixture(SCHEMA, rows(24_000, true), { segmentRows: 6000, indexing: { noDictionaryColumns: RAW, invertedIndexColumns: ['k', 'i', 'ts'] } });
    schema = buildTableSchema(SCHEMA);
    segments = () => snapshotRuntime({ queryableSegments: () => ({ sealed: f.sealed, consuming: f.consuming }) });
  });
  afterAll(() => f.cleanup());

  for (const sql of WIDE_QUERIES) {
    for (const limit of [100_000, 3000, 5]) {
      it(`${sql} (numGroupsLimit ${limit})`, async () => {
        const plan = planQuery(parseSql(sql), schema, 'g', new Map([['numGroupsLimit', String(limit)]])) as AggregationPlan;
        const got = await executePlan(plan, segments(), Date.now() + 60_000);
        const want = reference(plan, segments());
        expect(got.rows).toEqual(want.rows);
        expect(got.numGroupsLimitReached).toBe(want.limitReached);
      });
    }
  }
});

interface RefGroup {
  keys: unknown[];
  states: AggState[];
}

/** The plain group-by: string keys per row, `fn.add` per value, a full stable sort. */
function reference(plan: AggregationPlan, segments: readonly SegmentSnapshot[]): { rows: unknown[][]; limitReached: boolean } {
  const groups = new Map<string, RefGroup>();
  let limitReached = false;
  const newGroup = (keys: unknown[]): RefGroup => ({ keys, states: plan.aggregations.map((a) => a.fn.init()) });
  if (plan.groupBy.length === 0) groups.set('', newGroup([]));
  // numGroupsLimit applies per segment (Pinot): a segment touches at most that many groups.
  let segmentGroups = new Set<string>();
  // Without ORDER BY or HAVING, groups stop being made once the answer has its offset + limit.
  const cap = plan.orderBy.length === 0 && plan.having === null ? plan.offset + plan.limit : Number.POSITIVE_INFINITY;
  const groupOf = (keys: unknown[]): RefGroup | null => {
    const key = keys.map(valueKey).join('\u0001');
    if (!groups.has(key) && groups.size >= cap && segmentGroups.size < plan.options.numGroupsLimit) return null;
    if (!segmentGroups.has(key)) {
      if (segmentGroups.size >= plan.options.numGroupsLimit) {
        limitReached = true;
        return null;
      }
      segmentGroups.add(key);
    }
    let g = groups.get(key);
    if (g === undefined) {
      g = newGroup(keys);
      groups.set(key, g);
    }
    return g;
  };
  for (const seg of segments) {
    segmentGroups = new Set();
    for (let bi = 0; bi < seg.blocks.length; bi++) {
      const block = (c: string) => seg.block(c, bi);
      const filter = plan.filter ? compileRowExpr(plan.filter, block) : null;
      const keyFns = plan.groupBy.map((k) => compileRowExpr(k, block));
      const argFns = plan.aggregations.map((a) => (a.arg ? compileRowExpr(a.arg, block) : null));
      for (let r = 0; r < seg.blocks[bi]!.numDocs; r++) {
        if (filter && !truthy(filter(r))) continue;
        let combos: unknown[][] = [[]];
        plan.groupBy.forEach((k, j) => {
          const v = keyFns[j]!(r);
          combos = combos.flatMap((c) => (k.type.sv ? [v] : (v as unknown[])).map((o) => [...c, o]));
        });
        const gs = plan.groupBy.length === 0 ? [groups.get('')!] : combos.map(groupOf).filter((g): g is RefGroup => g !== null);
        plan.aggregations.forEach((a, j) => {
          const v = argFns[j] ? argFns[j](r) : undefined;
          for (const g of gs) {
            if (a.fn.mv) for (const x of v as unknown[]) a.fn.add(g.states[j]!, x);
            else a.fn.add(g.states[j]!, v);
          }
        });
      }
    }
  }
  const post = (e: BoundExpr) =>
    compileExpr<{ keys: unknown[]; aggs: unknown[] }>(e, {
      column: () => () => {
        throw new Error('column after aggregation');
      },
      columnIsNull: () => () => false,
      aggregate: (a) => (row) => row.aggs[a.index],
      groupKey: (k) => (row) => row.keys[k.index],
    });
  let out = [...groups.values()].map((g) => ({ keys: g.keys, aggs: g.states.map((s, j) => plan.aggregations[j]!.fn.result(s, plan.aggregations[j]!.param)) }));
  if (plan.having) {
    const having = post(plan.having);
    out = out.filter((r) => truthy(having(r)));
  }
  if (plan.orderBy.length > 0) {
    const keyFns = plan.orderBy.map((o) => orderKey(o.expr, post(o.expr)));
    const desc = plan.orderBy.map((o) => o.desc);
    out = out
      .map((r, i) => ({ r, i, k: keyFns.map((fn) => fn(r)) }))
      .sort((a, b) => compareKeys(a.k, b.k, desc) || a.i - b.i)
      .map((x) => x.r);
  }
  const select = plan.select.map(post);
  return { rows: out.slice(plan.offset, plan.offset + plan.limit).map((r) => select.map((fn) => fn(r))), limitReached };
}
