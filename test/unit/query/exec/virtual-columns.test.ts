import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, EVENTS_SCHEMA, eventRows } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

let fx: QueryFixture;
let names: string[];

beforeAll(async () => {
  // 25 rows: sealed segments of rows 0-9 and 10-19, a consuming one of rows 20-24.
  fx = await buildFixture(EVENTS_SCHEMA, eventRows(25), { segmentRows: 10, indexing: { invertedIndexColumns: ['country'] } });
  names = [...fx.sealed.map((s) => s.name), ...fx.consuming.map((s) => s.identity.segmentName)];
  expect(names).toHaveLength(3);
});
afterAll(async () => fx.cleanup());

const segmentOf = (id: number): number => Math.floor(id / 10);

describe('virtual columns $docId, $segmentName, $hostName', () => {
  it('select them per row, sealed and consuming, typed as Pinot types them', async () => {
    const r = await fx.query('SELECT id, $docId, $segmentName, $hostName FROM events ORDER BY id LIMIT 100');
    expect(r.exceptions).toEqual([]);
    expect(r.resultTable!.dataSchema).toEqual({ columnNames: ['id', '$docId', '$segmentName', '$hostName'], columnDataTypes: ['LONG', 'INT', 'STRING', 'STRING'] });
    expect(r.resultTable!.rows).toEqual(Array.from({ length: 25 }, (_, i) => [i, i % 10, names[segmentOf(i)], hostname()]));
  });

  it('filter and group by them', async () => {
    const grouped = await fx.query('SELECT $segmentName, count(*), max(id) FROM events GROUP BY $segmentName ORDER BY max(id)');
    expect(grouped.resultTable!.rows).toEqual([
      [names[0], 10, 9],
      [names[1], 10, 19],
      [names[2], 5, 24],
    ]);
    const first = await fx.query(`SELECT id FROM events WHERE $docId < 2 AND $segmentName <> '${names[0]}' ORDER BY id`);
    expect(first.resultTable!.rows).toEqual([[10], [11], [20], [21]]);
    const host = await fx.query(`SELECT count(*) FROM events WHERE $hostName = '${hostname()}'`);
    expect(host.resultTable!.rows).toEqual([[25]]);
    // They never prune (no statistics) and are scanned.
    expect(first.numSegmentsProcessed).toBe(3);
  });

  it('SELECT * does not list them; EXPLAIN shows them as scanned columns', async () => {
    const star = await fx.query('SELECT * FROM events LIMIT 1');
    expect(star.resultTable!.dataSchema.columnNames.some((c) => c.startsWith('$'))).toBe(false);
    const plan = await fx.query("EXPLAIN PLAN FOR SELECT $docId FROM events WHERE $segmentName = 'x'");
    expect(plan.resultTable!.rows.slice(3)).toEqual([
      ['SELECT(selectList:$docId)', 3, 2],
      ['PROJECT($docId)', 4, 3],
      ['DOC_ID_SET', 5, 4],
      ["FILTER_FULL_SCAN(operator:EQ,predicate:$segmentName = 'x')", 6, 5],
    ]);
  });
});
