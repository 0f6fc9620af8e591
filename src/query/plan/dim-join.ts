import type { TableSchema } from '../../config/schema.js';
import { childrenOf, mapChildren } from '../parser/ast-children.js';
import type { Expr, SelectItem, SelectStatement } from '../parser/ast.js';
import { QueryError } from '../query-error.js';
import { isAggregationName } from '../functions/aggregation-functions.js';
import { canonicalFunctionName } from '../functions/registry.js';
import { JOIN_LOOKUP_FUNCTION } from './lookup-binding.js';

/** One side of a join: the table's raw name, the alias the query gives it, its schema. */
export interface JoinSide {
  readonly name: string;
  readonly alias: string | null;
  readonly schema: TableSchema;
}

const planning = (detail: string): QueryError => new QueryError('QUERY_PLANNING', detail);
const str = (text: string, pos: number): Expr => ({ kind: 'literal', value: { type: 'string', text }, pos });
const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Rewrites `fact [INNER | LEFT] JOIN dim ON fact.k = dim.pk …` into a one-table query over the
 * fact table in which every read of a dimension column is a primary-key lookup of that fact row's
 * key (the `$joinlookup` form of `lookUp`, SQL NULL when there is no match). An INNER join keeps
 * only fact rows with a match (a `IS NOT NULL` test of the looked-up key joins the WHERE clause);
 * a LEFT join keeps every fact row. Because the dimension key is its primary key, each fact row
 * matches at most one dimension row: the join has exactly the rows of this rewrite, so filters,
 * GROUP BY, aggregations, HAVING and ORDER BY over the join run unchanged on the fact table's
 * segments.
 *
 * Aggregations over a dimension column of a LEFT JOIN skip the unmatched rows, as SQL skips
 * NULLs (`skipUnmatched`).
 *
 * Columns: `a.col` by table name or alias; an unqualified name belongs to the one table that has
 * it (720 when both do). Without an alias, a select item that is a dimension column is named after
 * the column, any other non-column item `EXPR$<i>`, as Pinot's multi-stage engine (Calcite) names
 * them. `SELECT *` lists the fact columns, then the dimension columns, each sorted by name.
 *
 * Throws 720 when ON is not an AND of equalities that pair each primary-key column of the
 * dimension table with an expression over the fact table.
 */
