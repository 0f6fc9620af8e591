import { childrenOf } from '../plan/bound-expr.js';
import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';
import type { Dictionary } from '../../segment/segment-view.js';
import { compileExpr } from './compile-expr.js';
import { chargeDerived } from './derived-memory.js';
import type { Fn } from './compile-expr.js';

/**
 * Functions never evaluated per dictionary id: those whose value depends on the query's start
 * time (fixed per query, never cached across queries) and `JSON_EXTRACT_INDEX`, which reads the
 * segment's JSON index per row.
 */
const TIME_DEPENDENT = new Set(['now', 'ago', 'jsonextractindex']);

/**
 * The one single-value column `e` reads, when `e` is a function of that column's value alone (no
 * `IS NULL`, which depends on the row's null bit, and no `now()` / `ago()`); null otherwise, and for a bare
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
    } else if (x.kind === 'isNull' || x.kind === 'aggregate' || x.kind === 'groupKey' || (x.kind === 'call' && TIME_DEPENDENT.has(x.fn))) pure = false;
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

/** Per sealed dictionary: predicate key → which ids pass (sealed dictionaries never change). */
const idMatches = new WeakMap<Dictionary, Map<string, Uint8Array>>();
/** Predicates remembered per dictionary at most. */
const MAX_CACHED_PREDICATES = 64;

/**
 * Which ids of `dict` pass predicate `e` (a `soleColumn` expression), computed by `compute` and
 * remembered across queries for an immutable (sealed) dictionary, so a dashboard's repeated
 * `year(ts) = 1993` tests a segment's dictionary once, not once per query. `mutable` (a
 * consuming segment's growing dictionary): not remembered.
 */
export function cachedIdMatch(e: BoundExpr, dict: Dictionary, mutable: boolean, compute: () => Uint8Array): Uint8Array {
  if (mutable) return compute();
  let byKey = idMatches.get(dict);
  const key = exprKey(e);
  const hit = byKey?.get(key);
  if (hit !== undefined && hit.length >= dict.size) return hit;
  const match = compute();
  if (byKey === undefined) idMatches.set(dict, (byKey = new Map()));
  if (byKey.size >= MAX_CACHED_PREDICATES) byKey.clear();
  byKey.set(key, match);
  chargeDerived(dict, match.byteLength);
  return match;
}

/** A text that tells two bound expressions apart: names, node kinds, types and literal values with their JS types. */
function exprKey(e: BoundExpr): string {
  let out = `${e.kind}:${e.name}:${e.type.dataType}:${String(e.type.sv)}`;
  if (e.kind === 'literal') out += `:${typeof e.value}:${String(e.value)}`;
  for (const c of childrenOf(e)) out += `(${exprKey(c)})`;
  return out;
}
