import type { StringMatcher } from './string-matcher.js';

/**
 * A whole-string wildcard pattern: one character stands for any run of characters (`%` in SQL
 * LIKE, `*` in a TEXT_MATCH term), another for exactly one (`_`, `?`); every other character
 * is itself. Matched without a regex engine, by the greedy algorithm with one backtrack point:
 * at most (text length × pattern length) steps, so `%a%a%a%a%b` cannot stall on a long string
 * as a backtracking regex does. Characters are UTF-16 code units, as the regex LIKE used to
 * compile to (`[\s\S]` without the `u` flag). A pattern without wildcards says so (`equals`), as
 * does a literal followed only by `many` (`prefix`): sorted dictionaries answer both as a range.
 *
 * @example
 *   wildcardMatcher('J%a_a', '%', '_').test('Java') // true
 */
export function wildcardMatcher(pattern: string, many: string, one: string): StringMatcher {
  const manyCode = many.charCodeAt(0);
  const oneCode = one.charCodeAt(0);
  if (!pattern.includes(many) && !pattern.includes(one)) return { test: (text) => text === pattern, equals: pattern };
  const test = (text: string): boolean => matchWildcard(pattern, text, manyCode, oneCode);
  // A literal followed only by `many` runs matches exactly the texts with that prefix.
  let end = pattern.length;
  while (end > 0 && pattern.charCodeAt(end - 1) === manyCode) end--;
  const literal = pattern.slice(0, end);
  if (!literal.includes(many) && !literal.includes(one)) return { test, prefix: literal };
  return { test };
}

function matchWildcard(p: string, s: string, many: number, one: number): boolean {
  const n = s.length;
  const m = p.length;
  let i = 0;
  let j = 0;
  // Where the last `many` was and the text position it has absorbed up to.
  let star = -1;
  let mark = 0;
  while (i < n) {
    const pc = j < m ? p.charCodeAt(j) : -1;
    if (pc === many) {
      star = j++;
      mark = i;
    } else if (pc !== -1 && (pc === one || pc === s.charCodeAt(i))) {
      i++;
      j++;
    } else if (star >= 0) {
      j = star + 1;
      i = ++mark;
    } else return false;
  }
  while (j < m && p.charCodeAt(j) === many) j++;
  return j === m;
}
