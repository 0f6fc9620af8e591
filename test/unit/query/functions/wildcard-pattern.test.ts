import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wildcardMatcher } from '../../../../src/query/functions/wildcard-pattern.js';

/** The LIKE translation used before: an anchored JS regex (`%` any run, `_` one code unit). */
function likeRegex(pattern: string): RegExp {
  let re = '';
  for (const c of pattern) re += c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${re}$`);
}

describe('wildcard patterns (LIKE, TEXT_MATCH terms)', () => {
  it('matches exactly as the anchored regex translation of LIKE did', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '%', '_', '.', '\n', '😀'), maxLength: 12 });
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '%', '_', '.', '\n', '\\', '😀'), maxLength: 8 });
    fc.assert(
      fc.property(pattern, text, (p, s) => {
        expect(wildcardMatcher(p, '%', '_').test(s)).toBe(likeRegex(p).test(s));
      }),
      { numRuns: 2_000, seed: 11 },
    );
  });

  it('stays fast on patterns that make a backtracking regex explode', () => {
    const text = 'a'.repeat(20_000);
    expect(wildcardMatcher('%a%a%a%a%a%a%a%a%b', '%', '_').test(text)).toBe(false);
    expect(wildcardMatcher('%a%a%a%a%a%a%a%a%a', '%', '_').test(text)).toBe(true);
    expect(wildcardMatcher('g*l?ng', '*', '?').test('golang')).toBe(true);
    expect(wildcardMatcher('g*l?ng', '*', '?').test('glng')).toBe(false);
  });
});
