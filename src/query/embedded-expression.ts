/**
 * The query engine's expressions for code outside queries (ingestion transforms and filters):
 * the one import `src/transform/` makes of `src/query/`, so a function means the same at ingest
 * and at query time and the rest of the engine stays private.
 */
import type { Expr } from './parser/ast.js';
import { ExpressionParser } from './parser/parse-expression.js';
import { TokenStream } from './parser/token-stream.js';
import { tokenize } from './parser/tokenizer.js';

export type { Expr } from './parser/ast.js';
export type { ExprType } from './functions/function-types.js';
export type { Fn } from './exec/compile-expr.js';
export { compileExpr, truthy } from './exec/compile-expr.js';
export { scalarFunction } from './functions/registry.js';
export { convertTo } from './functions/values.js';
export { Binder } from './plan/binder.js';
export { liveDimRef } from './dim/dim-tables.js';
export type { DimTableRef, DimTableResolver, DimTableSource } from './dim/dim-tables.js';

/**
 * Parses one standalone expression (`fromEpochDays(DaysSinceEpoch)`); throws the parser's
 * `QueryError` naming the position on bad text or trailing tokens.
 */
export function parseExpressionText(text: string): Expr {
  const ts = new TokenStream(text, tokenize(text));
  const ast = new ExpressionParser(ts).parse();
  const end = ts.peek();
  if (end.kind !== 'eof') throw ts.error(end, 'end of expression');
  return ast;
}
