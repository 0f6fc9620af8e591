import type { TableSchema } from '../../config/schema.js';
import { mapChildren } from '../parser/ast-children.js';
import type { Expr, SelectStatement } from '../parser/ast.js';
import { QueryError } from '../query-error.js';
import type { DimTableResolver } from '../dim/dim-tables.js';
import { Binder } from './binder.js';
import type { BoundExpr } from './bound-expr.js';
import { columnsOf } from './bound-expr.js';
import { MAX_RESPONSE_ROWS, resolveQueryOptions } from './query-options.js';
import type { OrderKey, QueryPlan } from './query-plan.js';

/** Selection and GROUP BY queries without LIMIT return this many rows, as Pinot does. */
export const DEFAULT_LIMIT = 10;

const typeName = (e: BoundExpr): string => `${e.type.dataType}${e.type.sv ? '' : '_ARRAY'}`;

/**
 * Turns a parsed statement into a plan for one table: resolves columns (710), functions and
 * their arity and types (200), aggregations, GROUP BY / HAVING / ORDER BY (aliases and 1-based
 * ordinals of the select list), LIMIT (default 10, at most `MAX_RESPONSE_ROWS`: 700 above) and
 * query options (`SET` statements, then the request's `queryOptions`). `dimTables` serves
 * `lookUp()`; a JOIN is first rewritten onto its fact table by `rewriteDimJoin`.
 */
