import type { ArithmeticOp, CompareOp, Expr, OrderItem } from './ast.js';
import { MAX_EXPRESSION_DEPTH } from './query-limits.js';
import { TokenStream } from './token-stream.js';
import { QueryError } from '../query-error.js';

/**
 * Recursive-descent expression parser for Pinot's SQL subset. Precedence, loosest first:
 * OR, AND, NOT, predicates (comparison, [NOT] IN / BETWEEN / LIKE, IS [NOT] NULL),
 * additive (+ - ||), multiplicative (* / %), unary minus, primary.
 */
export class ExpressionParser {
  private depth = 0;

  /**
   * `multiStageOnly(what)` is the error for SQL that needs the multi-stage engine and that
   * shardtable cannot answer (a subquery); by default Pinot's "not enabled" error (450).
   */
  constructor(
    readonly ts: TokenStream,
    private readonly multiStageOnly: (what: string) => QueryError = (what) => new QueryError('MULTI_STAGE_NOT_ENABLED', { what }),
  ) {}

  parse(): Expr {
    // Recursion guard for `((((…))))` bombs; the tree's own depth (operator chains included) is
    // checked after parsing, by `checkStatementSize`.
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw this.ts.error(this.ts.peek(), `expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    }
    try {
      return this.parseOr();
    } finally {
      this.depth--;
    }
  }

  private parseOr(): Expr {
    const pos = this.ts.peek().pos;
    const operands = [this.parseAnd()];
    while (this.ts.acceptKeyword('OR')) operands.push(this.parseAnd());
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands, pos };
  }

  private parseAnd(): Expr {
    const pos = this.ts.peek().pos;
    const operands = [this.parseNot()];
    while (this.ts.acceptKeyword('AND')) operands.push(this.parseNot());
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands, pos };
  }

  private parseNot(): Expr {
    const t = this.ts.peek();
    if (this.ts.acceptKeyword('NOT')) return { kind: 'not', operand: this.parseNot(), pos: t.pos };
    return this.parsePredicate();
  }

  private parsePredicate(): Expr {
    const left = this.parseAdditive();
    const t = this.ts.peek();
    if (t.kind === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(t.text)) {
      this.ts.next();
      return { kind: 'compare', op: t.text as CompareOp, left, right: this.parseAdditive(), pos: t.pos };
    }
    if (this.ts.acceptKeyword('IS')) {
      const negated = this.ts.acceptKeyword('NOT');
      this.ts.expectKeyword('NULL');
      return { kind: 'isNull', operand: left, negated, pos: t.pos };
    }
    const negated = this.ts.isKeyword(this.ts.peek(), 'NOT') && ['IN', 'BETWEEN', 'LIKE'].some((k) => this.ts.isKeyword(this.ts.peek(1), k));
    if (negated) this.ts.next();
    if (this.ts.acceptKeyword('IN')) {
      this.ts.expectOp('(');
      if (this.ts.isKeyword(this.ts.peek(), 'SELECT')) throw this.multiStageOnly('a subquery');
      const values: Expr[] = [this.parse()];
      while (this.ts.acceptOp(',')) values.push(this.parse());
      this.ts.expectOp(')');
      return { kind: 'in', operand: left, values, negated, pos: t.pos };
    }
    if (this.ts.acceptKeyword('BETWEEN')) {
      const low = this.parseAdditive();
      this.ts.expectKeyword('AND');
      const high = this.parseAdditive();
      return { kind: 'between', operand: left, low, high, negated, pos: t.pos };
    }
    if (this.ts.acceptKeyword('LIKE')) {
      return { kind: 'like', operand: left, pattern: this.parseAdditive(), negated, pos: t.pos };
    }
    return left;
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.ts.peek();
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-' && t.text !== '||')) return left;
      this.ts.next();
      const right = this.parseMultiplicative();
      left = t.text === '||'
        ? { kind: 'call', name: 'concat', args: [left, right], distinct: false, filter: null, pos: t.pos }
        : { kind: 'arithmetic', op: t.text as ArithmeticOp, left, right, pos: t.pos };
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.ts.peek();
      if (t.kind !== 'op' || (t.text !== '*' && t.text !== '/' && t.text !== '%')) return left;
      this.ts.next();
      left = { kind: 'arithmetic', op: t.text as ArithmeticOp, left, right: this.parseUnary(), pos: t.pos };
    }
  }

  private parseUnary(): Expr {
    const t = this.ts.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.ts.next();
      const operand = this.parseUnary();
      if (t.text === '+') return operand;
      if (operand.kind === 'literal' && operand.value.type === 'number') {
        const text = operand.value.text.startsWith('-') ? operand.value.text.slice(1) : `-${operand.value.text}`;
        return { kind: 'literal', value: { type: 'number', text }, pos: t.pos };
      }
      return { kind: 'negate', operand, pos: t.pos };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const ts = this.ts;
    const t = ts.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'literal', value: { type: 'number', text: t.text }, pos: t.pos };
      case 'string':
        return { kind: 'literal', value: { type: 'string', text: t.text }, pos: t.pos };
      case 'quoted':
        return this.columnOrCall(t.text, t.pos);
      case 'op':
        if (t.text === '(') {
          if (ts.isKeyword(ts.peek(), 'SELECT')) throw this.multiStageOnly('a subquery');
          const inner = this.parse();
          ts.expectOp(')');
          return inner;
        }
        if (t.text === '*') return { kind: 'star', pos: t.pos };
        throw ts.error(t, `unexpected '${t.text}'`);
      case 'eof':
        throw ts.error(t, 'unexpected end of query, expected an expression');
      case 'ident':
        break;
    }
    const upper = t.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', value: { type: 'boolean', value: upper === 'TRUE' }, pos: t.pos };
    if (upper === 'NULL') return { kind: 'literal', value: { type: 'null' }, pos: t.pos };
    if (upper === 'CASE') return this.parseCase(t.pos);
    if (upper === 'CAST' && ts.isOp(ts.peek(), '(')) return this.parseCast(t.pos);
    if (upper === 'EXTRACT' && ts.isOp(ts.peek(), '(')) return this.parseExtract(t.pos);
    if (upper === 'ARRAY' && ts.isOp(ts.peek(), '[')) return this.parseArray(t.pos);
    if (ts.isReserved(t) && !ts.isOp(ts.peek(), '(')) throw ts.error(t, `unexpected keyword ${upper}, expected an expression`);
    return this.columnOrCall(t.text, t.pos);
  }

  private columnOrCall(name: string, pos: number): Expr {
    const ts = this.ts;
    if (ts.acceptOp('(')) {
      const distinct = ts.acceptKeyword('DISTINCT');
      const args: Expr[] = [];
      if (!ts.acceptOp(')')) {
        do args.push(this.parse());
        while (ts.acceptOp(','));
        ts.expectOp(')');
      }
      const withinGroup = this.parseWithinGroup();
      // An aggregation's `FILTER (WHERE …)`; the binder refuses it on a scalar function.
      let filter: Expr | null = null;
      if (ts.isKeyword(ts.peek(), 'FILTER') && ts.isOp(ts.peek(1), '(')) {
        ts.next();
        ts.next();
        ts.expectKeyword('WHERE');
        filter = this.parse();
        ts.expectOp(')');
      }
      // `f(…) OVER (…)`: a window function, which only the multi-stage engine has.
      if (ts.isKeyword(ts.peek(), 'OVER')) throw this.multiStageOnly(`a window function (${name}(…) OVER …)`);
      return withinGroup === null ? { kind: 'call', name, args, distinct, filter, pos } : { kind: 'call', name, args, distinct, filter, withinGroup, pos };
    }
    // `t.col` (table-qualified): kept for joins; a one-table query ignores the qualifier.
    if (ts.acceptOp('.')) {
      const next = ts.next();
      if (next.kind !== 'ident' && next.kind !== 'quoted') throw ts.error(next, 'expected a column name after "."');
      return { kind: 'column', name: next.text, pos: next.pos, qualifier: name };
    }
    return { kind: 'column', name, pos };
  }

  /** `WITHIN GROUP (ORDER BY e [ASC|DESC], …)` after an aggregation's arguments, or null. */
  private parseWithinGroup(): OrderItem[] | null {
    const ts = this.ts;
    if (!(ts.isKeyword(ts.peek(), 'WITHIN') && ts.isKeyword(ts.peek(1), 'GROUP'))) return null;
    ts.next();
    ts.next();
    ts.expectOp('(');
    ts.expectKeyword('ORDER');
    ts.expectKeyword('BY');
    const items: OrderItem[] = [];
    do {
      const expr = this.parse();
      const desc = ts.acceptKeyword('DESC');
      if (!desc) ts.acceptKeyword('ASC');
      items.push({ expr, desc });
    } while (ts.acceptOp(','));
    ts.expectOp(')');
    return items;
  }

  private parseCase(pos: number): Expr {
    const ts = this.ts;
    // Simple CASE (`CASE x WHEN 1 THEN …`) becomes the searched form `CASE WHEN x = 1 THEN …`.
    const subject = ts.isKeyword(ts.peek(), 'WHEN') ? null : this.parse();
    const branches: { when: Expr; then: Expr }[] = [];
    while (ts.acceptKeyword('WHEN')) {
      const w = this.parse();
      ts.expectKeyword('THEN');
      const when: Expr = subject ? { kind: 'compare', op: '=', left: subject, right: w, pos: w.pos } : w;
      branches.push({ when, then: this.parse() });
    }
    if (branches.length === 0) throw ts.error(ts.peek(), 'CASE needs at least one WHEN … THEN');
    const elseExpr = ts.acceptKeyword('ELSE') ? this.parse() : null;
    ts.expectKeyword('END');
    return { kind: 'case', branches, elseExpr, pos };
  }

  /** `ARRAY[a, b, …]` (HISTOGRAM's bin edges) becomes the call `array(a, b, …)`. */
  private parseArray(pos: number): Expr {
    const ts = this.ts;
    ts.expectOp('[');
    const args: Expr[] = [];
    if (!ts.acceptOp(']')) {
      do args.push(this.parse());
      while (ts.acceptOp(','));
      ts.expectOp(']');
    }
    return { kind: 'call', name: 'array', args, distinct: false, filter: null, pos };
  }

  /** `EXTRACT(part FROM ts)` becomes the call `extract('PART', ts)`. */
  private parseExtract(pos: number): Expr {
    const ts = this.ts;
    ts.expectOp('(');
    const part = ts.next();
    if (part.kind !== 'ident') throw ts.error(part, 'expected a time unit after EXTRACT( (YEAR, MONTH, DAY, HOUR, …)');
    ts.expectKeyword('FROM');
    const operand = this.parse();
    ts.expectOp(')');
    return { kind: 'call', name: 'extract', args: [{ kind: 'literal', value: { type: 'string', text: part.text.toUpperCase() }, pos: part.pos }, operand], distinct: false, filter: null, pos };
  }

  private parseCast(pos: number): Expr {
    const ts = this.ts;
    ts.expectOp('(');
    const operand = this.parse();
    ts.expectKeyword('AS');
    const type = ts.next();
    if (type.kind !== 'ident' && type.kind !== 'string' && type.kind !== 'quoted') throw ts.error(type, 'expected a type name after AS');
    let targetType = type.text.toUpperCase();
    // VARCHAR(10), DECIMAL(10, 2): the size does not change the Pinot type.
    if (ts.acceptOp('(')) {
      while (!ts.acceptOp(')')) if (ts.next().kind === 'eof') throw ts.error(ts.peek(), 'unterminated type size');
    }
    if (targetType === 'DOUBLE' && ts.isKeyword(ts.peek(), 'PRECISION')) ts.next();
    ts.expectOp(')');
    if (targetType === 'CHARACTER' || targetType === 'CHAR') targetType = 'VARCHAR';
    return { kind: 'cast', operand, targetType, pos };
  }
}
