import type { ColumnSpec } from '../../config/schema.js';
import type { DimTableResolver } from '../dim/dim-tables.js';
import type { Expr } from '../parser/ast.js';
import { QueryError } from '../query-error.js';
import type { BoundExpr } from './bound-expr.js';

/** The internal name of a join's dimension-column read: `lookUp` with SQL NULL for a fact row without a match. */
export const JOIN_LOOKUP_FUNCTION = '$joinlookup';

/**
 * Binds `lookUp('dimTable', 'dimColumn', 'dimJoinKey', factValue[, 'dimJoinKey2', factValue2 …])`
 * as Pinot's `LookupTransformFunction` reads it: the join keys, in order, are the dimension
 * table's `primaryKeyColumns`; each fact value is single-value and converted to its key column's
 * type; the result has the dimension column's type. A fact row without a match answers the
 * column's default null value (an empty array for a multi-value column), or SQL NULL when
 * `nullOnMiss` (a LEFT JOIN's unmatched rows). Errors are 200 naming the argument.
 */
export function bindLookUp(
  e: { readonly name: string; readonly args: readonly Expr[] },
  name: string,
  dims: DimTableResolver | undefined,
  bindRow: (x: Expr) => BoundExpr,
  nullOnMiss = false,
): BoundExpr {
  const fail = (detail: string): never => {
    throw new QueryError('QUERY_EXECUTION', `Function lookUp: ${detail}`);
  };
  const args = e.args;
  if (args.length < 4 || args.length % 2 !== 0) {
    fail(`expects lookUp('dimTable', 'dimColumn', 'dimJoinKey', factValue[, 'dimJoinKey2', factValue2, …]), got ${args.length} argument(s)`);
  }
  const text = (i: number, what: string): string => {
    const a = args[i]!;
    if (a.kind !== 'literal' || a.value.type !== 'string') return fail(`argument ${i + 1} (${what}) must be a string literal`);
    return a.value.text;
  };
  const tableName = text(0, 'the dimension table');
  if (dims === undefined) fail('dimension tables are not available here');
  const ref = dims!(tableName.replace(/_OFFLINE$|_REALTIME$/i, '')) ?? fail(`dimension table does not exist: ${tableName}`);
  const { schema } = ref;
  const column = findColumn(schema.columns, text(1, 'the column to look up')) ?? fail(`column does not exist in dimension table ${ref.name}: ${text(1, '')}`);
  const keys: string[] = [];
  const values: BoundExpr[] = [];
  for (let i = 2; i < args.length; i += 2) {
    const key = text(i, 'a join key');
    keys.push(findColumn(schema.columns, key)?.name ?? fail(`primary key column does not exist in dimension table ${ref.name}: ${key}`));
    const v = bindRow(args[i + 1]!);
    if (!v.type.sv) fail(`the join value for ${key} (${v.name}) must be single-value`);
    values.push(v);
  }
  const pk = schema.primaryKeyColumns;
  if (keys.length !== pk.length || keys.some((k, i) => k !== pk[i])) {
    fail(`the join keys (${keys.join(', ')}) must be dimension table ${ref.name}'s primary key columns, in order: ${pk.join(', ')}`);
  }
  const position = schema.columnIndex.get(column.name)!;
  const miss = nullOnMiss ? null : column.singleValue ? column.defaultNullValue : [];
  return {
    kind: 'call',
    name,
    type: { dataType: column.dataType, sv: column.singleValue },
    fn: nullOnMiss ? JOIN_LOOKUP_FUNCTION : 'lookup',
    impl: (...key: unknown[]) => {
      const row = ref.index().row(key);
      return row === undefined ? miss : row[position];
    },
    args: values,
  };
}

function findColumn(columns: readonly ColumnSpec[], name: string): ColumnSpec | undefined {
  return columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
}
