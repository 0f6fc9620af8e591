import type { Expr, SelectStatement } from './ast.js';
import { childrenOf } from './ast-children.js';
import { parseError } from './parse-error.js';

/**
 * How big a query may be. Planning work and memory grow with the query's size (a 100,000-term
 * AND chain once took 44 s and 1.1 GB before execution began), so the parser refuses a query
 * beyond these limits at once with error 150, naming the limit. `docs/query.md` lists them.
 */

/** Longest SQL text accepted, in characters (checked before tokenising). */
export const MAX_SQL_LENGTH = 2_000_000;

/** Most tokens accepted (a 120,000-value IN list is about 240,000). */
export const MAX_SQL_TOKENS = 500_000;

/**
 * Most expression nodes in one query (every column, literal, operator, function call and CASE
 * branch of every clause; a subtree the parser shares, such as a simple CASE's subject, counts
 * once per use). Literal values of IN lists are not counted: they become one hash set.
 */
export const MAX_EXPRESSION_NODES = 10_000;

/** Deepest expression accepted: parentheses, function calls and operator chains (`a + b + …`). */
export const MAX_EXPRESSION_DEPTH = 200;

/**
 * Throws `QueryError` 150 when the statement's expressions have more than `MAX_EXPRESSION_NODES`
 * nodes or are deeper than `MAX_EXPRESSION_DEPTH`. Walks with an explicit stack and stops at the
 * first limit passed, so it costs at most `MAX_EXPRESSION_NODES` steps and never recurses.
 */
export function checkStatementSize(sql: string, stmt: SelectStatement): void {
  const roots: Expr[] = [
    ...stmt.select.map((s) => s.expr),
    ...(stmt.where ? [stmt.where] : []),
    ...stmt.groupBy,
    ...(stmt.having ? [stmt.having] : []),
    ...stmt.orderBy.map((o) => o.expr),
  ];
  const stack: { e: Expr; depth: number }[] = roots.map((e) => ({ e, depth: 1 }));
  let nodes = 0;
  while (stack.length > 0) {
    const { e, depth } = stack.pop()!;
    if (++nodes > MAX_EXPRESSION_NODES) {
      throw parseError(sql, 0, `query too large: more than ${MAX_EXPRESSION_NODES} expression nodes (IN-list values not counted); split it or use IN`);
    }
    if (depth > MAX_EXPRESSION_DEPTH) throw parseError(sql, e.pos, `expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    for (const c of childrenOf(e)) {
      if (e.kind === 'in' && c !== e.operand && c.kind === 'literal') continue;
      stack.push({ e: c, depth: depth + 1 });
    }
  }
}
