import type { SelectStatement } from '../parser/ast.js';
import { rewriteDimJoin } from '../plan/dim-join.js';
import type { TableSchema } from '../../config/schema.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { QueryError } from '../query-error.js';
import type { DimTableRef, DimTableResolver } from './dim-tables.js';
import { queryDimRef } from './dim-tables.js';

/** What this module needs of the engine's `QueryTable` (declared here: the engine imports this module). */
interface QueryTable {
  readonly name: string;
  readonly schema: TableSchema;
  readonly isDimTable?: boolean;
  readonly identity?: object;
  snapshot(): SegmentSnapshot[];
}

interface TableResolver {
  resolve(name: string): QueryTable | undefined;
}

/**
 * The dimension tables one query may read (`lookUp()`, joins), each resolved once and indexed at
 * most once for the query. A table that exists but is not a dimension table is a 200 naming it.
 */
export function dimTableResolver(tables: TableResolver): DimTableResolver {
  const refs = new Map<string, DimTableRef | undefined>();
  return (name) => {
    const key = name.toLowerCase();
    if (refs.has(key)) return refs.get(key);
    const table = tables.resolve(name);
    if (table !== undefined && table.isDimTable !== true) {
      throw new QueryError('QUERY_EXECUTION', `Function lookUp: table ${table.name} is not a dimension table (its table config has no "isDimTable": true)`);
    }
    const ref = table === undefined ? undefined : queryDimRef({ name: table.name, schema: table.schema, identity: table.identity ?? table, snapshot: () => table.snapshot() });
    refs.set(key, ref);
    return ref;
  };
}

/**
 * The table a statement reads, and the statement to plan on it: a one-table query as it is; a
 * JOIN (multi-stage option, parsed by `parseSql`) rewritten onto its fact table by
 * `rewriteDimJoin`. The joined table must be a dimension table; `dim JOIN fact` (INNER) is turned
 * round, a LEFT JOIN must keep the fact table on the left. 190 for an unknown table, 720 for a
 * join shardtable does not answer.
 */
export function resolveJoin<T extends QueryTable>(stmt: SelectStatement, tables: { resolve(name: string): T | undefined }): { stmt: SelectStatement; table: T } {
  const find = (name: string): T => {
    const t = tables.resolve(name);
    if (!t) throw new QueryError('TABLE_DOES_NOT_EXIST', { name });
    return t;
  };
  const left = find(stmt.table.name);
  if (stmt.join === null) return { stmt, table: left };
  const right = find(stmt.join.table.name);
  const leftSide = { name: left.name, alias: stmt.tableAlias, schema: left.schema };
  const rightSide = { name: right.name, alias: stmt.join.alias, schema: right.schema };
  if (right.isDimTable === true) return { stmt: rewriteDimJoin(stmt, leftSide, rightSide), table: left };
  if (left.isDimTable === true && stmt.join.type === 'inner') return { stmt: rewriteDimJoin(stmt, rightSide, leftSide), table: right };
  throw new QueryError(
    'QUERY_PLANNING',
    left.isDimTable === true
      ? `LEFT JOIN keeps every row of its left table, so shardtable needs the fact table there: write ${right.name} LEFT JOIN ${left.name}`
      : `shardtable joins a table with a dimension table only, and neither ${left.name} nor ${right.name} is one (table config "isDimTable": true)`,
  );
}
