import type { ColumnSpec } from '../../config/schema.js';
import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';
import { truthy } from './compile-expr.js';
import { soleColumn } from './dict-expr.js';
import { numericBounds } from './range-kernels.js';
import type { NumericBounds, RawElement } from './range-kernels.js';
import { isConstantTest, valueRange, valueTest } from './value-tests.js';
import type { LeafNode, ValueRange, ValueTest } from './value-tests.js';

/**
 * The filter tree the executor runs: boolean structure over leaves. A `leaf` tests one column
 * against constants, so it runs on dictionary ids (one test per distinct value), prunes blocks
 * and segments by min/max, and uses an inverted index when the segment has one; an `expr` leaf
 * is any other boolean expression: over one column (`year(ts) = 1993`) it is evaluated once per
 * dictionary id (then runs as a leaf does) or once per distinct raw number; otherwise row by row.
 */
export type FilterNode =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'and'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly child: FilterNode }
  | {
      readonly kind: 'leaf';
      readonly column: ColumnSpec;
      readonly node: LeafNode;
      readonly test: ValueTest;
      readonly range: ValueRange | null;
      readonly pointLookup: boolean;
      /** `compare`/`between` on numbers: inclusive bounds per raw element type, for the tight loops. */
      readonly bounds: Readonly<Record<RawElement, NumericBounds | null>> | null;
    }
  | { readonly kind: 'isNull'; readonly column: ColumnSpec; readonly negated: boolean }
  | {
      readonly kind: 'expr';
      readonly expr: BoundExpr;
      /** The one column the expression is a function of (`dict-expr.ts`): tested once per dictionary id. */
      readonly column: BoundOf<'column'> | null;
    };

/** Builds the filter tree of a WHERE expression (null = every row). */
export function buildFilter(e: BoundExpr | null): FilterNode {
  if (e === null) return { kind: 'all' };
  switch (e.kind) {
    case 'and':
      return { kind: 'and', children: e.operands.map(buildFilter) };
    case 'or':
      return { kind: 'or', children: e.operands.map(buildFilter) };
    case 'not':
      return { kind: 'not', child: buildFilter(e.operand) };
    case 'literal':
      return truthy(e.value) ? { kind: 'all' } : { kind: 'none' };
    case 'isNull':
      if (e.operand.kind === 'column') return { kind: 'isNull', column: e.operand.column, negated: e.negated };
      return exprNode(e);
    case 'compare':
    case 'in':
    case 'between':
    case 'match': {
      const operand = e.kind === 'compare' ? e.left : e.operand;
      if (operand.kind === 'column' && isConstantTest(e)) {
        const node = e as LeafNode;
        const pointLookup = (e.kind === 'compare' && e.op === '=') || e.kind === 'in';
        const range = valueRange(node);
        const bounds = range !== null && (e.kind === 'compare' || e.kind === 'between') ? { int32: numericBounds(range, 'int32'), float: numericBounds(range, 'float'), int64: numericBounds(range, 'int64') } : null;
        return { kind: 'leaf', column: operand.column, node, test: valueTest(node), range, pointLookup, bounds };
      }
      return exprNode(e);
    }
    // Any other boolean expression is evaluated row by row.
    case 'column':
    case 'call':
    case 'cast':
    case 'case':
    case 'aggregate':
    case 'groupKey':
      return exprNode(e);
  }
}

function exprNode(e: BoundExpr): FilterNode {
  return { kind: 'expr', expr: e, column: soleColumn(e) };
}

export type Leaf = Extract<FilterNode, { kind: 'leaf' }>;
