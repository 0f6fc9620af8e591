import type { Expr, JoinClause, OrderItem, SelectItem, SelectStatement } from './ast.js';
import { ExpressionParser } from './parse-expression.js';
import { checkStatementSize, MAX_SQL_LENGTH } from './query-limits.js';
import { TokenStream } from './token-stream.js';
import { parseError } from './parse-error.js';
import { tokenize } from './tokenizer.js';
import { QueryError } from '../query-error.js';

/**
 * Parses one Pinot SQL query: optional `SET key = value;` statements, optional `EXPLAIN PLAN FOR`,
 * then `SELECT [DISTINCT] … FROM t [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT n | LIMIT o, n |
 * LIMIT n OFFSET o] [OPTION(k=v, …)] [;]`. Throws `QueryError` 150 naming position and token,
 * or the limit passed when the query is larger than `query-limits.ts` allows.
 *
 * With the multi-stage engine asked for (`SET useMultistageEngine=true`, or in `requestOptions`),
 * `FROM a [INNER | LEFT [OUTER]] JOIN b ON …` is parsed into `join`; other joins and subqueries
 * answer 720 (what shardtable's multi-stage support lacks). Without it, any join or subquery
 * answers Pinot's 450 "multi-stage engine not enabled".
 *
 * @example
 *   parseSql("SET timeoutMs = 100; SELECT count(*) FROM events WHERE country IN ('NL', 'DE')");
 */
export function parseSql(sql: string, requestOptions: ReadonlyMap<string, string> = new Map()): SelectStatement {
  if (sql.length > MAX_SQL_LENGTH) throw parseError(sql, 0, `query too large: ${sql.length} characters (at most ${MAX_SQL_LENGTH})`);
  const ts = new TokenStream(sql, tokenize(sql));
  const options = new Map<string, string>();
  const multiStage = (): boolean => multiStageRequested(requestOptions, options);
  const multiStageOnly = (what: string): QueryError => (multiStage() ? multiStageUnsupported(what) : new QueryError('MULTI_STAGE_NOT_ENABLED', { what }));
  const expr = new ExpressionParser(ts, multiStageOnly);
  while (ts.acceptKeyword('SET')) {
    parseOption(ts, options);
    if (!ts.acceptOp(';')) throw ts.error(ts.peek(), "expected ';' after SET");
  }
  const explain = ts.acceptKeyword('EXPLAIN');
  if (explain) {
    ts.expectKeyword('PLAN');
    ts.expectKeyword('FOR');
  }
  if (!ts.acceptKeyword('SELECT')) throw ts.error(ts.peek(), 'expected SELECT');
  const distinct = ts.acceptKeyword('DISTINCT');
  if (!distinct) ts.acceptKeyword('ALL');
  const select: SelectItem[] = [];
  do select.push(parseSelectItem(ts, expr));
  while (ts.acceptOp(','));
  ts.expectKeyword('FROM');
  if (ts.isOp(ts.peek(), '(')) throw multiStageOnly('a subquery in FROM');
  const from = parseTableRef(ts);
  const join = parseJoin(ts, expr, multiStage, multiStageOnly);
  const where = ts.acceptKeyword('WHERE') ? expr.parse() : null;
  const groupBy: Expr[] = [];
  if (ts.acceptKeyword('GROUP')) {
    ts.expectKeyword('BY');
    do groupBy.push(expr.parse());
    while (ts.acceptOp(','));
  }
  const having = ts.acceptKeyword('HAVING') ? expr.parse() : null;
  const orderBy: OrderItem[] = [];
  if (ts.acceptKeyword('ORDER')) {
    ts.expectKeyword('BY');
    do {
      const e = expr.parse();
      const desc = ts.acceptKeyword('DESC');
      if (!desc) ts.acceptKeyword('ASC');
      if (ts.acceptKeyword('NULLS') && !ts.acceptKeyword('FIRST')) ts.expectKeyword('LAST');
      orderBy.push({ expr: e, desc });
    } while (ts.acceptOp(','));
  }
  let limit: number | null = null;
  let offset = 0;
  for (;;) {
    if (limit === null && ts.acceptKeyword('LIMIT')) {
      const first = parseCount(ts, 'LIMIT');
      if (ts.acceptOp(',')) {
        offset = first;
        limit = parseCount(ts, 'LIMIT');
      } else {
        limit = first;
      }
    } else if (ts.acceptKeyword('OFFSET')) {
      offset = parseCount(ts, 'OFFSET');
    } else break;
  }
  if (ts.acceptKeyword('OPTION')) {
    ts.expectOp('(');
    do parseOption(ts, options);
    while (ts.acceptOp(','));
    ts.expectOp(')');
  }
  ts.acceptOp(';');
  const end = ts.peek();
  if (end.kind !== 'eof') throw ts.error(end, 'expected end of query');
  const stmt: SelectStatement = { kind: 'select', explain, options, distinct, select, table: from.table, tableAlias: from.alias, join, where, groupBy, having, orderBy, limit, offset };
  checkStatementSize(sql, stmt);
  return stmt;
}

const JOIN_WORDS = ['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL'];
/** Words after a table name that start a join rather than name an alias. */
const NOT_ALIASES: ReadonlySet<string> = new Set([...JOIN_WORDS, 'USING']);

