import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { parseSql } from '../../../../src/query/parser/index.js';
import { planQuery } from '../../../../src/query/plan/index.js';
import type { QueryPlan } from '../../../../src/query/plan/index.js';
import { QueryError } from '../../../../src/query/query-error.js';
import { EVENTS_SCHEMA } from '../query-fixtures.js';

const schema = buildTableSchema(EVENTS_SCHEMA);
const plan = (sql: string, options?: Map<string, string>): QueryPlan => planQuery(parseSql(sql), schema, 'events', options);

function planError(sql: string): QueryError {
  try {
    plan(sql);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryError);
    return err as QueryError;
  }
  throw new Error(`expected an error for ${sql}`);
}

describe('planQuery', () => {
  it('names result columns as Pinot does', () => {
    const p = plan('SELECT count(*), count(clicks), sum(clicks), count(DISTINCT country), percentile(amount, 90), max(add(clicks, 1)) FROM events');
    expect(p.columnNames).toEqual(['count(*)', 'count(*)', 'sum(clicks)', 'distinctcount(country)', 'percentile(amount, 90.0)', "max(add(clicks,'1'))"]);
    const s = plan("SELECT add(clicks, sub(rank, 3)), clicks + 1, CAST(clicks AS LONG), upper(country) AS up, jsonExtractScalar(payload, '$.n', 'INT') FROM events");
    expect(s.columnNames).toEqual(["add(clicks,sub(rank,'3'))", "plus(clicks,'1')", "cast(clicks,'BIGINT')", 'up', "jsonextractscalar(payload,'$.n','INT')"]);
  });

  it('types results as Pinot does', () => {
    const p = plan('SELECT count(*), sum(clicks), avg(clicks), min(big), distinctcount(country), distinctcounthll(country), percentileest(amount, 50), percentiletdigest(amount, 50), minmaxrange(price) FROM events');
    expect(p.columnTypes).toEqual(['LONG', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'INT', 'LONG', 'LONG', 'DOUBLE', 'DOUBLE']);
    expect(plan('SELECT tags, scores, ts, active, raw, payload, price FROM events').columnTypes).toEqual(['STRING_ARRAY', 'INT_ARRAY', 'TIMESTAMP', 'BOOLEAN', 'BYTES', 'JSON', 'FLOAT']);
    expect(plan('SELECT tags, count(*) FROM events GROUP BY tags').columnTypes).toEqual(['STRING', 'LONG']);
  });

  it('resolves columns case-insensitively and reports unknown ones with 710', () => {
    expect(plan('SELECT COUNTRY FROM events').columnNames).toEqual(['country']);
    const e = planError('SELECT nope FROM events');
    expect(e.errorCode).toBe(710);
    expect(e.message).toContain("'nope'");
    expect(planError('SELECT country FROM events WHERE missing = 1').errorCode).toBe(710);
  });

  it('rejects unknown functions, wrong arity and wrong argument types with 200', () => {
    expect(planError('SELECT frobnicate(country) FROM events')).toMatchObject({ errorCode: 200 });
    expect(planError('SELECT upper(country, device) FROM events').message).toMatch(/upper expects 1 argument/);
    expect(planError('SELECT abs(country) FROM events').message).toMatch(/argument 1 \(country\) has type STRING, expected a number/);
    expect(planError('SELECT sum(country) FROM events').message).toMatch(/expected a number/);
    expect(planError('SELECT summv(clicks) FROM events').message).toMatch(/multi-value argument/);
    expect(planError('SELECT percentile(amount) FROM events').message).toMatch(/expects 2 argument/);
    const groovy = planError(`SELECT groovy('{"returnType":"LONG","isSingleValue":true}', 'arg0 + arg1', clicks, rank) FROM events`);
    expect(groovy.errorCode).toBe(200);
    expect(groovy.message).toMatch(/Unsupported function: groovy/);
  });

  it('applies the default LIMIT 10 and rejects absurd limits with 700', () => {
    expect(plan('SELECT country FROM events').limit).toBe(10);
    expect(plan('SELECT country, count(*) FROM events GROUP BY country').limit).toBe(10);
    expect(plan('SELECT country FROM events LIMIT 1000000').limit).toBe(1_000_000);
    const e = planError('SELECT country FROM events LIMIT 1000001');
    expect(e.errorCode).toBe(700);
    expect(e.message).toMatch(/maximum of 1000000 rows/);
    expect(planError('SELECT country FROM events LIMIT 99999999999999999999999').errorCode).toBe(700);
  });

  it('reads query options from SET and queryOptions (SET wins)', () => {
    const p = planQuery(parseSql('SET timeoutMs = 250; SELECT country FROM events'), schema, 'events', new Map([['timeoutMs', '100'], ['numGroupsLimit', '7']]));
    expect(p.options).toEqual({ timeoutMs: 250, numGroupsLimit: 7, explainPlanVerbose: false, skipUpsert: false, skipUpsertDelete: false, clientQueryId: null, useStarTree: true });
    const upsert = planQuery(parseSql('SET skipUpsert = true; SELECT country FROM events'), schema, 'events', new Map([['skipUpsertDelete', 'TRUE']]));
    expect(upsert.options).toMatchObject({ skipUpsert: true, skipUpsertDelete: true });
    expect(planError('SET skipUpsert = maybe; SELECT country FROM events').message).toMatch(/skipUpsert=maybe must be true or false/);
    expect(planError('SET timeoutMs = abc; SELECT country FROM events')).toMatchObject({ errorCode: 700 });
    expect(planError('SET numGroupsLimit = 0; SELECT country FROM events').message).toMatch(/positive integer/);
  });

  it('requires non-aggregated columns to be grouped', () => {
    expect(planError('SELECT country, count(*) FROM events').message).toMatch(/GROUP BY/);
    expect(planError('SELECT country FROM events WHERE count(*) > 1').message).toMatch(/HAVING/);
  });

  it('resolves ORDER BY and GROUP BY aliases and ordinals', () => {
    const p = plan('SELECT country AS c, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC, c');
    expect(p.kind).toBe('aggregation');
    if (p.kind !== 'aggregation') return;
    expect(p.groupBy.map((g) => g.name)).toEqual(['country']);
    expect(p.orderBy.map((o) => [o.expr.kind, o.desc])).toEqual([
      ['aggregate', true],
      ['groupKey', false],
    ]);
  });

  it('normalises negative predicates to not(...) for multi-value semantics', () => {
    const p = plan("SELECT id FROM events WHERE tags <> 'a' AND scores NOT IN (1, 2) AND rank NOT BETWEEN 1 AND 2");
    expect(p.filter).toMatchObject({ kind: 'and', operands: [{ kind: 'not', operand: { kind: 'compare' } }, { kind: 'not', operand: { kind: 'in' } }, { kind: 'not', operand: { kind: 'between' } }] });
  });

  it('converts literals to the column type', () => {
    const p = plan("SELECT id FROM events WHERE raw = 'ff00' AND price = 12.1 AND big = 9007199254740993 AND ts > '2023-11-14 22:13:20'");
    const ops = (p.filter as unknown as { operands: { right: { value: unknown } }[] }).operands.map((o) => o.right.value);
    expect(ops[0]).toEqual(Uint8Array.from([255, 0]));
    expect(ops[1]).toBe(Math.fround(12.1));
    expect(ops[2]).toBe(9_007_199_254_740_993n);
    expect(ops[3]).toBe(1_700_000_000_000n);
    expect(planError("SELECT id FROM events WHERE clicks = 'abc'").errorCode).toBe(200);
  });
});
