import { parseError } from './parse-error.js';
import { MAX_SQL_TOKENS } from './query-limits.js';

export { lineCol, parseError } from './parse-error.js';

export type TokenKind = 'ident' | 'quoted' | 'string' | 'number' | 'op' | 'eof';

/**
 * One token. `ident` is a bare word (keywords are bare words the parser recognises by their
 * upper-case text); `quoted` is a `"double"` or `` `back` `` quoted identifier (always a name,
 * never a keyword or a string, as in Pinot); `string` is a single-quoted literal, unescaped.
 */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

const OPERATORS = ['<>', '!=', '<=', '>=', '||', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', ';', '.'];

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function readQuoted(sql: string, start: number, quote: string, what: string): { text: string; end: number } {
  let out = '';
  let i = start + 1;
  for (;;) {
    const j = sql.indexOf(quote, i);
    if (j < 0) throw parseError(sql, start, `unterminated ${what} starting`);
    out += sql.slice(i, j);
    if (sql[j + 1] === quote) {
      out += quote;
      i = j + 2;
    } else {
      return { text: out, end: j + 1 };
    }
  }
}

/**
 * Splits SQL text into tokens in one linear pass (a 1 MB query tokenises in milliseconds).
 * Comments (`-- …` and `/* … *\/`) and whitespace are skipped. Throws `QueryError` (150).
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    if (tokens.length >= MAX_SQL_TOKENS) throw parseError(sql, i, `query too large: more than ${MAX_SQL_TOKENS} tokens`);
    const c = sql.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++;
      continue;
    }
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw parseError(sql, i, 'unterminated comment starting');
      i = end + 2;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(sql.charCodeAt(j))) j++;
      tokens.push({ kind: 'ident', text: sql.slice(i, j), pos: i });
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i;
      while (j < n && isDigit(sql.charCodeAt(j))) j++;
      if (sql.charCodeAt(j) === 46) {
        j++;
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
      }
      const e = sql.charCodeAt(j);
      if (e === 101 || e === 69) {
        let k = j + 1;
        if (sql[k] === '+' || sql[k] === '-') k++;
        if (isDigit(sql.charCodeAt(k))) {
          while (k < n && isDigit(sql.charCodeAt(k))) k++;
          j = k;
        }
      }
      // Java-style suffixes (12L, 1.5d) are not SQL; let the parser report what follows.
      tokens.push({ kind: 'number', text: sql.slice(i, j), pos: i });
      i = j;
      continue;
    }
    if (c === 39) {
      const { text, end } = readQuoted(sql, i, "'", 'string literal');
      tokens.push({ kind: 'string', text, pos: i });
      i = end;
      continue;
    }
    if (c === 34 || c === 96) {
      const q = c === 34 ? '"' : '`';
      const { text, end } = readQuoted(sql, i, q, 'quoted identifier');
      if (text.length === 0) throw parseError(sql, i, 'empty quoted identifier');
      tokens.push({ kind: 'quoted', text, pos: i });
      i = end;
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (op === undefined) {
      throw parseError(sql, i, `unexpected character '${sql[i]}'`);
    }
    tokens.push({ kind: 'op', text: op === '!=' ? '<>' : op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: n });
  return tokens;
}