/** True when the query asks for Pinot's multi-stage engine (`useMultistageEngine=true`, key in any case). */
export function multiStageRequested(...sources: ReadonlyMap<string, string>[]): boolean {
  let on = false;
  for (const source of sources) for (const [k, v] of source) if (k.toLowerCase() === 'usemultistageengine') on = v.trim().toLowerCase() === 'true';
  return on;
}

/** SQL that needs more of the multi-stage engine than shardtable has (720, Pinot's planning error). */
function multiStageUnsupported(what: string): QueryError {
  return new QueryError(
    'QUERY_PLANNING',
    `The query uses ${what}, which shardtable's multi-stage engine does not answer: it runs one-table queries and [INNER | LEFT] JOINs of a table with a dimension table (isDimTable) on equality of the dimension table's primary key`,
  );
}

/** `name [[AS] alias]`, a dotted name keeping its last part (`db.events`). */
function parseTableRef(ts: TokenStream): { table: { name: string; pos: number }; alias: string | null } {
  const tableToken = ts.next();
  if (tableToken.kind !== 'ident' && tableToken.kind !== 'quoted') throw ts.error(tableToken, 'expected a table name');
  let name = tableToken.text;
  while (ts.acceptOp('.')) {
    const part = ts.next();
    if (part.kind !== 'ident' && part.kind !== 'quoted') throw ts.error(part, 'expected a name after "."');
    name = part.text;
  }
  let alias: string | null = null;
  const next = ts.peek();
  if (ts.acceptKeyword('AS') || (next.kind === 'ident' && !ts.isReserved(next) && !NOT_ALIASES.has(next.text.toUpperCase()))) {
    const a = ts.next();
    if (a.kind !== 'ident' && a.kind !== 'quoted') throw ts.error(a, 'expected a table alias');
    alias = a.text;
  }
  return { table: { name, pos: tableToken.pos }, alias };
}

/**
 * An optional `[INNER] JOIN t [AS a] ON …` / `LEFT [OUTER] JOIN …` after the FROM table. Without
 * the multi-stage engine any join is 450; with it, RIGHT/FULL/CROSS/NATURAL joins, a comma join,
 * `USING`, a second join or a subquery as the joined table are 720.
 */
function parseJoin(ts: TokenStream, expr: ExpressionParser, multiStage: () => boolean, multiStageOnly: (what: string) => QueryError): JoinClause | null {
  const first = ts.peek();
  if (ts.isOp(first, ',')) throw multiStageOnly('a JOIN (FROM a, b)');
  if (!JOIN_WORDS.some((w) => ts.isKeyword(first, w))) return null;
  if (!multiStage()) throw multiStageOnly('a JOIN');
  let type: JoinClause['type'] = 'inner';
  if (ts.acceptKeyword('LEFT')) {
    type = 'left';
    ts.acceptKeyword('OUTER');
  } else if (!ts.acceptKeyword('INNER')) {
    const word = ts.peek();
    if (!ts.isKeyword(word, 'JOIN')) throw multiStageOnly(`a ${word.text.toUpperCase()} JOIN`);
  }
  ts.expectKeyword('JOIN');
  if (ts.isOp(ts.peek(), '(')) throw multiStageOnly('a subquery as the joined table');
  const { table, alias } = parseTableRef(ts);
  if (ts.isKeyword(ts.peek(), 'USING')) throw multiStageOnly('JOIN … USING (write ON a.k = b.k)');
  ts.expectKeyword('ON');
  const on = expr.parse();
  const next = ts.peek();
  if (ts.isOp(next, ',') || JOIN_WORDS.some((w) => ts.isKeyword(next, w))) throw multiStageOnly('more than one JOIN');
  return { type, table, alias, on };
}

function parseSelectItem(ts: TokenStream, expr: ExpressionParser): SelectItem {
  const e = expr.parse();
  if (ts.acceptKeyword('AS')) {
    const alias = ts.next();
    if (alias.kind !== 'ident' && alias.kind !== 'quoted' && alias.kind !== 'string') throw ts.error(alias, 'expected an alias after AS');
    return { expr: e, alias: alias.text };
  }
  const t = ts.peek();
  if ((t.kind === 'ident' && !ts.isReserved(t)) || t.kind === 'quoted') {
    ts.next();
    return { expr: e, alias: t.text };
  }
  return { expr: e, alias: null };
}

function parseCount(ts: TokenStream, clause: string): number {
  const t = ts.next();
  if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw ts.error(t, `expected a non-negative integer after ${clause}`);
  const n = Number(t.text);
  // Beyond 2^53 the exact value no longer matters: it is rejected as too large at planning.
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

function parseOption(ts: TokenStream, options: Map<string, string>): void {
  const key = ts.next();
  if (key.kind !== 'ident' && key.kind !== 'quoted') throw ts.error(key, 'expected an option name');
  ts.expectOp('=');
  let sign = '';
  if (ts.acceptOp('-')) sign = '-';
  const value = ts.next();
  if (value.kind === 'eof' || value.kind === 'op') throw ts.error(value, `expected a value for option ${key.text}`);
  options.set(key.text, sign + value.text);
}