export function planQuery(
  stmt: SelectStatement,
  schema: TableSchema,
  tableName: string,
  requestOptions: ReadonlyMap<string, string> = new Map(),
  dimTables?: DimTableResolver,
): QueryPlan {
  if (stmt.join !== null) throw new QueryError('QUERY_PLANNING', 'internal: a JOIN reaches the planner only rewritten onto its fact table (rewriteDimJoin)');
  const options = resolveQueryOptions(requestOptions, stmt.options);
  const binder = new Binder(schema, tableName, dimTables);
  const limit = stmt.limit ?? DEFAULT_LIMIT;
  if (limit > MAX_RESPONSE_ROWS || stmt.offset + limit > MAX_RESPONSE_ROWS) {
    throw new QueryError('QUERY_VALIDATION', `LIMIT ${stmt.limit}${stmt.offset ? ` OFFSET ${stmt.offset}` : ''} asks for more than the maximum of ${MAX_RESPONSE_ROWS} rows per response`);
  }

  // SELECT * expands to every column, sorted by name (Pinot's order).
  const items: { expr: Expr; alias: string | null }[] = [];
  for (const item of stmt.select) {
    if (item.expr.kind === 'star') {
      for (const c of [...schema.columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) items.push({ expr: { kind: 'column', name: c.name, pos: item.expr.pos }, alias: null });
    } else items.push(item);
  }
  const aliasOf = new Map<string, Expr>();
  for (const item of items) if (item.alias !== null) aliasOf.set(item.alias.toLowerCase(), item.expr);
  const isColumn = (name: string): boolean => schema.columns.some((c) => c.name.toLowerCase() === name.toLowerCase());
  /** Replaces an alias or an ordinal (1-based position in the select list) by the select expression. */
  const resolveRef = (e: Expr, clause: string, preferAlias: boolean): Expr => {
    if (e.kind === 'literal' && e.value.type === 'number' && /^\d+$/.test(e.value.text)) {
      const i = Number(e.value.text);
      if (i < 1 || i > items.length) throw new QueryError('SQL_PARSING', `${clause} ordinal ${i} is out of range (the select list has ${items.length} items)`);
      return items[i - 1]!.expr;
    }
    if (e.kind === 'column') {
      const aliased = aliasOf.get(e.name.toLowerCase());
      if (aliased && (preferAlias || !isColumn(e.name))) return aliased;
    }
    return e;
  };

  const filter = stmt.where ? bindFilter(binder, stmt.where) : null;
  const groupByAst = stmt.groupBy.map((g) => resolveRef(g, 'GROUP BY', false));
  const orderAst = stmt.orderBy.map((o) => ({ expr: resolveRef(o.expr, 'ORDER BY', true), desc: o.desc }));
  const havingAst = stmt.having;
  const isAggregation =
    stmt.distinct || groupByAst.length > 0 || havingAst !== null || items.some((i) => binder.containsAggregation(i.expr)) || orderAst.some((o) => binder.containsAggregation(o.expr));
  const names = (exprs: readonly BoundExpr[]): string[] => exprs.map((e, i) => items[i]?.alias ?? e.name);

  if (!isAggregation) {
    const select = items.map((i) => binder.bind(i.expr, 'row'));
    const orderBy: OrderKey[] = orderAst.map((o) => ({ expr: binder.bind(o.expr, 'row'), desc: o.desc }));
    for (const o of orderBy) if (!o.expr.type.sv) throw new QueryError('QUERY_VALIDATION', `cannot ORDER BY multi-value expression ${o.expr.name}`);
    const post = new Set<string>();
    for (const e of [...select, ...orderBy.map((o) => o.expr)]) columnsOf(e, post);
    return {
      kind: 'selection',
      tableName,
      schema,
      filter,
      options,
      limit,
      offset: stmt.offset,
      columnNames: names(select),
      columnTypes: select.map(typeName),
      postFilterColumns: [...post],
      select,
      orderBy,
    };
  }

  if (stmt.distinct) {
    if (groupByAst.length > 0) throw new QueryError('QUERY_VALIDATION', 'DISTINCT cannot be combined with GROUP BY');
    if (items.some((i) => binder.containsAggregation(i.expr))) throw new QueryError('QUERY_VALIDATION', 'DISTINCT cannot be combined with aggregation functions');
  }
  const keyAst = stmt.distinct ? items.map((i) => i.expr) : groupByAst;
  const groupBy = keyAst.map((g) => {
    if (binder.containsAggregation(g)) throw new QueryError('QUERY_VALIDATION', `aggregation functions are not allowed in GROUP BY: ${binder.nameOf(g)}`);
    return binder.bind(g, 'row');
  });
  binder.setGroupKeys(groupBy);
  const select = items.map((i) => binder.bind(i.expr, 'agg'));
  const having = havingAst ? binder.bind(resolveHaving(havingAst, aliasOf, isColumn), 'agg') : null;
  const orderBy: OrderKey[] = orderAst.map((o) => ({ expr: binder.bind(o.expr, 'agg'), desc: o.desc }));
  const post = new Set<string>();
  for (const e of groupBy) columnsOf(e, post);
  for (const a of binder.aggregations) {
    if (a.arg) columnsOf(a.arg, post);
    if (a.filter) columnsOf(a.filter, post);
  }
  const noGroups = groupBy.length === 0;
  return {
    kind: 'aggregation',
    distinct: stmt.distinct,
    tableName,
    schema,
    filter,
    options,
    limit: noGroups ? Math.min(limit, 1) : limit,
    offset: noGroups ? 0 : stmt.offset,
    columnNames: names(select),
    columnTypes: select.map(typeName),
    postFilterColumns: [...post],
    groupBy,
    aggregations: binder.aggregations,
    select,
    having,
    orderBy,
  };
}

function bindFilter(binder: Binder, where: Expr): BoundExpr {
  if (binder.containsAggregation(where)) throw new QueryError('QUERY_VALIDATION', 'aggregation functions are not allowed in WHERE; use HAVING');
  return binder.bind(where, 'row');
}

/**
 * HAVING may name select aliases anywhere in its expression (`HAVING cnt > 5`,
 * `HAVING abs(cnt) > 1`, inside CASE, CAST, LIKE, …); a name that is a schema column stays the column.
 */
function resolveHaving(e: Expr, aliasOf: ReadonlyMap<string, Expr>, isColumn: (n: string) => boolean): Expr {
  if (e.kind === 'column') return isColumn(e.name) ? e : (aliasOf.get(e.name.toLowerCase()) ?? e);
  return mapChildren(e, (child) => resolveHaving(child, aliasOf, isColumn));
}
