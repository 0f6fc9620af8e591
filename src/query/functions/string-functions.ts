import { sv } from './function-types.js';
import type { ArgInfo, ScalarFunction } from './function-types.js';
import { compileSqlRegex } from './sql-regex.js';
import { toInt, toJavaString } from './values.js';

const str = (v: unknown, a?: ArgInfo): string => (typeof v === 'string' ? v : toJavaString(v, a?.type.dataType));

function stringToString(name: string, f: (s: string) => string, aliases?: string[]): ScalarFunction {
  return { name, ...(aliases ? { aliases } : {}), minArgs: 1, maxArgs: 1, returnType: () => sv('STRING'), build: (a) => (s: unknown) => f(str(s, a[0])) };
}

function stringPredicate(name: string, f: (s: string, t: string) => boolean): ScalarFunction {
  return { name, minArgs: 2, maxArgs: 2, returnType: () => sv('BOOLEAN'), build: (a) => (s: unknown, t: unknown) => (f(str(s, a[0]), str(t, a[1])) ? 1 : 0) };
}

/**
 * Longest string `lpad`, `rpad` and `repeat` build (characters). One call could otherwise ask
 * for half a gigabyte per row (`lpad(s, 500000000, 'x')`); Pinot has no cap, but one query must
 * not be able to exhaust the server's memory.
 */
export const MAX_BUILT_STRING = 10_000_000;

function checkBuiltLength(fn: string, length: number): void {
  if (length > MAX_BUILT_STRING) throw new Error(`${fn} would build a string of ${length} characters (at most ${MAX_BUILT_STRING})`);
}

/** Apache Commons `StringUtils.leftPad/rightPad`: the pad string repeated and cut to fit. */
function pad(s: string, size: number, padStr: string, left: boolean): string {
  const missing = size - s.length;
  if (missing <= 0 || padStr.length === 0) return s;
  checkBuiltLength(left ? 'lpad' : 'rpad', size);
  const fill = padStr.repeat(Math.ceil(missing / padStr.length)).slice(0, missing);
  return left ? fill + s : s + fill;
}

/** `lpad(s, size, padStr)` / `rpad(…)`: {@link pad} on the left or the right. */
function padFunction(name: string, left: boolean): ScalarFunction {
  return {
    name,
    minArgs: 3,
    maxArgs: 3,
    args: ['any', 'numeric', 'any'],
    returnType: () => sv('STRING'),
    build: (a) => (s: unknown, size: unknown, p: unknown) => pad(str(s, a[0]), toInt(size), str(p, a[2]), left),
  };
}

/** `StringUtils.ordinalIndexOf`: index of the n-th occurrence (1-based n), -1 if none. */
function ordinalIndexOf(s: string, find: string, n: number): number {
  if (n <= 0) return -1;
  let idx = -1;
  for (let k = 0; k < n; k++) {
    idx = s.indexOf(find, idx + (k === 0 ? 0 : Math.max(1, find.length)));
    if (idx < 0) return -1;
  }
  return idx;
}

