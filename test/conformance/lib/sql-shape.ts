/**
 * Just enough SQL structure for the runners to pick a comparison rule: the select list, whether
 * the query aggregates, groups, orders, and its LIMIT. Not a SQL parser: a tokenizer (strings,
 * quoted identifiers, numbers, words, punctuation) plus clause splitting at parenthesis depth 0.
 */

export interface Token {
  readonly kind: 'word' | 'ident' | 'string' | 'number' | 'punct';
  readonly text: string;
  /** Offset of the token in the SQL text. */
  readonly start: number;
  readonly end: number;
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      i++;
      out.push({ kind: 'string', text: sql.slice(start, i), start, end: i });
    } else if (c === '"' || c === '`') {
      i++;
      while (i < sql.length && sql[i] !== c) i++;
      i++;
      out.push({ kind: 'ident', text: sql.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i))!;
      i += m[0].length;
      out.push({ kind: 'number', text: m[0], start, end: i });
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(sql.slice(i))!;
      i += m[0].length;
      out.push({ kind: 'word', text: m[0], start, end: i });
    } else {
      const two = sql.slice(i, i + 2);
      const len = ['<>', '<=', '>=', '!=', '||'].includes(two) ? 2 : 1;
      i += len;
      out.push({ kind: 'punct', text: sql.slice(start, i), start, end: i });
    }
  }
  return out;
}

/** Pinot aggregation function names (lower case), including the MV forms. */
const AGGREGATIONS = new Set([
  'count', 'sum', 'min', 'max', 'avg', 'minmaxrange', 'distinctcount', 'distinctcounthll', 'distinctcountbitmap',
  'distinctcountthetasketch', 'distinctcountrawhll', 'distinctsum', 'distinctavg', 'percentile', 'percentileest',
  'percentiletdigest', 'percentilekll', 'mode', 'sumprecision', 'lastwithtime', 'firstwithtime', 'histogram',
  'countmv', 'summv', 'minmv', 'maxmv', 'avgmv', 'minmaxrangemv', 'distinctcountmv', 'distinctcounthllmv',
  'distinctcountbitmapmv', 'percentilemv', 'percentileestmv', 'percentiletdigestmv', 'distinctsummv', 'distinctavgmv',
]);

export interface OrderItem {
  /** Normalised expression text (see {@link normalizeExpression}). */
  readonly expr: string;
  readonly desc: boolean;
}

export interface SqlShape {
  /** Normalised text of each select-list item (alias dropped). */
  readonly select: readonly string[];
  readonly distinct: boolean;
  readonly aggregates: boolean;
  readonly groupBy: boolean;
  readonly orderBy: readonly OrderItem[];
  /** LIMIT n when present. */
  readonly limit: number | undefined;
  /** Offset of the top-level LIMIT keyword, to strip it (`sql.slice(0, limitStart)`). */
  readonly limitStart: number | undefined;
}

/** Lower-cased, quotes removed, no whitespace: `"Month"` and `` `Month` `` and `month` match. */
export function normalizeExpression(tokens: readonly Token[]): string {
  return tokens
    .map((t) => (t.kind === 'ident' ? t.text.slice(1, -1) : t.text))
    .join('')
    .toLowerCase();
}

function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && t.text === ',') parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

