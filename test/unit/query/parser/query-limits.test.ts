import { describe, expect, it } from 'vitest';
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_NODES, MAX_SQL_LENGTH, MAX_SQL_TOKENS } from '../../../../src/query/parser/index.js';
import { parseSql, QueryError } from '../../../../src/query/index.js';

function parseError(sql: string): QueryError {
  try {
    parseSql(sql);
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error('parsed');
}

describe('query size limits', () => {
  it('rejects a 100,000-term AND chain with 150 before planning it', () => {
    const terms = Array.from({ length: 100_000 }, (_, i) => `x = ${i}`).join(' AND ');
    const e = parseError(`SELECT count(*) FROM t WHERE ${terms}`);
    expect(e.errorCode).toBe(150);
    expect(e.message).toContain(`query too large: more than ${MAX_EXPRESSION_NODES} expression nodes`);
  });

  it('accepts a query just under the node limit', () => {
    const terms = Array.from({ length: Math.floor((MAX_EXPRESSION_NODES - 10) / 3) }, (_, i) => `x = ${i}`).join(' AND ');
    expect(parseSql(`SELECT count(*) FROM t WHERE ${terms}`).where?.kind).toBe('and');
  });

  it('rejects operator chains deeper than the depth limit (they nest without parentheses)', () => {
    const e = parseError(`SELECT ${Array.from({ length: MAX_EXPRESSION_DEPTH + 5 }, () => 'a').join(' + ')} FROM t`);
    expect(e.errorCode).toBe(150);
    expect(e.message).toContain(`deeper than ${MAX_EXPRESSION_DEPTH}`);
    expect(parseSql(`SELECT ${Array.from({ length: 100 }, () => 'a').join(' + ')} FROM t`).select).toHaveLength(1);
  });

  it('counts a simple CASE subject once per WHEN, as the binder does the work', () => {
    const subject = Array.from({ length: 50 }, (_, i) => `c${i}`).join(' * ');
    const whens = Array.from({ length: 200 }, (_, i) => `WHEN ${i} THEN ${i}`).join(' ');
    expect(parseError(`SELECT CASE ${subject} ${whens} END FROM t`).message).toContain('expression nodes');
  });

  it('does not count IN-list literals (a 120,000-value IN list parses)', () => {
    const values = Array.from({ length: 120_000 }, (_, i) => String(i)).join(',');
    expect(parseSql(`SELECT count(*) FROM t WHERE x IN (${values})`).where?.kind).toBe('in');
  });

  it('rejects SQL longer than the length limit and token floods', () => {
    const long = parseError(`SELECT a FROM t WHERE b = '${'x'.repeat(MAX_SQL_LENGTH)}'`);
    expect(long.errorCode).toBe(150);
    expect(long.message).toContain(`at most ${MAX_SQL_LENGTH}`);
    const flood = parseError(`SELECT a FROM t WHERE x IN (${'1,'.repeat(MAX_SQL_TOKENS / 2)}1)`);
    expect(flood.errorCode).toBe(150);
    expect(flood.message).toContain(`more than ${MAX_SQL_TOKENS} tokens`);
  });
});
