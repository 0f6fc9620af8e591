import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { Deadline } from '../../../../src/query/exec/deadline.js';
import { emptyStats } from '../../../../src/query/exec/execution-stats.js';
import { countSegments, executePlan } from '../../../../src/query/exec/executor.js';
import { buildFilter } from '../../../../src/query/exec/filter-tree.js';
import { PartialMerge } from '../../../../src/query/exec/partial-merge.js';
import { Scratch } from '../../../../src/query/exec/scratch.js';
import { scanToPartial } from '../../../../src/query/exec/segment-partial.js';
import { countOutcome } from '../../../../src/query/exec/segment-scan.js';
import { withVirtualColumns } from '../../../../src/query/exec/virtual-columns.js';
import { parseSql } from '../../../../src/query/parser/parse-statement.js';
import { planQuery } from '../../../../src/query/plan/planner.js';
import { QueryEngine, writeBrokerResponse } from '../../../../src/query/index.js';
import { mulberry32 } from '../../../../src/util/random.js';
import { buildTableSegments } from '../query-fixtures.js';
import { pinotLimitedTop } from './pinot-group-cut.js';
import type { BrokerJson, FixtureTable } from '../query-fixtures.js';

/**
 * `GROUP BY <dictionary column> … count(*)` counts rows per dictionary id per segment and makes
 * the groups once per id (`IdCounts`), finding earlier segments' groups through the sorted index
 * and making new ones without hashing them. The answers must be the true ones: counts across
 * segments, ties in count broken by the key, more groups in the table than `numGroupsLimit`, and
 * Pinot's per-segment cut where a segment holds more keys than the limit.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'g',
  dimensionFieldSpecs: [
    { name: 'k', dataType: 'LONG' },
    { name: 'kr', dataType: 'LONG' },
    { name: 's', dataType: 'STRING' },
    { name: 'c', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'v', dataType: 'INT' }],
};

const SEGMENT_ROWS = 4000;
const ROWS = 5 * SEGMENT_ROWS + 1500;
/**
 * Keys per segment's slice; slices overlap, so most keys are in two segments. Over 1,024 keys
 * per segment: the ids are looked up in bulk in the sorted index (`DictGroups`).
 */
const SLICE = 1500;

/** Row r: a key from its segment's slice (a few rows per key and segment, so counts tie often). */
function rows(): (CellValue | null)[][] {
  const rand = mulberry32(14);
  const out: (CellValue | null)[][] = [];
  for (let r = 0; r < ROWS; r++) {
    const segment = Math.floor(r / SEGMENT_ROWS);
    const key = 100_000 + segment * 1000 + Math.floor(rand() * SLICE);
    out.push([BigInt(key), BigInt(key), `s${key}`, key % 5, r % 7]);
  }
  return out;
}

