import { describe, expect, it } from 'vitest';
import { compileSqlRegex, MAX_REGEX_PROGRAM_SIZE } from '../../../../src/query/functions/sql-regex.js';
import { QueryError } from '../../../../src/query/index.js';

const compileError = (pattern: string): QueryError => {
  try {
    compileSqlRegex(pattern, 'regexp_like');
  } catch (err) {
    return err as QueryError;
  }
  throw new Error(`'${pattern}' compiled`);
};

describe('SQL regexes (RE2, linear time)', () => {
  it('answers catastrophic-backtracking patterns at once instead of hanging', () => {
    // Each of these takes longer than the age of the universe in a backtracking engine.
    const text = `${'a'.repeat(5_000)}!`;
    expect(compileSqlRegex('(a+)+$', 'regexp_like').test(text)).toBe(false);
    expect(compileSqlRegex('(a+)+$', 'regexp_like').test(`!${'a'.repeat(5_000)}`)).toBe(true);
    expect(compileSqlRegex('^(a+)+$', 'regexp_like').test(text)).toBe(false);
    expect(compileSqlRegex('(a|aa)+b', 'regexp_like').test(text)).toBe(false);
    expect(compileSqlRegex('(a*)*b', 'regexpReplace').replaceAll(text, 'X')).toBe(text);
    expect(compileSqlRegex('(.*a){20}b', 'regexpExtract').exec(text)).toBeNull();
  });

  it('finds a match anywhere (REGEXP_LIKE), or the whole text (TEXT_MATCH terms)', () => {
    const re = compileSqlRegex('go.*g', 'text_match');
    expect(re.test('a golang b')).toBe(true);
    expect(re.testWhole('a golang b')).toBe(false);
    expect(re.testWhole('golang')).toBe(true);
    expect(re.testWhole('golangs')).toBe(false);
    expect(compileSqlRegex('JAVA', 'regexp_like', { caseInsensitive: true }).test('java')).toBe(true);
  });

  it('matches code points, as Java does', () => {
    expect(compileSqlRegex('^.$', 'regexp_like').test('😀')).toBe(true);
  });

  it('extracts groups and replaces with Java replacement syntax', () => {
    expect(compileSqlRegex('(\\d+)-(\\d+)', 'regexpExtract').exec('x 10-20 y')).toEqual(expect.arrayContaining(['10-20', '10', '20']));
    expect(compileSqlRegex('(\\d+)-(\\d+)', 'regexpReplace').replaceAll('10-20 and 30-40', '$2/$1')).toBe('20/10 and 40/30');
    expect(compileSqlRegex('a', 'regexpReplace').replaceAll('banana', '\\$')).toBe('b$n$n$');
    const bad = (() => {
      try {
        compileSqlRegex('a', 'regexpReplace').replaceAll('banana', '$3');
      } catch (err) {
        return err;
      }
    })();
    expect(bad).toBeInstanceOf(QueryError);
    expect((bad as QueryError).errorCode).toBe(200);
  });

  it('rejects Java syntax RE2 does not have with a clear 200 error, not a hang', () => {
    for (const [pattern, what] of [
      ['(a)\\1', 'backreferences'],
      ['a(?=b)', 'lookahead'],
      ['a(?!b)', 'lookahead'],
      ['(?<=a)b', 'lookbehind'],
      ['(?<!a)b', 'lookbehind'],
      ['a++', 'possessive'],
    ] as const) {
      const e = compileError(pattern);
      expect(e).toBeInstanceOf(QueryError);
      expect(e.errorCode).toBe(200);
      expect(e.message).toContain(`invalid regular expression '${pattern}'`);
      expect(e.message).toContain('RE2');
      expect(e.message).toContain(what);
    }
    expect(compileError('(unclosed').message).toMatch(/missing closing \)/);
  });

  it('rejects patterns that compile to too large a program', () => {
    const e = compileError('[a-z]{1000}'.repeat(20));
    expect(e.errorCode).toBe(200);
    expect(e.message).toContain(`at most ${MAX_REGEX_PROGRAM_SIZE}`);
  });
});