export function rewriteDimJoin(stmt: SelectStatement, fact: JoinSide, dim: JoinSide): SelectStatement {
  const join = stmt.join!;
  const names = (side: JoinSide): string[] => [side.name.toLowerCase(), ...(side.alias !== null ? [side.alias.toLowerCase()] : [])];
  const factNames = names(fact);
  const dimNames = names(dim);
  const has = (schema: TableSchema, name: string): string | undefined =>
    schema.columns.find((c) => c.name === name)?.name ?? schema.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name;

  /** Which table a column reference reads, with the schema's spelling; null = neither (an alias, a virtual column). */
  const sideOf = (e: Expr & { kind: 'column' }): { side: 'fact' | 'dim'; name: string } | null => {
    if (e.qualifier !== undefined) {
      const q = e.qualifier.toLowerCase();
      const side = factNames.includes(q) ? 'fact' : dimNames.includes(q) ? 'dim' : null;
      if (side === null) throw planning(`Table '${e.qualifier}' not found in the query (column ${e.qualifier}.${e.name})`);
      const name = has(side === 'fact' ? fact.schema : dim.schema, e.name);
      if (name === undefined && !e.name.startsWith('$')) throw planning(`Column '${e.name}' not found in table '${e.qualifier}'`);
      return { side, name: name ?? e.name };
    }
    const inFact = has(fact.schema, e.name);
    const inDim = has(dim.schema, e.name);
    if (inFact !== undefined && inDim !== undefined) throw planning(`Column '${e.name}' is ambiguous: both ${fact.name} and ${dim.name} have it; qualify it (${fact.alias ?? fact.name}.${e.name})`);
    if (inFact !== undefined) return { side: 'fact', name: inFact };
    if (inDim !== undefined) return { side: 'dim', name: inDim };
    return null;
  };

  // ON: each dimension primary-key column equated with a fact expression.
  const factOnly = (e: Expr): Expr => {
    if (e.kind === 'column') {
      const s = sideOf(e);
      if (s?.side === 'dim') throw planning(`JOIN … ON: ${e.name} of the dimension table must be compared with an expression over ${fact.name}`);
      return { kind: 'column', name: s?.name ?? e.name, pos: e.pos };
    }
    return mapChildren(e, factOnly);
  };
  const keyOf = new Map<string, Expr>();
  const conditions = join.on.kind === 'and' ? join.on.operands : [join.on];
  for (const c of conditions) {
    if (c.kind !== 'compare' || c.op !== '=') throw planning(`JOIN … ON must be an AND of equalities (fact expression = dimension key column); found ${c.kind === 'compare' ? c.op : c.kind}`);
    const dimColumn = (x: Expr): string | null => (x.kind === 'column' && sideOf(x)?.side === 'dim' ? sideOf(x)!.name : null);
    const [key, other] = dimColumn(c.left) !== null ? [dimColumn(c.left)!, c.right] : dimColumn(c.right) !== null ? [dimColumn(c.right)!, c.left] : [null, null];
    if (key === null || other === null) throw planning(`JOIN … ON: each equality needs a column of dimension table ${dim.name} on one side`);
    if (keyOf.has(key)) throw planning(`JOIN … ON: ${dim.name}.${key} is compared twice`);
    keyOf.set(key, factOnly(other));
  }
  const pk = dim.schema.primaryKeyColumns;
  if (keyOf.size !== pk.length || pk.some((k) => !keyOf.has(k))) {
    throw planning(`JOIN … ON must equate every primary key column of dimension table ${dim.name} (${pk.join(', ')}) with a fact expression, and nothing else; found ${[...keyOf.keys()].join(', ')}`);
  }
  const keyArgs = pk.flatMap((k) => [str(k, join.table.pos), keyOf.get(k)!]);
  const dimRead = (column: string, pos: number): Expr => ({
    kind: 'call',
    name: JOIN_LOOKUP_FUNCTION,
    args: [str(dim.name, pos), str(column, pos), ...keyArgs],
    distinct: false,
    filter: null,
    pos,
  });

  /** True for a fact row with a match: its looked-up key is not NULL. */
  const matched: Expr = { kind: 'isNull', operand: dimRead(pk[0]!, join.table.pos), negated: true, pos: join.table.pos };
  const readsDim = (e: Expr): boolean => (e.kind === 'call' && e.name === JOIN_LOOKUP_FUNCTION) || childrenOf(e).some(readsDim);
  const rewrite = (e: Expr): Expr => {
    if (e.kind === 'call' && join.type === 'left' && isAggregationName(canonicalFunctionName(e.name))) return skipUnmatched(mapChildren(e, rewrite) as Expr & { kind: 'call' }, readsDim, matched);
    if (e.kind !== 'column') return mapChildren(e, rewrite);
    const s = sideOf(e);
    if (s === null) return e.qualifier === undefined ? e : { kind: 'column', name: e.name, pos: e.pos };
    return s.side === 'dim' ? dimRead(s.name, e.pos) : { kind: 'column', name: s.name, pos: e.pos };
  };

  const select: SelectItem[] = [];
  stmt.select.forEach((item, i) => {
    if (item.expr.kind === 'star') {
      for (const c of [...fact.schema.columns].sort(byName)) select.push({ expr: { kind: 'column', name: c.name, pos: item.expr.pos }, alias: null });
      for (const c of [...dim.schema.columns].sort(byName)) select.push({ expr: dimRead(c.name, item.expr.pos), alias: c.name });
      return;
    }
    const expr = rewrite(item.expr);
    let alias = item.alias;
    if (alias === null && item.expr.kind === 'column' && readsDim(expr)) alias = sideOf(item.expr)!.name;
    else if (alias === null && item.expr.kind !== 'column') alias = `EXPR$${i}`;
    select.push({ expr, alias });
  });

  const where = stmt.where === null ? null : rewrite(stmt.where);
  return {
    ...stmt,
    table: { name: fact.name, pos: stmt.table.pos },
    tableAlias: null,
    join: null,
    select,
    where: join.type === 'left' ? where : where === null ? matched : { kind: 'and', operands: [where, matched], pos: where.pos },
    groupBy: stmt.groupBy.map(rewrite),
    having: stmt.having === null ? null : rewrite(stmt.having),
    orderBy: stmt.orderBy.map((o) => ({ ...o, expr: rewrite(o.expr) })),
  };
}

/**
 * An aggregation over a dimension column of a LEFT JOIN skips the unmatched rows (where the
 * column, and any expression over it, is NULL), as SQL aggregations skip NULLs: `sum(d.x * f.y)`
 * aggregates only the rows `matched` accepts.
 */
function skipUnmatched(call: Expr & { kind: 'call' }, readsDim: (e: Expr) => boolean, matched: Expr): Expr {
  const value = call.args[0];
  if (value === undefined || value.kind === 'star' || !readsDim(value)) return call;
  const present = matched;
  return { ...call, filter: call.filter === null ? present : { kind: 'and', operands: [call.filter, present], pos: call.pos } };
}
