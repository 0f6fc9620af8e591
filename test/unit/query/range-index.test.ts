import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, EVENTS_SCHEMA, eventRows } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

/** The same queries with and without range indexes (sealed segments; the last segment consuming). */
describe('range index', () => {
  let indexed: QueryFixture;
  let plain: QueryFixture;
  const all = eventRows(400);
  // Values spread over every segment, so min/max pruning does not decide the answers.
  const rows = all.map((_, i) => all[(i * 7) % 400]!);
  beforeAll(async () => {
    const rangeIndexColumns = ['id', 'clicks', 'price', 'amount', 'scores', 'ts', 'big'];
    indexed = await buildFixture(EVENTS_SCHEMA, rows, { segmentRows: 90, indexing: { rangeIndexColumns, nullHandlingEnabled: true, noDictionaryColumns: ['amount', 'id'] } });
    plain = await buildFixture(EVENTS_SCHEMA, rows, { segmentRows: 90, indexing: { nullHandlingEnabled: true, noDictionaryColumns: ['amount', 'id'] } });
  });
  afterAll(async () => {
    await indexed?.cleanup();
    await plain?.cleanup();
  });

  it('is built on the sealed segments', () => {
    expect(indexed.sealed.map((s) => s.column('price').rangeIndex !== null)).toEqual([true, true, true, true]);
    expect(indexed.sealed[0]!.column('country').rangeIndex).toBeNull();
  });

  it('answers range filters exactly as a scan does, with nulls, multi-value columns, NaN-free floats and LONG bounds', async () => {
    const filters = [
      'id BETWEEN 37 AND 60',
      'id > 390',
      'id <= 3',
      'id < 0',
      'clicks >= 100 AND clicks < 120',
      'price > 10.1 AND price <= 20.1',
      'price = 7.1',
      'amount BETWEEN 15 AND 30',
      'amount > 599.5',
      'scores > 3980',
      'scores BETWEEN 10 AND 30',
      'NOT scores < 2000',
      'ts >= 1700000100000 AND ts < 1700000200000',
      'big > 9007199254741000',
      'big BETWEEN 9007199254740993 AND 9007199254740995',
      'id > 100 AND country = \'NL\'',
      'id < 20 OR price > 390',
      'NOT (id BETWEEN 10 AND 390)',
      'clicks IN (5, 77, 300)',
    ];
    for (const f of filters) {
      const sql = `SELECT id, clicks FROM events WHERE ${f} ORDER BY id LIMIT 1000`;
      const a = await indexed.query(sql);
      const b = await plain.query(sql);
      expect(a.exceptions, f).toEqual([]);
      expect(a.resultTable!.rows, f).toEqual(b.resultTable!.rows);
      expect(a.numDocsScanned, f).toBe(b.numDocsScanned);
    }
  });

  it('reads no entries on indexed segments and says so in EXPLAIN', async () => {
    const a = await indexed.query('SELECT COUNT(*) FROM events WHERE price BETWEEN 100 AND 120');
    const b = await plain.query('SELECT COUNT(*) FROM events WHERE price BETWEEN 100 AND 120');
    expect(a.resultTable!.rows).toEqual(b.resultTable!.rows);
    expect(a.numEntriesScannedInFilter).toBeLessThan(b.numEntriesScannedInFilter);
    expect(a.numEntriesScannedInFilter).toBe(40); // the consuming segment's rows only
    const plan = await indexed.query('EXPLAIN PLAN FOR SELECT id FROM events WHERE amount > 10');
    expect(JSON.stringify(plan.resultTable!.rows)).toContain('FILTER_RANGE_INDEX(indexLookUp:range_index,operator:RANGE,predicate:amount > ');
  });
});
