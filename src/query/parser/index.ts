export { parseSql } from './parse-statement.js';
export { tokenize } from './tokenizer.js';
export type { Token, TokenKind } from './tokenizer.js';
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_NODES, MAX_SQL_LENGTH, MAX_SQL_TOKENS } from './query-limits.js';
export type * from './ast.js';
export { childrenOf, mapChildren } from './ast-children.js';
