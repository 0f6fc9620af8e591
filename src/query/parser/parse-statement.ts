import type { Expr, OrderItem, SelectItem, SelectStatement } from './ast.js';
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
 * @example
 *   parseSql("SET timeoutMs = 100; SELECT count(*) FROM events WHERE country IN ('NL', 'DE')");
 */
export function parseSql(sql: string): SelectStatement {
  if (sql.length > MAX_SQL_LENGTH) throw parseError(sql, 0, `query too large: ${sql.length} characters (at most ${MAX_SQL_LENGTH})`);
  const ts = new TokenStream(sql, tokenize(sql));
  const expr = new ExpressionParser(ts);
  const options = new Map<string, string>();
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
  const tableToken = ts.next();
  if (tableToken.kind !== 'ident' && tableToken.kind !== 'quoted') throw ts.error(tableToken, 'expected a table name after FROM');
  let tableName = tableToken.text;
  while (ts.acceptOp('.')) {
    const part = ts.next();
    if (part.kind !== 'ident' && part.kind !== 'quoted') throw ts.error(part, 'expected a name after "."');
    tableName = part.text;
  }
  // An optional table alias (`FROM mytable t`).
  if (ts.acceptKeyword('AS') || (ts.peek().kind === 'ident' && !ts.isReserved(ts.peek()))) {
    const alias = ts.next();
    if (alias.kind !== 'ident' && alias.kind !== 'quoted') throw ts.error(alias, 'expected a table alias');
  }
  const joinWord = ts.peek();
  if (ts.isOp(joinWord, ',') || JOIN_WORDS.some((w) => ts.isKeyword(joinWord, w))) throw multiStageOnly('a JOIN');
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
  const stmt: SelectStatement = { kind: 'select', explain, options, distinct, select, table: { name: tableName, pos: tableToken.pos }, where, groupBy, having, orderBy, limit, offset };
  checkStatementSize(sql, stmt);
  return stmt;
}

const JOIN_WORDS = ['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL'];

/**
 * Joins and subqueries need Pinot's multi-stage engine, which shardtable does not have: answered
 * with the error Pinot's broker gives when that engine is not enabled (450), never as bad syntax.
 */
function multiStageOnly(what: string): QueryError {
  return new QueryError('MULTI_STAGE_NOT_ENABLED', { what });
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
