import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, EVENTS_SCHEMA, eventRows } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

let fx: QueryFixture;

beforeAll(async () => {
  // 30 rows: two sealed segments (rows 0-9, 10-19) with an inverted index on country, one consuming (20-29).
  fx = await buildFixture(EVENTS_SCHEMA, eventRows(30), { segmentRows: 10, indexing: { invertedIndexColumns: ['country'] } });
});
afterAll(async () => fx.cleanup());

async function plan(sql: string, options?: string): Promise<unknown[][]> {
  const r = await fx.query(sql, options);
  expect(r.exceptions).toEqual([]);
  expect(r.resultTable!.dataSchema).toEqual({ columnNames: ['Operator', 'Operator_Id', 'Parent_Id'], columnDataTypes: ['STRING', 'INT', 'INT'] });
  expect(r.numRowsResultSet).toBe(r.resultTable!.rows.length);
  return r.resultTable!.rows;
}

const PLAN_START = (n: number): unknown[] => [`PLAN_START(numSegmentsForThisPlan:${n})`, -1, -1];

describe('EXPLAIN PLAN FOR (Pinot single-stage plan table)', () => {
  it('a selection without a filter matches every segment entirely', async () => {
    expect(await plan('EXPLAIN PLAN FOR SELECT id, country FROM events')).toEqual([
      ['BROKER_REDUCE(limit:10)', 1, 0],
      ['COMBINE_SELECT', 2, 1],
      PLAN_START(3),
      ['SELECT(selectList:id, country)', 3, 2],
      ['PROJECT(id, country)', 4, 3],
      ['DOC_ID_SET', 5, 4],
      ['FILTER_MATCH_ENTIRE_SEGMENT(docs:10)', 6, 5],
    ]);
  });

  it('AND runs the inverted-index leaf first on sealed segments; the consuming segment (no index) scans both', async () => {
    const sql = "EXPLAIN PLAN FOR SELECT country, count(*) FROM events WHERE device = 'ios' AND country = 'NL' GROUP BY country ORDER BY count(*) DESC";
    const sealedPlan = [
      ['GROUP_BY(groupKeys:country, aggregations:count(*))', 3, 2],
      ['PROJECT(country)', 4, 3],
      ['DOC_ID_SET', 5, 4],
      ['FILTER_AND', 6, 5],
      ["FILTER_INVERTED_INDEX(indexLookUp:inverted_index,operator:EQ,predicate:country = 'NL')", 7, 6],
      ["FILTER_FULL_SCAN(operator:EQ,predicate:device = 'ios')", 8, 6],
    ];
    const head = [
      ['BROKER_REDUCE(sort:[count(*) DESC],limit:10)', 1, 0],
      ['COMBINE_GROUP_BY', 2, 1],
    ];
    expect(await plan(sql)).toEqual([...head, PLAN_START(2), ...sealedPlan]);
    expect(await plan(sql, 'explainPlanVerbose=true')).toEqual([
      ...head,
      PLAN_START(2),
      ...sealedPlan,
      PLAN_START(1),
      ...sealedPlan.slice(0, 4),
      ["FILTER_FULL_SCAN(operator:EQ,predicate:device = 'ios')", 7, 6],
      ["FILTER_FULL_SCAN(operator:EQ,predicate:country = 'NL')", 8, 6],
    ]);
    // SET works as the request option does.
    expect(await plan(`SET explainPlanVerbose = true; ${sql}`)).toHaveLength(head.length + 2 * 7);
  });

  it('segments pruned by min/max are FILTER_EMPTY, as the executor skips them', async () => {
    const sql = 'SELECT count(*) FROM events WHERE clicks > 25';
    const body = [
      ['AGGREGATE(aggregations:count(*))', 3, 2],
      ['PROJECT()', 4, 3],
      ['DOC_ID_SET', 5, 4],
    ];
    const head = [
      ['BROKER_REDUCE(limit:10)', 1, 0],
      ['COMBINE_AGGREGATE', 2, 1],
    ];
    // clicks = row number: the sealed segments (max 9 and 19) are pruned; the consuming one has no statistics.
    expect(await plan(`EXPLAIN PLAN FOR ${sql}`, 'explainPlanVerbose=true')).toEqual([
      ...head,
      PLAN_START(1),
      ...body,
      ["FILTER_FULL_SCAN(operator:RANGE,predicate:clicks > '25')", 6, 5],
      PLAN_START(2),
      ...body,
      ['FILTER_EMPTY', 6, 5],
    ]);
    // Non-verbose shows the plan that reads rows, as Pinot prefers it over an empty one.
    expect((await plan(`EXPLAIN PLAN FOR ${sql}`)).at(-1)).toEqual(["FILTER_FULL_SCAN(operator:RANGE,predicate:clicks > '25')", 6, 5]);
    const run = await fx.query(sql);
    expect(run.numSegmentsQueried - run.numSegmentsProcessed).toBe(2);
  });

  it('OR, negations, ranges, expressions, TRANSFORM, ORDER BY and DISTINCT', async () => {
    expect(await plan("EXPLAIN PLAN FOR SELECT upper(device) FROM events WHERE country <> 'NL' OR clicks BETWEEN 1 AND 3 ORDER BY id LIMIT 5")).toEqual([
      ['BROKER_REDUCE(sort:[id ASC],limit:5)', 1, 0],
      ['COMBINE_SELECT_ORDERBY', 2, 1],
      PLAN_START(2),
      ['SELECT_ORDERBY(selectList:upper(device))', 3, 2],
      ['TRANSFORM(upper(device), id)', 4, 3],
      ['PROJECT(device, id)', 5, 4],
      ['DOC_ID_SET', 6, 5],
      ['FILTER_OR', 7, 6],
      ["FILTER_INVERTED_INDEX(indexLookUp:inverted_index,operator:NOT_EQ,predicate:country != 'NL')", 8, 7],
      ["FILTER_FULL_SCAN(operator:RANGE,predicate:clicks BETWEEN '1' AND '3')", 9, 7],
    ]);
    const rows = await plan("EXPLAIN PLAN FOR SELECT DISTINCT country FROM events WHERE upper(device) = 'IOS' AND country NOT IN ('NL','DE') AND device IS NOT NULL");
    expect(rows.slice(0, 8)).toEqual([
      ['BROKER_REDUCE(limit:10)', 1, 0],
      ['COMBINE_DISTINCT', 2, 1],
      PLAN_START(2),
      ['DISTINCT(keyColumns:country)', 3, 2],
      ['PROJECT(country)', 4, 3],
      ['DOC_ID_SET', 5, 4],
      ['FILTER_AND', 6, 5],
      // Only positive index leaves move to the front of an AND: a NOT IN keeps its place, as the executor runs it.
      ["FILTER_EXPRESSION(operator:EQ,predicate:upper(device) = 'IOS')", 7, 6],
    ]);
    expect(rows.slice(8)).toEqual([
      ["FILTER_INVERTED_INDEX(indexLookUp:inverted_index,operator:NOT_IN,predicate:country NOT IN ('NL','DE'))", 8, 6],
      ['FILTER_FULL_SCAN(operator:IS_NOT_NULL,predicate:device IS NOT NULL)', 9, 6],
    ]);
  });

  it('explains without running: errors are the query errors, and EXPLAIN needs PLAN FOR', async () => {
    expect((await fx.query('EXPLAIN PLAN FOR SELECT nope FROM events')).exceptions[0]!.errorCode).toBe(710);
    expect((await fx.query('EXPLAIN SELECT id FROM events')).exceptions[0]!.errorCode).toBe(150);
    expect((await fx.query('explain plan for select count(*) from events')).resultTable!.rows[0]).toEqual(['BROKER_REDUCE(limit:10)', 1, 0]);
  });
});
