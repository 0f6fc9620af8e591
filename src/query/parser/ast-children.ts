import type { Expr, ExprKind, ExprOf } from './ast.js';

/**
 * Generic traversal of the SQL syntax tree. Both functions dispatch through a table typed on
 * `ExprKind`, so a new node kind is a compile error here until its children are listed — and a
 * walker written with `childrenOf` / `mapChildren` then visits them without further change.
 *
 * @example
 *   // true when a column named `name` appears anywhere in `e`
 *   const uses = (e: Expr, name: string): boolean => (e.kind === 'column' && e.name === name) || childrenOf(e).some((c) => uses(c, name));
 *   // every column reference renamed, the rest of the tree kept
 *   const rename = (e: Expr): Expr => (e.kind === 'column' ? { ...e, name: e.name.toLowerCase() } : mapChildren(e, rename));
 */

/** The direct child expressions of a node, in the order they are written. */
export function childrenOf(e: Expr): readonly Expr[] {
  return (CHILDREN[e.kind] as (x: Expr) => readonly Expr[])(e);
}

/**
 * A copy of the node with `fn` applied to each direct child (in the order they are written); the
 * node's kind and other fields are kept. Leaves are returned as they are.
 */
export function mapChildren(e: Expr, fn: (child: Expr) => Expr): Expr {
  return (MAP_CHILDREN[e.kind] as (x: Expr, f: (child: Expr) => Expr) => Expr)(e, fn);
}

const NONE: readonly Expr[] = [];

const CHILDREN: { readonly [K in ExprKind]: (e: ExprOf<K>) => readonly Expr[] } = {
  column: () => NONE,
  star: () => NONE,
  literal: () => NONE,
  call: (e) => (e.filter === null && e.withinGroup === undefined ? e.args : [...e.args, ...(e.filter ? [e.filter] : []), ...(e.withinGroup ?? []).map((o) => o.expr)]),
  arithmetic: (e) => [e.left, e.right],
  negate: (e) => [e.operand],
  compare: (e) => [e.left, e.right],
  and: (e) => e.operands,
  or: (e) => e.operands,
  not: (e) => [e.operand],
  between: (e) => [e.operand, e.low, e.high],
  in: (e) => [e.operand, ...e.values],
  like: (e) => [e.operand, e.pattern],
  isNull: (e) => [e.operand],
  case: (e) => [...e.branches.flatMap((b) => [b.when, b.then]), ...(e.elseExpr ? [e.elseExpr] : [])],
  cast: (e) => [e.operand],
};

type Mapper = (child: Expr) => Expr;

const MAP_CHILDREN: { readonly [K in ExprKind]: (e: ExprOf<K>, fn: Mapper) => ExprOf<K> } = {
  column: (e) => e,
  star: (e) => e,
  literal: (e) => e,
  call: (e, fn) => ({
    ...e,
    args: e.args.map((a) => fn(a)),
    filter: e.filter === null ? null : fn(e.filter),
    ...(e.withinGroup === undefined ? {} : { withinGroup: e.withinGroup.map((o) => ({ expr: fn(o.expr), desc: o.desc })) }),
  }),
  arithmetic: (e, fn) => ({ ...e, left: fn(e.left), right: fn(e.right) }),
  negate: (e, fn) => ({ ...e, operand: fn(e.operand) }),
  compare: (e, fn) => ({ ...e, left: fn(e.left), right: fn(e.right) }),
  and: (e, fn) => ({ ...e, operands: e.operands.map((o) => fn(o)) }),
  or: (e, fn) => ({ ...e, operands: e.operands.map((o) => fn(o)) }),
  not: (e, fn) => ({ ...e, operand: fn(e.operand) }),
  between: (e, fn) => ({ ...e, operand: fn(e.operand), low: fn(e.low), high: fn(e.high) }),
  in: (e, fn) => ({ ...e, operand: fn(e.operand), values: e.values.map((v) => fn(v)) }),
  like: (e, fn) => ({ ...e, operand: fn(e.operand), pattern: fn(e.pattern) }),
  isNull: (e, fn) => ({ ...e, operand: fn(e.operand) }),
  case: (e, fn) => ({ ...e, branches: e.branches.map((b) => ({ when: fn(b.when), then: fn(b.then) })), elseExpr: e.elseExpr === null ? null : fn(e.elseExpr) }),
  cast: (e, fn) => ({ ...e, operand: fn(e.operand) }),
};
