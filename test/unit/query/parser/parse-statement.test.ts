import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../../src/query/parser/index.js';
import { MAX_EXPRESSION_DEPTH } from '../../../../src/query/parser/index.js';
import { QueryError } from '../../../../src/query/query-error.js';

function parseError(sql: string): QueryError {
  try {
    parseSql(sql);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryError);
    return err as QueryError;
  }
  throw new Error(`expected a parse error for ${sql}`);
}

describe('parseSql', () => {
  it('parses the clauses of a full query', () => {
    const s = parseSql("SELECT DISTINCT a, count(*) AS c FROM t WHERE x = 1 AND y IN ('a', 'b') GROUP BY a HAVING count(*) > 2 ORDER BY c DESC, a LIMIT 5 OFFSET 10");
    expect(s.distinct).toBe(true);
    expect(s.select.map((i) => i.alias)).toEqual([null, 'c']);
    expect(s.table.name).toBe('t');
    expect(s.where?.kind).toBe('and');
    expect(s.groupBy).toHaveLength(1);
    expect(s.having?.kind).toBe('compare');
    expect(s.orderBy.map((o) => o.desc)).toEqual([true, false]);
    expect([s.limit, s.offset]).toEqual([5, 10]);
  });

  it('reads LIMIT n, LIMIT offset, n and LIMIT n OFFSET m', () => {
    expect(parseSql('SELECT a FROM t').limit).toBeNull();
    expect(parseSql('SELECT a FROM t LIMIT 7')).toMatchObject({ limit: 7, offset: 0 });
    expect(parseSql('SELECT a FROM t LIMIT 3, 7')).toMatchObject({ limit: 7, offset: 3 });
    expect(parseSql('SELECT a FROM t LIMIT 7 OFFSET 3')).toMatchObject({ limit: 7, offset: 3 });
  });

  it('reads SET options and OPTION(...)', () => {
    const s = parseSql("SET timeoutMs = 100; SET numGroupsLimit=5; SELECT a FROM t OPTION(skipUpsert=true)");
    expect(Object.fromEntries(s.options)).toEqual({ timeoutMs: '100', numGroupsLimit: '5', skipUpsert: 'true' });
  });

  it('reads double-quoted and backtick identifiers as columns, single quotes as strings', () => {
    const s = parseSql('SELECT "Year", `Month`, \'text\' FROM "mytable" WHERE "Year" = \'2014\'');
    expect(s.select.map((i) => i.expr)).toMatchObject([
      { kind: 'column', name: 'Year' },
      { kind: 'column', name: 'Month' },
      { kind: 'literal', value: { type: 'string', text: 'text' } },
    ]);
    expect(s.table.name).toBe('mytable');
    expect(s.where).toMatchObject({ kind: 'compare', left: { kind: 'column', name: 'Year' }, right: { kind: 'literal' } });
  });

  it('unescapes doubled quotes', () => {
    const s = parseSql("SELECT a FROM t WHERE b = 'it''s'");
    expect(s.where).toMatchObject({ right: { value: { text: "it's" } } });
  });

  it('parses CAST (including AS LONG), CASE WHEN, BETWEEN, NOT IN, LIKE, IS [NOT] NULL, arithmetic', () => {
    const s = parseSql(
      "SELECT CAST(CAST(m AS LONG) AS DOUBLE), CASE WHEN a > 1 THEN 'x' ELSE 'y' END, a + b * -c FROM t WHERE a BETWEEN 10 AND 4 AND b NOT IN (1, 2) AND c NOT LIKE 'a%' AND d IS NOT NULL",
    );
    expect(s.select[0]!.expr).toMatchObject({ kind: 'cast', targetType: 'DOUBLE', operand: { kind: 'cast', targetType: 'LONG' } });
    expect(s.select[1]!.expr).toMatchObject({ kind: 'case', branches: [{ when: { kind: 'compare' } }] });
    expect(s.select[2]!.expr).toMatchObject({ kind: 'arithmetic', op: '+', right: { kind: 'arithmetic', op: '*', right: { kind: 'negate', operand: { kind: 'column', name: 'c' } } } });
    const where = s.where as unknown as { kind: 'and'; operands: { kind: string; negated?: boolean }[] };
    expect(where.operands.map((o) => [o.kind, o.negated])).toEqual([
      ['between', false],
      ['in', true],
      ['like', true],
      ['isNull', true],
    ]);
  });

  it('gives AND precedence over OR', () => {
    const s = parseSql('SELECT a FROM t WHERE x = 1 AND y = 2 OR z = 3');
    expect(s.where).toMatchObject({ kind: 'or', operands: [{ kind: 'and' }, { kind: 'compare' }] });
  });

  it('parses COUNT(*), COUNT(DISTINCT x) and function calls', () => {
    const s = parseSql('SELECT count(*), count(DISTINCT x), percentile(y, 90) FROM t');
    expect(s.select.map((i) => i.expr)).toMatchObject([
      { kind: 'call', name: 'count', args: [{ kind: 'star' }] },
      { kind: 'call', name: 'count', distinct: true },
      { kind: 'call', name: 'percentile', args: [{ kind: 'column' }, { kind: 'literal' }] },
    ]);
  });

  it('reports position and token of a syntax error (150)', () => {
    const e = parseError('SELECT a FROM t WHERE');
    expect(e.errorCode).toBe(150);
    expect(e.message).toMatch(/end of query/);
    const e2 = parseError('SELECT a,, b FROM t');
    expect(e2.message).toMatch(/line 1, column 10/);
    expect(e2.message).toMatch(/','/);
    expect(parseError('SELECT a FROM t LIMIT -1').message).toMatch(/non-negative integer/);
    expect(parseError("SELECT a FROM t WHERE b = 'open").message).toMatch(/unterminated string literal/);
    expect(parseError('SELEC a FROM t').message).toMatch(/expected SELECT/);
    expect(parseError('SELECT a FROM t garbage here').message).toMatch(/expected end of query; found 'here'/);
  });

  it('rejects expressions nested too deep instead of overflowing the stack', () => {
    const sql = `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)} FROM t`;
    const e = parseError(sql);
    expect(e.errorCode).toBe(150);
    expect(e.message).toContain(`deeper than ${MAX_EXPRESSION_DEPTH}`);
  });

  it('parses a 1 MB query (a long IN list)', () => {
    const values = Array.from({ length: 120_000 }, (_, i) => String(i)).join(', ');
    const sql = `SELECT count(*) FROM t WHERE x IN (${values})`;
    expect(sql.length).toBeGreaterThan(800_000);
    const s = parseSql(sql);
    expect((s.where as unknown as { values: unknown[] }).values).toHaveLength(120_000);
  });
});
