import { childrenOf } from '../plan/bound-expr.js';
import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';
import type { Dictionary } from '../../segment/segment-view.js';
import { compileExpr } from './compile-expr.js';
import type { Fn } from './compile-expr.js';

/**
 * The one single-value column `e` reads, when `e` is a function of that column's value alone (no
 * `IS NULL`, which depends on the row's null bit, and no `now()`); null otherwise, and for a bare
 * column. Such an expression has one value per dictionary id, so it can be evaluated once per id
 * of a segment's dictionary instead of once per row.
 */
export function soleColumn(e: BoundExpr): BoundOf<'column'> | null {
  if (e.kind === 'column') return null;
  let column: BoundOf<'column'> | null = null;
  let pure = true;
  const walk = (x: BoundExpr): void => {
    if (x.kind === 'column') {
      if (column !== null && column.column.name !== x.column.name) pure = false;
      column = x;
    } else if (x.kind === 'isNull' || x.kind === 'aggregate' || x.kind === 'groupKey' || (x.kind === 'call' && x.fn === 'now')) pure = false;
    for (const c of childrenOf(x)) walk(c);
  };
  walk(e);
  const col = column as BoundOf<'column'> | null;
  return pure && col !== null && col.type.sv ? col : null;
}

/** `e` (over its sole column) compiled to read dictionary ids of `dict`: `f(id)` is its value for rows holding `id`. */
export function compileOverIds(e: BoundExpr, dict: Dictionary): Fn<number> {
  return compileExpr<number>(e, {
    column: () => (id) => dict.get(id),
    columnIsNull: () => () => false,
    aggregate: () => {
      throw new Error('aggregation result read at row level');
    },
    groupKey: () => {
      throw new Error('group key read at row level');
    },
  });
}