/** The true counts per key, sorted by count descending and then by key (`byText`: as the string `s<key>`). */
function truth(data: (CellValue | null)[][], where: (row: (CellValue | null)[]) => boolean = () => true, byText = false): [number, number][] {
  const m = new Map<number, number>();
  for (const row of data) if (where(row)) m.set(Number(row[0] as bigint), (m.get(Number(row[0] as bigint)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (byText ? (`s${a[0]}` < `s${b[0]}` ? -1 : 1) : a[0] - b[0]));
}

describe('GROUP BY a dictionary column with count(*) only (counted per id)', () => {
  let f: FixtureTable & { query(sql: string, options?: string): Promise<BrokerJson> };
  const data = rows();
  const distinct = new Set(data.map((r) => r[0])).size;
  beforeAll(async () => {
    const table = await buildTableSegments(SCHEMA, data, { segmentRows: SEGMENT_ROWS, indexing: { noDictionaryColumns: ['kr'] } });
    const engine = new QueryEngine({ resolve: () => table.queryTable });
    f = Object.assign(table, { query: async (sql: string, options?: string) => JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as BrokerJson });
  });
  afterAll(() => f.cleanup());

  it('has more groups than the limit used below, and ties in count', () => {
    expect(f.sealed.length).toBe(5);
    expect(distinct).toBeGreaterThan(2 * SLICE);
    const all = truth(data);
    expect(new Set(all.slice(0, 21).map(([, n]) => n)).size).toBeLessThan(21);
  });

  for (const [key, label] of [['k', 'dictionary LONG'], ['kr', 'raw LONG'], ['s', 'STRING']] as const) {
    it(`answers the true top 20 (ties by key) over ${distinct} groups with numGroupsLimit ${SLICE} (${label} key)`, async () => {
      const r = await f.query(`SELECT ${key}, count(*) AS n FROM g GROUP BY ${key} ORDER BY n DESC, ${key} LIMIT 20`, `numGroupsLimit=${SLICE}`);
      expect(r.exceptions).toEqual([]);
      expect(r.numGroupsLimitReached).toBe(false);
      const got = r.resultTable!.rows.map((row) => [key === 's' ? Number((row[0] as string).slice(1)) : Number(row[0]), row[1]]);
      expect(got).toEqual(truth(data, () => true, key === 's').slice(0, 20));
    });
  }

  it('answers every group with the same count as a raw key, with two COUNTs, a filter, OFFSET and ascending order', async () => {
    const sql = (key: string): string => `SELECT ${key}, count(*), count(*) AS n FROM g WHERE v < 5 GROUP BY ${key} ORDER BY n, ${key} DESC LIMIT 10000 OFFSET 3`;
    const dict = await f.query(sql('k'));
    const raw = await f.query(sql('kr'));
    expect(dict.resultTable!.rows).toEqual(raw.resultTable!.rows);
    const want = truth(data, (row) => (row[4] as number) < 5).sort((a, b) => a[1] - b[1] || b[0] - a[0]).slice(3);
    expect(dict.resultTable!.rows.map((row) => [Number(row[0]), row[2]])).toEqual(want);
  });

  it('answers HAVING, and a key ordered without count, with the groups a raw key gives', async () => {
    for (const sql of [
      (key: string): string => `SELECT ${key}, count(*) FROM g GROUP BY ${key} HAVING count(*) >= 9 ORDER BY ${key} LIMIT 1000`,
      (key: string): string => `SELECT ${key}, count(*) FROM g WHERE v = 3 GROUP BY ${key} ORDER BY ${key} DESC LIMIT 7`,
    ]) {
      const dict = await f.query(sql('k'));
      expect(dict.resultTable!.rows.length).toBeGreaterThan(0);
      expect(dict.resultTable!.rows).toEqual((await f.query(sql('kr'))).resultTable!.rows);
    }
  });

  it("keeps Pinot's per-segment cut (first keys met) where a segment has more keys than numGroupsLimit", async () => {
    const limit = 1000;
    const r = await f.query('SELECT k, count(*) AS n FROM g GROUP BY k ORDER BY n DESC, k LIMIT 10', `numGroupsLimit=${limit}`);
    expect(r.numGroupsLimitReached).toBe(true);
    const segments = [...Array.from({ length: 5 }, (_, s) => data.slice(s * SEGMENT_ROWS, (s + 1) * SEGMENT_ROWS)), data.slice(5 * SEGMENT_ROWS)];
    const want = pinotLimitedTop(segments, limit, 10);
    expect(r.resultTable!.rows.map((row) => [Number(row[0]), row[1]])).toEqual(want);
  });

  it('merges per-segment partials (PartialMerge, as the pool and a cluster broker do) to the sequential answer', async () => {
    const sql = 'SELECT k, count(*) AS n FROM g GROUP BY k ORDER BY n DESC, k LIMIT 25';
    const options = new Map([['numGroupsLimit', String(SLICE)]]);
    const plan = planQuery(parseSql(sql, options), f.schema, 'g', options);
    const ctx = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline: new Deadline(Date.now() + 60_000, Date.now, () => new Error('timeout')), slice: null, liveSel: { buffer: new Int32Array(0) } };
    const views = f.queryTable.snapshot().map((v) => withVirtualColumns(v));
    const stats = emptyStats();
    countSegments(plan, views, stats);
    const merge = new PartialMerge(plan);
    for (const v of views) {
      const p = (await scanToPartial(ctx, v)).result;
      for (const outcome of p.outcomes) countOutcome(stats, outcome, p.consuming);
      merge.add(p.partial);
    }
    const merged = merge.finish(stats);
    const direct = await executePlan(plan, f.queryTable.snapshot(), Date.now() + 60_000, Date.now);
    expect(merged.rows).toEqual(direct.rows);
    expect(merged.rows.map((row) => [Number(row[0]), Number(row[1])])).toEqual(truth(data).slice(0, 25));
  });
});

describe('GROUP BY counted per id over segments whose dictionaries shrink and grow', () => {
  // The counts, the ids taken per segment, their groups and the dense id memo live in buffers
  // reused from one segment to the next (sized by the largest dictionary so far): a small
  // segment after a large one, and a large one after it, must not read what an earlier one left.
  const sizes = [4000, 150, 3000, 40, 4500, 700];
  const data: (CellValue | null)[][] = [];
  const rand = mulberry32(77);
  sizes.forEach((size, s) => {
    // Each segment its own key range (some keys shared with the next), a few rows per key.
    const span = Math.max(5, Math.floor(size / 3));
    for (let i = 0; i < size; i++) {
      const key = 500_000 + s * 400 + Math.floor(rand() * span);
      data.push([BigInt(key), BigInt(key), `s${key}`, key % 5, i % 7]);
    }
  });
  let f: FixtureTable & { query(sql: string, options?: string): Promise<BrokerJson> };
  beforeAll(async () => {
    const table = await buildTableSegments(SCHEMA, data, { segmentRows: sizes, indexing: { noDictionaryColumns: ['kr'] } });
    const engine = new QueryEngine({ resolve: () => table.queryTable });
    f = Object.assign(table, { query: async (sql: string, options?: string) => JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as BrokerJson });
  });
  afterAll(() => f.cleanup());

  it('answers every group with its true count, as a key without a dictionary does', async () => {
    expect(f.sealed.length).toBe(sizes.length - 1);
    const all = truth(data);
    for (const key of ['k', 's']) {
      const r = await f.query(`SELECT ${key}, count(*) AS n FROM g GROUP BY ${key} ORDER BY n DESC, ${key} LIMIT 100000`);
      const got = r.resultTable!.rows.map((row) => [Number(String(row[0]).replace(/^s/, '')), row[1]] as [number, number]);
      expect(got.sort((a, b) => a[0] - b[0])).toEqual([...all].sort((a, b) => a[0] - b[0]));
    }
    const raw = await f.query('SELECT kr, count(*) AS n FROM g GROUP BY kr ORDER BY n DESC, kr LIMIT 30');
    const counted = await f.query('SELECT k, count(*) AS n FROM g GROUP BY k ORDER BY n DESC, k LIMIT 30');
    expect(counted.resultTable!.rows).toEqual(raw.resultTable!.rows);
    expect(counted.resultTable!.rows.map((row) => [Number(row[0]), row[1]])).toEqual(all.slice(0, 30));
  });
});

describe('GROUP BY a dictionary column with count(*): counts drained into dense counts', () => {
  // Each later segment's keys start lower than the ones before (the dense counts widen below),
  // the first key of each segment's slice has 700 rows (its byte count wraps twice), and `c` filters out
  // the lowest keys of a segment (its first counted id is not the dictionary's first).
  const SEG = 3000;
  const data: (CellValue | null)[][] = [];
  const rand = mulberry32(31);
  for (let segment = 0; segment < 4; segment++) {
    const lo = 50_000 - segment * 400;
    for (let r = 0; r < SEG; r++) {
      // In segment 1 the heavy key has 512 rows: its byte count is 0 after wrapping twice.
      // Slices widen a little (a counter's bytes are reused by the next, larger dictionary).
      const key = r < (segment === 1 ? 512 : 700) ? lo : lo + 1 + Math.floor(rand() * (900 + 60 * segment));
      data.push([BigInt(key), BigInt(key), `s${key}`, key - lo < 40 ? 0 : 1, r % 7]);
    }
  }
  let f: FixtureTable & { query(sql: string): Promise<BrokerJson> };
  beforeAll(async () => {
    // An inverted index keeps `k`'s dictionary (the seal would store so many distinct LONGs raw).
    const table = await buildTableSegments(SCHEMA, data, { segmentRows: SEG, indexing: { invertedIndexColumns: ['k'], noDictionaryColumns: ['kr'] } });
    const engine = new QueryEngine({ resolve: () => table.queryTable });
    f = Object.assign(table, { query: async (sql: string) => JSON.parse(writeBrokerResponse(await engine.query(sql))) as BrokerJson });
  });
  afterAll(() => f.cleanup());

  it('answers every key its true count, heavy keys, lower keys in later segments and a filter alike', async () => {
    expect(f.sealed.length).toBeGreaterThanOrEqual(3);
    for (const [where, keep] of [
      ['', () => true],
      [' WHERE c = 1', (row: (CellValue | null)[]) => row[3] === 1],
    ] as const) {
      const r = await f.query(`SELECT k, count(*) AS n FROM g${where} GROUP BY k ORDER BY n DESC, k LIMIT 100000`);
      expect(r.exceptions).toEqual([]);
      expect(r.resultTable!.rows.map((row) => [Number(row[0]), row[1]])).toEqual(truth(data, keep));
    }
  });
});
