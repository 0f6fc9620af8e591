export { parseSql } from './parse-statement.js';
export { tokenize } from './tokenizer.js';
export type { Token, TokenKind } from './tokenizer.js';
export { MAX_EXPRESSION_DEPTH } from './parse-expression.js';
export type * from './ast.js';
export { childrenOf, mapChildren } from './ast-children.js';
