import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { CountRun } from '../../../../src/query/exec/count-run.js';
import { IdCounts } from '../../../../src/query/exec/id-counts.js';
import type { ColumnBlock } from '../../../../src/query/exec/segment-snapshot.js';
import { ValueCounts } from '../../../../src/query/exec/value-counts.js';
import { QueryEngine, writeBrokerResponse } from '../../../../src/query/index.js';
import type { Dictionary } from '../../../../src/segment/segment-view.js';
import { mulberry32 } from '../../../../src/util/random.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { BrokerJson, FixtureTable } from '../query-fixtures.js';
import { pinotLimitedTop } from './pinot-group-cut.js';

/**
 * `GROUP BY <INT or LONG column stored without a dictionary> … count(*)` (a consuming segment's
 * numeric columns, a sealed `noDictionaryColumns` one) counts each segment's values after sorting
 * them (`ValueCounts`) and finds their groups as a sealed dictionary's ids are found. The answers
 * must be the true ones, across sealed and consuming segments, with values no double names
 * exactly, and with Pinot's per-segment cut where `numGroupsLimit` binds.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'g',
  dimensionFieldSpecs: [
    { name: 'k', dataType: 'LONG' },
    { name: 'i', dataType: 'INT' },
    { name: 'u', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'v', dataType: 'INT' }],
};

const SEGMENT_ROWS = 5000;
/** Three sealed segments (past 4,096 values: the radix sort) and a consuming one of 2,000 rows. */
const ROWS = 3 * SEGMENT_ROWS + 2000;

type Row = (CellValue | null)[];

/** Row r: a key from its segment's overlapping slice, negative for some, so counts tie often. */
function rows(): Row[] {
  const rand = mulberry32(41);
  const out: Row[] = [];
  for (let r = 0; r < ROWS; r++) {
    const segment = Math.floor(r / SEGMENT_ROWS);
    const key = -400 + segment * 700 + Math.floor(rand() * 1200);
    // `u`: the key moved to [0, 65535], so sealed blocks hold it in 16 bits.
    out.push([BigInt(key) * 1_000_003n, key, key + 400, r % 7]);
  }
  return out;
}

