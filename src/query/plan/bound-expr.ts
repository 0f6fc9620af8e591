import type { ScalarValue } from '../../config/data-type.js';
import type { ColumnSpec } from '../../config/schema.js';
import type { ExprType } from '../functions/function-types.js';
import type { StringMatcher } from '../functions/string-matcher.js';

/**
 * A resolved, typed expression: columns are schema columns, functions are registry entries,
 * literals are converted. A discriminated union on `kind`; the evaluator and the filter compiler
 * dispatch through exhaustive tables over `BoundKind`.
 *
 * Negative predicates are normalised at binding: `a <> b` is `not(a = b)`, `NOT IN` / `NOT
 * BETWEEN` / `NOT LIKE` are `not(…)`. On a multi-value column a predicate matches when any value
 * matches, so its negation matches when no value does — Pinot's semantics.
 *
 * `aggregate` and `groupKey` appear only after aggregation: they read the i-th aggregation result
 * or group-by key of a result row.
 */
export type BoundExpr =
  | { readonly kind: 'column'; readonly name: string; readonly type: ExprType; readonly column: ColumnSpec }
  | { readonly kind: 'literal'; readonly name: string; readonly type: ExprType; readonly value: ScalarValue | null; readonly text: string }
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly type: ExprType;
      readonly fn: string;
      readonly impl: (...values: any[]) => unknown;
      readonly args: readonly BoundExpr[];
    }
  | { readonly kind: 'cast'; readonly name: string; readonly type: ExprType; readonly operand: BoundExpr }
  | { readonly kind: 'compare'; readonly name: string; readonly type: ExprType; readonly op: '=' | '<' | '<=' | '>' | '>='; readonly left: BoundExpr; readonly right: BoundExpr }
  | { readonly kind: 'in'; readonly name: string; readonly type: ExprType; readonly operand: BoundExpr; readonly values: readonly ScalarValue[] }
  | { readonly kind: 'between'; readonly name: string; readonly type: ExprType; readonly operand: BoundExpr; readonly low: BoundExpr; readonly high: BoundExpr }
  | { readonly kind: 'match'; readonly name: string; readonly type: ExprType; readonly operand: BoundExpr; readonly matcher: StringMatcher }
  | { readonly kind: 'isNull'; readonly name: string; readonly type: ExprType; readonly operand: BoundExpr; readonly negated: boolean }
  | { readonly kind: 'and'; readonly name: string; readonly type: ExprType; readonly operands: readonly BoundExpr[] }
  | { readonly kind: 'or'; readonly name: string; readonly type: ExprType; readonly operands: readonly BoundExpr[] }
  | { readonly kind: 'not'; readonly name: string; readonly type: ExprType; readonly operand: BoundExpr }
  | {
      readonly kind: 'case';
      readonly name: string;
      readonly type: ExprType;
      readonly branches: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
      readonly elseExpr: BoundExpr;
    }
  | { readonly kind: 'aggregate'; readonly name: string; readonly type: ExprType; readonly index: number }
  | { readonly kind: 'groupKey'; readonly name: string; readonly type: ExprType; readonly index: number };

export type BoundKind = BoundExpr['kind'];
export type BoundOf<K extends BoundKind> = Extract<BoundExpr, { kind: K }>;

/** Children of a node, for generic walks. */
export function childrenOf(e: BoundExpr): readonly BoundExpr[] {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'aggregate':
    case 'groupKey':
      return [];
    case 'call':
      return e.args;
    case 'cast':
    case 'in':
    case 'match':
    case 'isNull':
    case 'not':
      return [e.operand];
    case 'compare':
      return [e.left, e.right];
    case 'between':
      return [e.operand, e.low, e.high];
    case 'and':
    case 'or':
      return e.operands;
    case 'case':
      return [...e.branches.flatMap((b) => [b.when, b.then]), e.elseExpr];
  }
}

/** Names of every column an expression reads. */
export function columnsOf(e: BoundExpr, into = new Set<string>()): Set<string> {
  if (e.kind === 'column') into.add(e.column.name);
  for (const c of childrenOf(e)) columnsOf(c, into);
  return into;
}