/** String functions, with Pinot's (Java's) semantics: 0-based `substr`, `strpos` returning -1. */
export const STRING_FUNCTIONS: readonly ScalarFunction[] = [
  stringToString('upper', (s) => s.toUpperCase()),
  stringToString('lower', (s) => s.toLowerCase()),
  stringToString('reverse', (s) => [...s].reverse().join('')),
  stringToString('trim', (s) => s.trim()),
  stringToString('ltrim', (s) => s.replace(/^\s+/, '')),
  stringToString('rtrim', (s) => s.replace(/\s+$/, '')),
  stringPredicate('startswith', (s, t) => s.startsWith(t)),
  stringPredicate('endswith', (s, t) => s.endsWith(t)),
  stringPredicate('contains', (s, t) => s.includes(t)),
  {
    name: 'length',
    aliases: ['len', 'charlength'],
    minArgs: 1,
    maxArgs: 1,
    returnType: () => sv('INT'),
    build: (a) => (s: unknown) => str(s, a[0]).length,
  },
  {
    name: 'codepoint',
    minArgs: 1,
    maxArgs: 1,
    returnType: () => sv('INT'),
    build: (a) => (s: unknown) => str(s, a[0]).codePointAt(0) ?? 0,
  },
  {
    name: 'concat',
    minArgs: 2,
    maxArgs: 3,
    returnType: () => sv('STRING'),
    // Pinot: concat(a, b) = a + b; concat(a, b, separator) = a + separator + b.
    build: (a) => (x: unknown, y: unknown, sep?: unknown) => str(x, a[0]) + (sep === undefined ? '' : str(sep, a[2])) + str(y, a[1]),
  },
  {
    name: 'substr',
    aliases: ['substring'],
    minArgs: 2,
    maxArgs: 3,
    args: ['any', 'numeric', 'numeric'],
    returnType: () => sv('STRING'),
    build: (a) => (s: unknown, begin: unknown, end?: unknown) => {
      const t = str(s, a[0]);
      const b = Math.max(0, toInt(begin));
      const e = end === undefined || toInt(end) < 0 ? t.length : Math.min(t.length, toInt(end));
      return b >= e ? '' : t.slice(b, e);
    },
  },
  {
    name: 'replace',
    minArgs: 3,
    maxArgs: 3,
    returnType: () => sv('STRING'),
    build: (a) => (s: unknown, find: unknown, repl: unknown) => {
      const f = str(find, a[1]);
      return f === '' ? str(s, a[0]) : str(s, a[0]).split(f).join(str(repl, a[2]));
    },
  },
  {
    name: 'strpos',
    minArgs: 2,
    maxArgs: 3,
    args: ['any', 'any', 'numeric'],
    returnType: () => sv('INT'),
    build: (a) => (s: unknown, find: unknown, n?: unknown) => ordinalIndexOf(str(s, a[0]), str(find, a[1]), n === undefined ? 1 : toInt(n)),
  },
  padFunction('lpad', true),
  padFunction('rpad', false),
  {
    name: 'repeat',
    minArgs: 2,
    maxArgs: 3,
    args: ['any', 'numeric', 'any'],
    returnType: () => sv('STRING'),
    build: (a) => (s: unknown, times: unknown, sep?: unknown) => {
      const text = str(s, a[0]);
      const separator = sep === undefined ? '' : str(sep, a[2]);
      const n = Math.max(0, Math.min(toInt(times), 100_000));
      checkBuiltLength('repeat', n * (text.length + separator.length));
      return Array.from({ length: n }, () => text).join(separator);
    },
  },
  {
    name: 'splitpart',
    minArgs: 3,
    maxArgs: 3,
    args: ['any', 'any', 'numeric'],
    returnType: () => sv('STRING'),
    build: (a) => (s: unknown, d: unknown, i: unknown) => str(s, a[0]).split(str(d, a[1]))[toInt(i)] ?? 'null',
  },
  {
    name: 'regexpextract',
    minArgs: 2,
    maxArgs: 4,
    args: ['any', 'literal', 'numeric', 'any'],
    returnType: () => sv('STRING'),
    build: (a) => {
      const re = compileSqlRegex(String(a[1]!.literal), 'regexpExtract');
      return (s: unknown, _p: unknown, group?: unknown, dflt?: unknown) => {
        const m = re.exec(str(s, a[0]));
        const g = group === undefined ? 0 : toInt(group);
        return m && m[g] !== undefined ? m[g] : dflt === undefined ? '' : str(dflt);
      };
    },
  },
  {
    name: 'regexpreplace',
    minArgs: 3,
    maxArgs: 3,
    args: ['any', 'literal', 'any'],
    returnType: () => sv('STRING'),
    build: (a) => {
      const re = compileSqlRegex(String(a[1]!.literal), 'regexpReplace');
      return (s: unknown, _p: unknown, r: unknown) => re.replaceAll(str(s, a[0]), str(r, a[2]));
    },
  },
];
