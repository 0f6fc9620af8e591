import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { DistinctStates } from '../../../../src/query/exec/distinct-states.js';
import type { SegmentSnapshot } from '../../../../src/query/exec/segment-snapshot.js';
import { QueryEngine, sealedSnapshot } from '../../../../src/query/index.js';
import type { QueryTable } from '../../../../src/query/index.js';
import { mulberry32 } from '../../../../src/util/random.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';

/**
 * DISTINCTCOUNT without WHERE reads a sealed segment's dictionary in place of its rows (Pinot's
 * dictionary-based aggregation): a sealed dictionary holds exactly the values of the segment's
 * rows. The answers must equal the true counts for every type, with values no double names
 * exactly, with -0 and 0, beside a consuming segment; a WHERE, a FILTER clause, a GROUP BY or
 * rows hidden by upsert read the rows as before.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'd',
  dimensionFieldSpecs: [
    { name: 'l', dataType: 'LONG' },
    { name: 'big', dataType: 'LONG' },
    { name: 'i', dataType: 'INT' },
    { name: 'f', dataType: 'DOUBLE' },
    { name: 's', dataType: 'STRING' },
    { name: 'r', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'v', dataType: 'INT' }],
};
const COLUMNS = ['l', 'big', 'i', 'f', 's', 'r'] as const;
const SEGMENT_ROWS = 2500;
const ROWS = 3 * SEGMENT_ROWS + 900;

type Row = (CellValue | null)[];

function rows(): Row[] {
  const rand = mulberry32(8);
  const out: Row[] = [];
  for (let r = 0; r < ROWS; r++) {
    const k = Math.floor(rand() * 3000) - 1000;
    // 2^60 + k: bigints no double tells apart (every segment's dictionary holds some).
    const f = k % 7 === 0 ? (k % 2 === 0 ? -0 : 0) : k / 8;
    out.push([BigInt(k) * 977n, 2n ** 60n + BigInt(k % 50), k % 400, f, `s${k % 900}`, k % 333, r % 5]);
  }
  return out;
}

/** The true distinct count of column `c` over `data` (numbers as DISTINCTCOUNT compares them: -0 equals 0). */
function truth(data: readonly Row[], c: number, where: (row: Row) => boolean = () => true): number {
  return new Set(data.filter(where).map((row) => (typeof row[c] === 'number' && row[c] === 0 ? 0 : row[c]))).size;
}

describe('DISTINCTCOUNT through sealed dictionaries', () => {
  let f: FixtureTable;
  let engine: QueryEngine;
  const data = rows();
  const query = async (sql: string): Promise<unknown[]> => {
    const r = await engine.query(sql);
    expect(r.exceptions).toEqual([]);
    return [...r.rows[0]!];
  };
  beforeAll(async () => {
    // Inverted indexes keep a dictionary whatever the cardinality; `r` is stored raw.
    f = await buildTableSegments(SCHEMA, data, { segmentRows: SEGMENT_ROWS, indexing: { invertedIndexColumns: ['l', 'big', 'i', 'f', 's'], noDictionaryColumns: ['r'] } });
    engine = new QueryEngine({ resolve: () => f.queryTable });
  });
  afterAll(() => f.cleanup());

  it('answers the true count of every type, each sealed segment read through its dictionary', async () => {
    expect(f.sealed.length).toBe(3);
    const add = vi.spyOn(DistinctStates.prototype, 'addDictionary');
    for (const [c, column] of COLUMNS.entries()) {
      add.mockClear();
      expect(await query(`SELECT DISTINCTCOUNT(${column}) FROM d`), column).toEqual([truth(data, c)]);
      // The raw column has no dictionary: its rows are read.
      expect(add.mock.calls.length, column).toBe(column === 'r' ? 0 : 3);
    }
    add.mockClear();
    expect(await query('SELECT DISTINCTCOUNT(l), DISTINCTCOUNT(s), DISTINCTCOUNTHLL(i) FROM d')).toEqual([truth(data, 0), truth(data, 4), BigInt(truth(data, 2))]);
    expect(add.mock.calls.length).toBe(9);
    add.mockRestore();
  });

  it('reads the rows for a WHERE, a FILTER clause, another aggregation or a GROUP BY, with the same answers', async () => {
    const add = vi.spyOn(DistinctStates.prototype, 'addDictionary');
    expect(await query('SELECT DISTINCTCOUNT(l) FROM d WHERE v < 2')).toEqual([truth(data, 0, (row) => (row[6] as number) < 2)]);
    expect(await query('SELECT DISTINCTCOUNT(l) FILTER (WHERE v = 3), DISTINCTCOUNT(s) FROM d')).toEqual([truth(data, 0, (row) => row[6] === 3), truth(data, 4)]);
    expect(await query('SELECT DISTINCTCOUNT(i), count(*) FROM d')).toEqual([truth(data, 2), BigInt(ROWS)]);
    const grouped = await engine.query('SELECT v, DISTINCTCOUNT(i) FROM d GROUP BY v ORDER BY v LIMIT 10');
    expect(grouped.rows.map((r) => r[1])).toEqual([0, 1, 2, 3, 4].map((v) => truth(data, 2, (row) => row[6] === v)));
    expect(add).not.toHaveBeenCalled();
    add.mockRestore();
  });

  it('reads the rows of a segment whose rows upsert hides, and the dictionary when the query skips upsert', async () => {
    // Hide every row of the first sealed segment whose `i` is below 0: their values leave the count.
    const first = f.sealed[0]!;
    const rowsOfFirst = data.slice(0, SEGMENT_ROWS);
    const live = new Uint8Array(Math.ceil(SEGMENT_ROWS / 8));
    rowsOfFirst.forEach((row, doc) => {
      if ((row[2] as number) >= 0) live[doc >> 3]! |= 1 << (doc & 7);
    });
    const visible = rowsOfFirst.filter((row) => (row[2] as number) >= 0).length;
    const hidden: SegmentSnapshot = { ...sealedSnapshot(first), liveDocs: { valid: live, queryable: live, numValid: visible, numQueryable: visible } };
    const table: QueryTable = { ...f.queryTable, snapshot: () => [hidden, ...f.queryTable.snapshot().slice(1)] };
    const upsert = new QueryEngine({ resolve: () => table });
    const shown = (row: Row, r: number): boolean => r >= SEGMENT_ROWS || (row[2] as number) >= 0;
    const want = new Set(data.filter(shown).map((row) => row[2])).size;
    expect(want).toBeLessThan(truth(data, 2));
    expect((await upsert.query('SELECT DISTINCTCOUNT(i) FROM d')).rows).toEqual([[want]]);
    expect((await upsert.query('SELECT DISTINCTCOUNT(i) FROM d', 'skipUpsert=true')).rows).toEqual([[truth(data, 2)]]);
  });
});
