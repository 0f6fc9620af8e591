import { tokenize } from './sql-shape.js';

/**
 * Translates the reference queries of Pinot's airline query files (written for H2, or Pinot SQL
 * when a line has no `hsqls`) into DuckDB's dialect:
 *
 * - `` `Month` `` → `"Month"` (backtick identifiers; double quotes are identifiers in both DuckDB
 *   and Pinot SQL already);
 * - the H2 multi-value idiom `(c[1] op x OR c[2] op x OR … OR c[5] op x)` → "any element of c
 *   satisfies op x": `len(list_filter(c, lambda __v: __v op x)) > 0`. H2 only looked at the first five
 *   elements; Pinot (and this translation) look at all of them;
 * - any other `c[i]` stays: DuckDB lists are 1-based like H2 arrays (out of range → NULL);
 * - `ARRAY_CONTAINS(c, x)` → `list_contains(c, x)`;
 * - `CAST(x AS LONG)` → `CAST(x AS BIGINT)` (Pinot's LONG);
 * - binary `+ - *` evaluate in DOUBLE, as Pinot's arithmetic functions do (`a - b` →
 *   `a - 0.0 - b`): DuckDB's INTEGER arithmetic overflows on Pinot's default null value
 *   (`13 - -2147483648`), Pinot's does not.
 *
 * @example
 *   toDuckDb("SELECT MAX(`Year`) FROM mytable WHERE ARRAY_CONTAINS(DivAirports, 'SEA')")
 *   // SELECT MAX("Year") FROM mytable WHERE list_contains(DivAirports, 'SEA')
 */
export function toDuckDb(sql: string): string {
  let out = replaceOutsideStrings(sql, (chunk) => chunk.replace(/`([^`]*)`/g, '"$1"'));
  out = rewriteElementOrs(out);
  out = replaceOutsideStrings(out, (chunk) =>
    chunk.replace(/\bARRAY_CONTAINS\s*\(/gi, 'list_contains(').replace(/\bAS\s+LONG\s*\)/gi, 'AS BIGINT)'),
  );
  return doubleArithmetic(out);
}

/** Words after which `-` / `+` / `*` are not binary operators. */
const KEYWORDS = new Set(['SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'BY', 'IN', 'BETWEEN', 'ON', 'HAVING', 'WHEN', 'THEN', 'ELSE', 'CASE', 'AS', 'LIMIT', 'OFFSET', 'IS', 'LIKE', 'DISTINCT', 'FROM']);

function doubleArithmetic(sql: string): string {
  const tokens = tokenize(sql);
  let out = '';
  let from = 0;
  tokens.forEach((t, i) => {
    if (t.kind !== 'punct' || !['-', '+', '*'].includes(t.text)) return;
    const prev = tokens[i - 1];
    const operand = prev !== undefined && (prev.kind === 'ident' || prev.kind === 'number' || prev.text === ')' || (prev.kind === 'word' && !KEYWORDS.has(prev.text.toUpperCase())));
    if (!operand) return;
    const identity = t.text === '*' ? '1.0' : '0.0';
    out += `${sql.slice(from, t.end)} ${identity} ${t.text}`;
    from = t.end;
  });
  return out + sql.slice(from);
}

/** Applies `fn` to the parts of `sql` outside single-quoted string literals. */
export function replaceOutsideStrings(sql: string, fn: (chunk: string) => string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const q = sql.indexOf("'", i);
    if (q === -1) {
      out += fn(sql.slice(i));
      break;
    }
    out += fn(sql.slice(i, q));
    let end = q + 1;
    while (end < sql.length && !(sql[end] === "'" && sql[end + 1] !== "'")) end += sql[end] === "'" ? 2 : 1;
    out += sql.slice(q, end + 1);
    i = end + 1;
  }
  return out;
}

const IDENT = String.raw`("[^"]+"|[A-Za-z_][A-Za-z0-9_]*)`;

/**
 * Finds `(c[1] P OR c[2] P OR … OR c[n] P)` where P is the same predicate text for every index
 * 1..n (n ≥ 2) and rewrites it as an any-element predicate over the whole list.
 */
function rewriteElementOrs(sql: string): string {
  const head = new RegExp(String.raw`\(\s*${IDENT}\[1\]\s*`, 'g');
  let out = '';
  let from = 0;
  for (let m = head.exec(sql); m !== null; m = head.exec(sql)) {
    const col = m[1]!;
    const predStart = m.index + m[0].length;
    const marker = ` OR ${col}[2] `;
    const orAt = sql.indexOf(marker, predStart);
    if (orAt === -1) continue;
    const pred = sql.slice(predStart, orAt).trim();
    let n = 2;
    let pos = orAt;
    for (;;) {
      const term = ` OR ${col}[${n}] ${pred}`;
      if (!sql.startsWith(term, pos)) break;
      pos += term.length;
      n++;
    }
    if (n === 2) continue;
    const close = /^\s*\)/.exec(sql.slice(pos));
    if (!close) continue;
    out += sql.slice(from, m.index) + `(len(list_filter(${col}, lambda __v: __v ${pred})) > 0)`;
    from = pos + close[0].length;
    head.lastIndex = from;
  }
  return out + sql.slice(from);
}
