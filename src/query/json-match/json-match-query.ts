import type { Expr, Literal } from '../parser/ast.js';
import { ExpressionParser } from '../parser/parse-expression.js';
import { TokenStream } from '../parser/token-stream.js';
import { tokenize } from '../parser/tokenizer.js';
import { QueryError } from '../query-error.js';

/**
 * A `JSON_MATCH(col, '<filter>')` filter, parsed once at planning (Pinot's semantics, from its
 * JSON index): the filter is SQL over JSON paths (`"$.a.b" = 'x'`), evaluated on the document's
 * flattened records (`segment/indexes/json-flatten.ts`). A doc matches an inclusive filter when
 * one of its records matches it as a whole — so `AND` of two array paths must hold on the same
 * array element. `!=`, `NOT IN` and `IS NULL` are exclusive: allowed only as the whole filter,
 * they match the docs where no record matches `=`, `IN` or `IS NOT NULL` (docs without the path
 * included).
 */
export type JsonMatchNode =
  | { readonly kind: 'and' | 'or'; readonly children: readonly JsonMatchNode[] }
  | { readonly kind: 'pred'; readonly path: JsonKeyPath; readonly test: JsonValueTest };

export type JsonValueTest =
  | { readonly kind: 'in'; readonly values: readonly string[] }
  | { readonly kind: 'exists' }
  | { readonly kind: 'range'; readonly low: Bound | null; readonly high: Bound | null; readonly numeric: boolean };

export interface Bound {
  readonly value: string;
  readonly inclusive: boolean;
}

/** A query path turned into flattened keys: the value key, plus `.$index` keys fixed by `[n]` steps. */
export interface JsonKeyPath {
  readonly key: string;
  readonly indexKeys: readonly { readonly key: string; readonly value: string }[];
}

export interface JsonMatchQuery {
  readonly text: string;
  readonly root: JsonMatchNode;
  /** True when the filter was `!=`, `NOT IN` or `IS NULL`: docs matching `root` are excluded instead. */
  readonly exclusive: boolean;
}

const invalid = (filter: string, why: string): QueryError => new QueryError('QUERY_EXECUTION', `Invalid json match filter: ${filter} (${why})`);

/**
 * Turns a JSONPath (`$.a[0].b`, `$.tags[*]`, `$`) or a legacy path (`a.b`) into flattened keys,
 * as Pinot does: `[*]` becomes `.`, `[n]` becomes `.` plus a `.$index` = n condition.
 */
export function keyPath(path: string, filter: string): JsonKeyPath {
  let key = path.startsWith('$') ? path.slice(1) : `.${path}`;
  const indexKeys: { key: string; value: string }[] = [];
  for (let open = key.indexOf('['); open >= 0; open = key.indexOf('[')) {
    const close = key.indexOf(']', open + 1);
    if (close < 0) throw invalid(filter, `missing ']' in path ${path}`);
    const left = key.slice(0, open);
    const inside = key.slice(open + 1, close).trim();
    if (inside !== '*') {
      if (!/^\d+$/.test(inside)) throw invalid(filter, `array index '${inside}' in path ${path} is not * or a non-negative integer`);
      indexKeys.push({ key: `${left}.$index`, value: String(Number(inside)) });
    }
    key = `${left}.${key.slice(close + 1)}`;
  }
  return { key, indexKeys };
}

function literalText(e: Expr, filter: string): string {
  if (e.kind === 'negate' && e.operand.kind === 'literal' && e.operand.value.type === 'number') return `-${e.operand.value.text}`;
  if (e.kind !== 'literal') throw invalid(filter, 'the right-hand side must be a literal');
  const v: Literal = e.value;
  if (v.type === 'string' || v.type === 'number') return v.text;
  if (v.type === 'boolean') return String(v.value);
  throw invalid(filter, 'NULL is not a value; use IS NULL / IS NOT NULL');
}

function isNumericLiteral(e: Expr): boolean {
  return (e.kind === 'literal' && e.value.type === 'number') || (e.kind === 'negate' && e.operand.kind === 'literal');
}

function pathOf(e: Expr, filter: string): JsonKeyPath {
  if (e.kind !== 'column') throw invalid(filter, 'the left-hand side must be a JSON path in double quotes, e.g. "$.a.b"');
  return keyPath(e.name, filter);
}

/** An inclusive node; `exclusive` is set when the top node was negative (then its positive form is returned). */
function build(e: Expr, filter: string, top: boolean, out: { exclusive: boolean }): JsonMatchNode {
  const negative = (): never => {
    throw invalid(filter, '!=, NOT IN and IS NULL are allowed only as the whole filter, not inside AND/OR');
  };
  switch (e.kind) {
    case 'and':
    case 'or':
      return { kind: e.kind, children: e.operands.map((c) => build(c, filter, false, out)) };
    case 'compare': {
      const path = pathOf(e.left, filter);
      const value = literalText(e.right, filter);
      if (e.op === '=' || e.op === '<>') {
        if (e.op === '<>') (top ? (out.exclusive = true) : negative());
        return { kind: 'pred', path, test: { kind: 'in', values: [value] } };
      }
      const bound = { value, inclusive: e.op === '<=' || e.op === '>=' };
      const numeric = isNumericLiteral(e.right);
      const test: JsonValueTest = e.op === '<' || e.op === '<=' ? { kind: 'range', low: null, high: bound, numeric } : { kind: 'range', low: bound, high: null, numeric };
      return { kind: 'pred', path, test };
    }
    case 'between': {
      if (e.negated) negative();
      const path = pathOf(e.operand, filter);
      const numeric = isNumericLiteral(e.low) && isNumericLiteral(e.high);
      return { kind: 'pred', path, test: { kind: 'range', low: { value: literalText(e.low, filter), inclusive: true }, high: { value: literalText(e.high, filter), inclusive: true }, numeric } };
    }
    case 'in': {
      if (e.negated) (top ? (out.exclusive = true) : negative());
      return { kind: 'pred', path: pathOf(e.operand, filter), test: { kind: 'in', values: e.values.map((v) => literalText(v, filter)) } };
    }
    case 'isNull': {
      if (!e.negated) (top ? (out.exclusive = true) : negative());
      return { kind: 'pred', path: pathOf(e.operand, filter), test: { kind: 'exists' } };
    }
    case 'not':
      throw invalid(filter, 'NOT is not supported; use !=, NOT IN or IS NULL as the whole filter');
    default:
      throw invalid(filter, `unsupported expression (${e.kind}); use =, !=, <, <=, >, >=, BETWEEN, IN, NOT IN, IS NULL, IS NOT NULL, AND, OR`);
  }
}

/**
 * Parses a JSON_MATCH filter string. Throws `QUERY_EXECUTION` ("Invalid json match filter: …")
 * naming what is wrong.
 *
 * @example parseJsonMatch(`"$.addresses[*].country" = 'us' AND "$.age" > 18`)
 */
export function parseJsonMatch(filter: string): JsonMatchQuery {
  let expr: Expr;
  try {
    const ts = new TokenStream(filter, tokenize(filter));
    expr = new ExpressionParser(ts).parse();
    if (ts.peek().kind !== 'eof') throw ts.error(ts.peek(), 'end of the filter');
  } catch (err) {
    if (err instanceof QueryError && err.message.startsWith('Invalid json match filter')) throw err;
    throw invalid(filter, (err as Error).message);
  }
  const out = { exclusive: false };
  const root = build(expr, filter, true, out);
  return { text: filter, root, exclusive: out.exclusive };
}