/** True counts per key of column `c`, by count descending then key ascending. */
function truth(data: readonly Row[], c: number, where: (row: Row) => boolean = () => true): [bigint, number][] {
  const m = new Map<bigint, number>();
  for (const row of data) if (where(row)) m.set(BigInt(row[c] as bigint | number), (m.get(BigInt(row[c] as bigint | number)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The table; `rows` answers a query's rows as the engine holds them (LONG keys as exact bigints, which JSON numbers are not). */
async function table(data: readonly Row[], segmentRows: number): Promise<FixtureTable & { query(sql: string, options?: string): Promise<BrokerJson>; rows(sql: string): Promise<[bigint, number][]> }> {
  const t = await buildTableSegments(SCHEMA, data, { segmentRows, indexing: { noDictionaryColumns: ['k', 'i', 'u'] } });
  const engine = new QueryEngine({ resolve: () => t.queryTable });
  return Object.assign(t, {
    query: async (sql: string, options?: string) => JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as BrokerJson,
    rows: async (sql: string) => {
      const r = await engine.query(sql);
      expect(r.exceptions).toEqual([]);
      return r.rows.map((row) => [BigInt(row[0] as bigint | number), Number(row[1])] as [bigint, number]);
    },
  });
}

const pairs = (r: BrokerJson): [bigint, number][] => r.resultTable!.rows.map((row) => [BigInt(row[0] as string | number), row[1] as number]);

describe('GROUP BY a raw INT or LONG column with count(*) only (counted per value)', () => {
  let f: Awaited<ReturnType<typeof table>>;
  const data = rows();
  beforeAll(async () => {
    f = await table(data, SEGMENT_ROWS);
  });
  afterAll(() => f.cleanup());

  it('reads sealed segments and a consuming one, each key without a dictionary', () => {
    expect(f.sealed.length).toBe(3);
    expect(f.consuming[0]!.numDocs).toBe(2000);
    const view = f.queryTable.snapshot();
    for (const s of view) for (const c of ['k', 'i', 'u']) expect(s.block(c, 0).dictIds, `${s.name} ${c}`).toBeNull();
    expect(view[0]!.block('u', 0).values).toBeInstanceOf(Uint16Array);
  });

  for (const [key, c] of [['k', 0], ['i', 1], ['u', 2]] as const) {
    it(`answers every group with its true count, and the top 15 with ties broken by the key (${key})`, async () => {
      const take = vi.spyOn(ValueCounts.prototype, 'take');
      const merged = vi.spyOn(CountRun.prototype, 'add');
      const counted = vi.spyOn(CountRun.prototype, 'countAll');
      const all = await f.query(`SELECT ${key}, count(*) AS n FROM g GROUP BY ${key} ORDER BY n DESC, ${key} LIMIT 100000`);
      // Every segment's values were counted per value: `k` (keys a million apart, too wide for
      // dense counts) one sorted run each, added to the run of counts; `i` and `u` (a range of
      // 2,500 keys) straight into the run's dense counts, unsorted.
      const sorted = key === 'k' ? 4 : 0;
      expect(take.mock.results.filter((r) => r.value !== null).length).toBe(sorted);
      expect(merged).toHaveBeenCalledTimes(sorted);
      expect(counted.mock.results.filter((r) => r.value === true).length).toBe(4 - sorted);
      take.mockRestore();
      merged.mockRestore();
      counted.mockRestore();
      expect(all.exceptions).toEqual([]);
      expect(pairs(all)).toEqual(truth(data, c));
      const top = await f.query(`SELECT ${key}, count(*) FROM g GROUP BY ${key} ORDER BY count(*) DESC, ${key} LIMIT 15`);
      expect(pairs(top)).toEqual(truth(data, c).slice(0, 15));
      expect(new Set(pairs(top).map(([, n]) => n)).size).toBeLessThan(15);
    });
  }

  it('answers a filter, OFFSET and the key descending as the rows say', async () => {
    const r = await f.query('SELECT i, count(*) AS n FROM g WHERE v < 3 GROUP BY i ORDER BY n, i DESC LIMIT 100000 OFFSET 5');
    const want = truth(data, 1, (row) => (row[3] as number) < 3)
      .sort((a, b) => a[1] - b[1] || (a[0] > b[0] ? -1 : 1))
      .slice(5);
    expect(pairs(r)).toEqual(want);
  });

  it("keeps Pinot's per-segment cut where a segment has more rows than numGroupsLimit", async () => {
    const limit = 800;
    const r = await f.query('SELECT i, count(*) AS n FROM g GROUP BY i ORDER BY n DESC, i LIMIT 10', `numGroupsLimit=${limit}`);
    expect(r.numGroupsLimitReached).toBe(true);
    const segments = [0, 1, 2, 3].map((s) => data.slice(s * SEGMENT_ROWS, (s + 1) * SEGMENT_ROWS).map((row) => [BigInt(row[1] as number)]));
    expect(pairs(r)).toEqual(pinotLimitedTop(segments, limit, 10).map(([k, n]) => [BigInt(k), n]));
  });
});

describe('GROUP BY a raw LONG column holding values beyond ±(2^53 - 1)', () => {
  // Segment 1's second block (rows 1024 on) holds values no double names: that block and the
  // rest of the segment are grouped row by row, after the values counted before it.
  const big = 2n ** 60n;
  const data: Row[] = [];
  const rand = mulberry32(5);
  for (let r = 0; r < 2 * SEGMENT_ROWS + 500; r++) {
    const inBigRun = r >= SEGMENT_ROWS + 1500 && r < SEGMENT_ROWS + 1600;
    const key = inBigRun ? big + BigInt(r % 3) : BigInt(Math.floor(rand() * 900));
    data.push([key, r, r, 0]);
  }
  let f: Awaited<ReturnType<typeof table>>;
  beforeAll(async () => {
    f = await table(data, SEGMENT_ROWS);
  });
  afterAll(() => f.cleanup());

  it('answers every key exactly, 2^60 + 0, 1 and 2 apart', async () => {
    const got = await f.rows('SELECT k, count(*) AS n FROM g GROUP BY k ORDER BY n DESC, k LIMIT 100000');
    expect(got).toEqual(truth(data, 0));
    expect(got.filter(([k]) => k >= big).length).toBe(3);
  });
});

/** A single-value INT block over `values` (`dictionary`: ids into it). */
function block(values: Int32Array | BigInt64Array | null, dataType: 'INT' | 'LONG', ids: Int32Array | null = null, dictionary: Dictionary | null = null): ColumnBlock {
  return { spec: { name: 'x', dataType, singleValue: true } as ColumnBlock['spec'], dictionary, dictIds: ids, values, offsets: null, nulls: null };
}

const every = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

describe('ValueCounts', () => {
  it('answers the distinct values ascending as ids of a sorted dictionary, with their counts', () => {
    const counter = new ValueCounts();
    const col = block(BigInt64Array.from([5n, -2n, 5n, 9n, -2n, 5n]), 'LONG');
    expect(ValueCounts.countable(col)).toBe(true);
    counter.begin(col);
    expect(counter.add(col, Int32Array.of(0, 1, 2, 3), 4)).toBe(true);
    expect(counter.add(col, Int32Array.of(4, 5), 2)).toBe(true);
    const taken = counter.take()!;
    expect(counter.active).toBe(false);
    expect(taken.n).toBe(3);
    expect([...taken.ids.subarray(0, 3)]).toEqual([0, 1, 2]);
    expect([...taken.counts.subarray(0, 3)]).toEqual([2, 3, 1]);
    const dict = taken.column.dictionary!;
    expect(dict.sorted).toBe(true);
    expect([0, 1, 2].map((id) => dict.get(id))).toEqual([-2n, 5n, 9n]);
    expect([dict.indexOf(9n), dict.indexOf(9), dict.indexOf(4n)]).toEqual([2, -1, -1]);
    expect(counter.take()).toBeNull();
  });

  it('refuses a block holding a value no double names, keeping what it had', () => {
    const counter = new ValueCounts();
    const col = block(BigInt64Array.from([1n, 2n ** 53n, 1n]), 'LONG');
    counter.begin(col);
    expect(counter.add(col, Int32Array.of(0), 1)).toBe(true);
    expect(counter.add(col, Int32Array.of(1, 2), 2)).toBe(false);
    const taken = counter.take()!;
    expect(taken.n).toBe(1);
    expect(taken.counts[0]).toBe(1);
  });

  it('counts only columns without a dictionary, of INT or LONG', () => {
    expect(ValueCounts.countable(block(Int32Array.of(1), 'INT'))).toBe(true);
    expect(ValueCounts.countable(block(null, 'INT', Int32Array.of(0), { size: 1, sorted: true, get: () => 1, indexOf: () => 0 }))).toBe(false);
    expect(ValueCounts.countable({ ...block(Int32Array.of(1), 'INT'), spec: { name: 'x', dataType: 'DOUBLE', singleValue: true } as ColumnBlock['spec'], values: Float64Array.of(1) })).toBe(false);
  });
});

describe('IdCounts over a window of a dictionary', () => {
  const dictionary: Dictionary = { size: 10, sorted: true, get: (id) => id * 10, indexOf: () => -1 };
  const window: Dictionary = { size: 4, sorted: true, get: (id) => (id + 3) * 10, indexOf: () => -1 };

  it("counts the window's ids only, as ids of the window, and leaves nothing for the next segment", () => {
    const counter = new IdCounts();
    const ids = Int32Array.of(0, 3, 3, 6, 9, 5, 2, 6, 7, 3);
    const col = block(null, 'INT', ids, dictionary);
    // A whole dictionary first: the counts array then has room for the next ones.
    counter.begin(col);
    counter.add(col, Int32Array.of(4), 1);
    expect(counter.take()!.n).toBe(1);
    counter.begin(col, { from: 3, to: 7, dictionary: window });
    counter.add(col, every(ids.length), ids.length);
    const taken = counter.take()!;
    expect(taken.column.dictionary).toBe(window);
    expect([...taken.ids.subarray(0, taken.n)]).toEqual([0, 2, 3]);
    expect([...taken.counts.subarray(0, taken.n)]).toEqual([3, 1, 2]);
    // The whole dictionary next: no count left over, in the window or past it.
    counter.begin(col);
    counter.add(col, Int32Array.of(1), 1);
    const next = counter.take()!;
    expect([...next.ids.subarray(0, next.n)]).toEqual([3]);
    expect([...next.counts.subarray(0, next.n)]).toEqual([1]);
  });

  it('counts an id past 255 rows exactly (its byte count wraps), in the window and out of it', () => {
    const big: Dictionary = { size: 6, sorted: true, get: (id) => id, indexOf: () => -1 };
    const rowsOf = [256, 300, 1, 511, 512, 1000];
    const ids = Int32Array.from(rowsOf.flatMap((n, id) => Array.from({ length: n }, () => id)));
    const col = block(null, 'INT', ids, big);
    const counter = new IdCounts();
    counter.begin(col);
    counter.add(col, every(ids.length), ids.length);
    const all = counter.take()!;
    expect([...all.counts.subarray(0, all.n)]).toEqual(rowsOf);
    const win: Dictionary = { size: 3, sorted: true, get: (id) => id + 2, indexOf: () => -1 };
    counter.begin(col, { from: 2, to: 5, dictionary: win });
    counter.add(col, every(ids.length), ids.length);
    const part = counter.take()!;
    expect([...part.ids.subarray(0, part.n)]).toEqual([0, 1, 2]);
    expect([...part.counts.subarray(0, part.n)]).toEqual([1, 511, 512]);
    // Nothing carried over: the next count starts from zero.
    counter.begin(col);
    counter.add(col, Int32Array.of(0), 1);
    const next = counter.take()!;
    expect([...next.counts.subarray(0, next.n)]).toEqual([1]);
  });
});
