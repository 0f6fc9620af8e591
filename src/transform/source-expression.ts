import type { DataType } from '../config/data-type.js';
import type { ColumnSpec, TableSchema } from '../config/schema.js';
import { Binder, compileExpr, convertTo, parseExpressionText, scalarFunction } from '../query/embedded-expression.js';
import type { DimTableResolver, Expr, ExprType, Fn } from '../query/embedded-expression.js';

/** A source record: every field of the stream record by name (after flattening, if configured). */
export type SourceRecord = Record<string, unknown>;

/**
 * An ingestion expression (transform or filter), parsed by the query parser, bound by the query
 * binder and compiled by the query evaluator — so a function means the same at ingest and at query
 * time. Fields are read from the source record, not from the table's columns.
 */
export interface SourceExpression {
  readonly text: string;
  readonly type: ExprType;
  /** Source fields the expression reads. */
  readonly fields: readonly string[];
  /** Evaluates on one record; throws when a function fails on the values. */
  evaluate(record: SourceRecord): unknown;
}

type FieldUse = 'numeric' | 'mv' | 'string';

/**
 * Compiles an ingestion expression. Field types: a field that is also a schema column has that
 * column's type; any other field is a DOUBLE where the expression uses it as a number
 * (arithmetic, numeric function arguments, comparison with a number), a STRING array where a
 * multi-value argument is expected, and otherwise a STRING (objects and arrays as JSON text).
 * Throws the query engine's `QueryError` (parse or binding message) on a bad expression.
 * `dimTables` serves `lookUp()` (the dimension table's rows as they are when each record is read).
 *
 * @example compileSourceExpression('fromEpochDays(DaysSinceEpoch)', schema).evaluate({ DaysSinceEpoch: 16071 }) // 1388534400000n
 */
export function compileSourceExpression(text: string, schema: TableSchema, dimTables?: DimTableResolver): SourceExpression {
  const ast = parseExpressionText(text);
  const uses = new Map<string, FieldUse>();
  collectFields(ast, 'string', uses);
  const columns: ColumnSpec[] = [...uses].map(([name, use]) => {
    const own = schema.columnIndex.get(name);
    if (own !== undefined) return schema.columns[own]!;
    const dataType: DataType = use === 'numeric' ? 'DOUBLE' : 'STRING';
    return { name, dataType, singleValue: use !== 'mv', fieldType: 'DIMENSION', defaultNullValue: use === 'numeric' ? Number.NEGATIVE_INFINITY : 'null' };
  });
  const sourceSchema: TableSchema = { name: `${schema.name} source fields`, columns, columnIndex: new Map(columns.map((c, i) => [c.name, i])), primaryKeyColumns: [] };
  const bound = new Binder(sourceSchema, schema.name, dimTables).bind(ast, 'row');
  const fn: Fn<SourceRecord> = compileExpr<SourceRecord>(bound, {
    column: (e) => {
      const name = e.column.name;
      const type = e.type;
      return (record) => sourceValue(record[name], type, name);
    },
    columnIsNull: (e) => {
      const name = e.column.name;
      return (record) => record[name] === undefined || record[name] === null;
    },
    aggregate: () => {
      throw new Error('aggregation functions are not allowed in ingestion expressions');
    },
    groupKey: () => {
      throw new Error('group keys are not allowed in ingestion expressions');
    },
  });
  return { text, type: bound.type, fields: columns.map((c) => c.name), evaluate: fn };
}

/** Converts a source value to the type the binder gave its field. */
function sourceValue(value: unknown, type: ExprType, field: string): unknown {
  if (value === undefined || value === null) return null;
  try {
    if (!type.sv) {
      const list = Array.isArray(value) ? value : [value];
      return list.filter((v) => v !== null && v !== undefined).map((v) => convertTo(scalarOf(v, type.dataType), type.dataType));
    }
    if (Array.isArray(value) || typeof value === 'object') {
      if (value instanceof Uint8Array) return value;
      if (type.dataType === 'STRING' || type.dataType === 'JSON') return JSON.stringify(value);
    }
    return convertTo(scalarOf(value, type.dataType), type.dataType);
  } catch (err) {
    throw new Error(`field ${JSON.stringify(field)}: cannot read ${describe(value)} as ${type.dataType}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function scalarOf(v: unknown, type: DataType): unknown {
  if (typeof v === 'boolean') return type === 'STRING' ? String(v) : v ? 1 : 0;
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return JSON.stringify(v);
  return v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v) : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : String(v);
}

const isNumberLiteral = (e: Expr): boolean => e.kind === 'literal' && e.value.type === 'number';

/** Walks the AST and records how each field is used (the strongest use wins: numeric > mv > string). */
function collectFields(e: Expr, use: FieldUse, into: Map<string, FieldUse>): void {
  const visit = (child: Expr, u: FieldUse): void => collectFields(child, u, into);
  switch (e.kind) {
    case 'column': {
      const prev = into.get(e.name);
      if (prev === undefined || prev === 'string' || (prev === 'mv' && use === 'numeric')) into.set(e.name, use);
      return;
    }
    case 'star':
    case 'literal':
      return;
    case 'call': {
      const def = scalarFunction(e.name);
      e.args.forEach((a, i) => {
        const kind = def?.args?.[Math.min(i, def.args.length - 1)];
        visit(a, kind === 'numeric' ? 'numeric' : kind === 'mv' ? 'mv' : 'string');
      });
      return;
    }
    case 'arithmetic':
      visit(e.left, 'numeric');
      visit(e.right, 'numeric');
      return;
    case 'negate':
      visit(e.operand, 'numeric');
      return;
    case 'compare': {
      const numeric = isNumberLiteral(e.left) || isNumberLiteral(e.right) || e.left.kind === 'arithmetic' || e.right.kind === 'arithmetic';
      visit(e.left, numeric ? 'numeric' : 'string');
      visit(e.right, numeric ? 'numeric' : 'string');
      return;
    }
    case 'between': {
      const numeric = isNumberLiteral(e.low) || isNumberLiteral(e.high);
      for (const x of [e.operand, e.low, e.high]) visit(x, numeric ? 'numeric' : 'string');
      return;
    }
    case 'in': {
      const numeric = e.values.some(isNumberLiteral);
      for (const x of [e.operand, ...e.values]) visit(x, numeric ? 'numeric' : 'string');
      return;
    }
    case 'and':
    case 'or':
      for (const x of e.operands) visit(x, 'string');
      return;
    case 'not':
    case 'isNull':
    case 'cast':
      visit(e.operand, e.kind === 'cast' ? use : 'string');
      return;
    case 'like':
      visit(e.operand, 'string');
      visit(e.pattern, 'string');
      return;
    case 'case':
      for (const b of e.branches) {
        visit(b.when, 'string');
        visit(b.then, use);
      }
      if (e.elseExpr) visit(e.elseExpr, use);
      return;
  }
  // A node kind added to the AST must say here how its fields are used.
  const unhandled: never = e;
  throw new Error(`collectFields: unhandled expression kind ${(unhandled as Expr).kind}`);
}
