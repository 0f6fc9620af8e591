import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFilter } from '../../../../src/query/exec/filter-tree.js';
import { estimatedRows } from '../../../../src/query/parallel/pool-cost.js';
import { worthParallel } from '../../../../src/query/parallel/parallel-executor.js';
import { parseSql } from '../../../../src/query/parser/parse-statement.js';
import { planQuery } from '../../../../src/query/plan/planner.js';
import type { QueryPlan } from '../../../../src/query/plan/query-plan.js';
import { VISITS_SCHEMA, visitRows } from '../../../helpers/visits-table.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';

/** Row i has ts = T0 + i minutes. */
const T0 = 1_700_000_000_000;

describe('the pool cost estimate (rows a query reads in sealed segments)', () => {
  let table: FixtureTable;
  beforeAll(async () => {
    // Two sealed segments of 20,000 rows (two blocks each), then a consuming one of 1,000.
    table = await buildTableSegments(VISITS_SCHEMA, visitRows(41_000, 997) as never, { segmentRows: 20_000, indexing: { invertedIndexColumns: ['country', 'id'] } });
  }, 120_000);
  afterAll(async () => {
    await table.cleanup();
  });

  const planOf = (where: string): QueryPlan => planQuery(parseSql(`SELECT count(*), sum(amount) FROM visits ${where}`, new Map()), table.schema, 'visits', new Map());
  const estimate = (where: string): number => {
    const sealed = table.queryTable.snapshot().filter((s) => !s.consuming);
    expect(sealed.length).toBe(2);
    return estimatedRows(buildFilter(planOf(where).filter), sealed);
  };

  it('counts every row without a filter, and a broad scan in full', () => {
    expect(estimate('')).toBe(40_000);
    expect(estimate('WHERE amount > 3')).toBe(40_000);
  });

  it('keeps the share of an inverted-index lookup (uniform rows per value)', () => {
    expect(estimate("WHERE country = 'c3'")).toBeCloseTo(40_000 / 7, 6);
    expect(estimate("WHERE country IN ('c3', 'c4') AND clicks > 2")).toBeCloseTo((2 * 40_000) / 7, 6);
    expect(estimate('WHERE id = 5')).toBeLessThan(10);
  });

  it('leaves out segments and blocks whose min/max cannot match', () => {
    expect(estimate(`WHERE ts < ${T0}`)).toBe(0);
    // Rows 0-999: the first block of the first segment only.
    expect(estimate(`WHERE ts < ${T0 + 1000 * 60_000}`)).toBe(16_384);
  });

  it('decides by the estimate: broad queries to the pool, selective ones on the main thread', () => {
    const segments = table.queryTable.snapshot();
    const decide = (where: string): boolean => worthParallel(planOf(where), segments, { minRows: 10_000 });
    expect(decide('')).toBe(true);
    expect(decide('WHERE amount > 3')).toBe(true);
    expect(decide("WHERE country = 'c3'")).toBe(false);
    expect(decide('WHERE id = 5')).toBe(false);
    expect(decide(`WHERE ts < ${T0 + 1000 * 60_000}`)).toBe(true);
    expect(worthParallel(planOf(`WHERE ts < ${T0 + 1000 * 60_000}`), segments, { minRows: 20_000 })).toBe(false);
  });

  it('keeps an exact DISTINCTCOUNT of many values per segment on the main thread, as a GROUP BY of many groups', () => {
    const segments = table.queryTable.snapshot();
    const decide = (sql: string): boolean => worthParallel(planQuery(parseSql(sql, new Map()), table.schema, 'visits', new Map()), segments, { minRows: 10_000 });
    // id: one value per row; user: 997 values in 20,000 rows (under 1/8); country: 7.
    expect(decide('SELECT DISTINCTCOUNT(id) FROM visits')).toBe(false);
    expect(decide('SELECT DISTINCTCOUNTHLL(id) FROM visits')).toBe(false);
    expect(decide('SELECT DISTINCTCOUNT(user) FROM visits')).toBe(true);
    expect(decide('SELECT DISTINCTCOUNT(country), sum(amount) FROM visits')).toBe(true);
    expect(decide('SELECT country, DISTINCTCOUNT(id) FROM visits GROUP BY country')).toBe(false);
  });
});