export function sqlShape(sql: string): SqlShape {
  const tokens = tokenize(sql);
  // Clause starts at depth 0.
  const clauses = new Map<string, number>();
  let depth = 0;
  tokens.forEach((t, i) => {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word') {
      const w = t.text.toUpperCase();
      const next = tokens[i + 1]?.text.toUpperCase();
      if (['SELECT', 'FROM', 'WHERE', 'HAVING', 'LIMIT', 'OFFSET'].includes(w) && !clauses.has(w)) clauses.set(w, i);
      if ((w === 'GROUP' || w === 'ORDER') && next === 'BY' && !clauses.has(w)) clauses.set(w, i);
    }
  });
  const starts = [...clauses.values()].sort((a, b) => a - b);
  const clause = (name: string, skip: number): Token[] => {
    const at = clauses.get(name);
    if (at === undefined) return [];
    const end = starts.find((s) => s > at) ?? tokens.length;
    return tokens.slice(at + skip, end);
  };
  let selectTokens = clause('SELECT', 1);
  const distinct = selectTokens[0]?.text.toUpperCase() === 'DISTINCT';
  if (distinct) selectTokens = selectTokens.slice(1);
  const selectItems = splitTopLevel(selectTokens).map((item) => {
    // Drop `AS alias` / trailing bare alias.
    const asAt = item.findIndex((t, i) => i > 0 && t.kind === 'word' && t.text.toUpperCase() === 'AS');
    return asAt > 0 ? item.slice(0, asAt) : item;
  });
  const aggregates = selectItems.some((item) =>
    item.some((t, i) => t.kind === 'word' && AGGREGATIONS.has(t.text.toLowerCase()) && item[i + 1]?.text === '('),
  );
  const orderBy = splitTopLevel(clause('ORDER', 2)).map((item) => {
    const last = item[item.length - 1]!;
    const dir = last.kind === 'word' ? last.text.toUpperCase() : '';
    const expr = dir === 'ASC' || dir === 'DESC' ? item.slice(0, -1) : item;
    return { expr: normalizeExpression(expr), desc: dir === 'DESC' };
  });
  const limitTokens = clause('LIMIT', 1);
  // `LIMIT a, b` (MySQL offset form) or `LIMIT n`.
  const limitNumbers = limitTokens.filter((t) => t.kind === 'number').map((t) => Number(t.text));
  const limit = limitNumbers.length === 0 ? undefined : limitNumbers[limitNumbers.length - 1];
  const limitAt = clauses.get('LIMIT');
  return {
    select: selectItems.map(normalizeExpression),
    distinct,
    aggregates,
    groupBy: clauses.has('GROUP'),
    orderBy,
    limit,
    limitStart: limitAt === undefined ? undefined : tokens[limitAt]!.start,
  };
}

/** The query without its top-level LIMIT clause (and whatever follows it). */
export function withoutLimit(sql: string): string {
  const shape = sqlShape(sql);
  return shape.limitStart === undefined ? sql : sql.slice(0, shape.limitStart).trimEnd();
}

/** Index in the select list of each ORDER BY item; -1 when the expression is not selected. */
export function orderByColumnIndexes(shape: SqlShape): number[] {
  return shape.orderBy.map((o) => shape.select.indexOf(o.expr));
}

/**
 * `sql` with its ORDER BY expressions appended to the select list (`SELECT a FROM t ORDER BY x`
 * → `SELECT a, x FROM t ORDER BY x`), so a reference answer shows the values rows are ordered
 * by even when the query does not select them. Returns how many columns were added.
 */
export function withOrderKeysSelected(sql: string): { sql: string; added: number } {
  const tokens = tokenize(sql);
  let depth = 0;
  let fromAt = -1;
  let orderAt = -1;
  let orderEnd = tokens.length;
  tokens.forEach((t, i) => {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word') {
      const w = t.text.toUpperCase();
      if (w === 'FROM' && fromAt < 0) fromAt = i;
      if (w === 'ORDER' && tokens[i + 1]?.text.toUpperCase() === 'BY') orderAt = i;
      if ((w === 'LIMIT' || w === 'OFFSET') && orderAt >= 0 && orderEnd === tokens.length) orderEnd = i;
    }
  });
  if (fromAt < 0 || orderAt < 0) return { sql, added: 0 };
  const items = splitTopLevel(tokens.slice(orderAt + 2, orderEnd)).map((item) => {
    const last = item[item.length - 1]!;
    const dir = last.kind === 'word' && ['ASC', 'DESC'].includes(last.text.toUpperCase());
    const expr = dir ? item.slice(0, -1) : item;
    return sql.slice(expr[0]!.start, expr[expr.length - 1]!.end);
  });
  const at = tokens[fromAt]!.start;
  return { sql: `${sql.slice(0, at).trimEnd()}, ${items.join(', ')} ${sql.slice(at)}`, added: items.length };
}
