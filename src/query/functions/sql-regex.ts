import { RE2JS } from 're2js';
import { QueryError } from '../query-error.js';

/**
 * Largest compiled regex accepted, in RE2 program instructions. Matching is linear in
 * (program size × text length); a pattern such as `[a-z]{1000}` repeated a hundred times would
 * make one match of a 20 KB string take seconds. RE2 bounds its programs by memory the same way.
 */
export const MAX_REGEX_PROGRAM_SIZE = 10_000;

/**
 * A regular expression written in SQL (`REGEXP_LIKE`, `REGEXP_EXTRACT`, `REGEXP_REPLACE`,
 * `TEXT_MATCH(col, '/re/')`), compiled once at planning by RE2 (`re2js`, a pure-JS port of
 * RE2/RE2J, as Pinot offers RE2J): matching takes time linear in the text, whatever the
 * pattern, so `(a+)+$` cannot stall the server. Matching is on code points, as Java's is.
 */
export interface SqlRegex {
  readonly source: string;
  /** True when the pattern matches somewhere in `text` (Pinot's REGEXP_LIKE is a find). */
  test(text: string): boolean;
  /** True when the pattern matches all of `text`. */
  testWhole(text: string): boolean;
  /** Group texts of the first match (index 0 the whole match; undefined for a group that took no part), or null. */
  exec(text: string): readonly (string | undefined)[] | null;
  /** Every match replaced, the replacement read as Java's `Matcher.replaceAll` does (`$1`, `\$`). */
  replaceAll(text: string, replacement: string): string;
}

export interface SqlRegexOptions {
  readonly caseInsensitive?: boolean;
}

/**
 * Compiles `pattern` for SQL function `fn` (named in errors). Throws `QueryError` 200 when the
 * pattern is invalid, uses syntax RE2 does not have (backreferences, lookahead, lookbehind,
 * possessive quantifiers), or compiles to more than `MAX_REGEX_PROGRAM_SIZE` instructions.
 *
 * @example
 *   compileSqlRegex('^Java.*', 'regexp_like').test('JavaScript') // true
 */
export function compileSqlRegex(pattern: string, fn: string, options: SqlRegexOptions = {}): SqlRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    throw new QueryError('QUERY_EXECUTION', `${fn}: invalid regular expression '${clip(pattern)}': ${explain(pattern, err)}`);
  }
  const size = re.programSize();
  if (size > MAX_REGEX_PROGRAM_SIZE) {
    throw new QueryError('QUERY_EXECUTION', `${fn}: regular expression '${clip(pattern)}' is too large (${size} RE2 instructions, at most ${MAX_REGEX_PROGRAM_SIZE}); shorten it or lower its repeat counts`);
  }
  return {
    source: pattern,
    test: (text) => re.test(text),
    testWhole: (text) => re.testExact(text),
    exec: (text) => re.exec(text) as (string | undefined)[] | null,
    replaceAll: (text, replacement) => {
      try {
        return re.matcher(text).replaceAll(replacement, true);
      } catch (err) {
        throw new QueryError('QUERY_EXECUTION', `${fn}: bad replacement '${clip(replacement)}' for '${clip(pattern)}': ${(err as Error).message}`);
      }
    },
  };
}

/** Java regex syntax that RE2 refuses by design, named so the error says why. */
const UNSUPPORTED: readonly { readonly test: RegExp; readonly what: string }[] = [
  { test: /\\[1-9]/, what: 'backreferences (\\1)' },
  { test: /\(\?<?[=!]/, what: 'lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…))' },
  { test: /[*+?}]\+/, what: 'possessive quantifiers (a++, a*+)' },
  { test: /\(\?>/, what: 'atomic groups ((?>…))' },
];

function explain(pattern: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const hit = UNSUPPORTED.find((u) => u.test.test(pattern));
  if (hit === undefined) return message;
  return `${message} (the regex engine is RE2, which matches in linear time and so has no ${hit.what})`;
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
