import type { Token } from './tokenizer.js';
import { parseError } from './tokenizer.js';
import type { QueryError } from '../query-error.js';

/** Words that end a clause; a bare identifier spelled like one is not a column or an alias. */
const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'AND', 'OR', 'NOT', 'IN',
  'BETWEEN', 'LIKE', 'IS', 'NULL', 'AS', 'ASC', 'DESC', 'DISTINCT', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'TRUE', 'FALSE', 'OPTION', 'JOIN', 'ON', 'UNION', 'NULLS',
]);

/** Cursor over the tokens with the small helpers the parsers share. */
export class TokenStream {
  private i = 0;

  constructor(
    readonly sql: string,
    private readonly tokens: readonly Token[],
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  isKeyword(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  isReserved(t: Token): boolean {
    return t.kind === 'ident' && RESERVED.has(t.text.toUpperCase());
  }

  isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.text === op;
  }

  acceptKeyword(word: string): boolean {
    if (!this.isKeyword(this.peek(), word)) return false;
    this.next();
    return true;
  }

  acceptOp(op: string): boolean {
    if (!this.isOp(this.peek(), op)) return false;
    this.next();
    return true;
  }

  expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.error(this.peek(), `expected ${word}`);
  }

  expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.error(this.peek(), `expected '${op}'`);
  }

  /** A 150 error naming what was found at `t` and where. */
  error(t: Token, expected: string): QueryError {
    const found = t.kind === 'eof' ? 'end of query' : `'${t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text}'`;
    return parseError(this.sql, t.pos, `${expected}; found ${found}`);
  }
}
