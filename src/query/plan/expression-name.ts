import type { Expr, ExprKind, ExprOf, Literal } from '../parser/ast.js';
import { canonicalFunctionName } from '../functions/registry.js';
import { formatJavaDouble } from '../response/java-number-format.js';

/** Calcite's names for CAST target types, as Pinot prints them in column names. */
export const CAST_TYPE_NAMES: Record<string, string> = {
  INT: 'INTEGER',
  INTEGER: 'INTEGER',
  LONG: 'BIGINT',
  BIGINT: 'BIGINT',
  FLOAT: 'FLOAT',
  REAL: 'REAL',
  DOUBLE: 'DOUBLE',
  STRING: 'VARCHAR',
  VARCHAR: 'VARCHAR',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  BYTES: 'VARBINARY',
  VARBINARY: 'VARBINARY',
  BIG_DECIMAL: 'DECIMAL',
  DECIMAL: 'DECIMAL',
  JSON: 'JSON',
};

const ARITHMETIC_NAMES = { '+': 'plus', '-': 'minus', '*': 'times', '/': 'divide', '%': 'mod' } as const;
const COMPARE_NAMES = { '=': 'equals', '<>': 'not_equals', '<': 'less_than', '<=': 'less_than_or_equal', '>': 'greater_than', '>=': 'greater_than_or_equal' } as const;

export function literalName(v: Literal): string {
  switch (v.type) {
    case 'string':
      return `'${v.text}'`;
    case 'number':
      return `'${v.text}'`;
    case 'boolean':
      return `'${v.value}'`;
    case 'null':
      return "'null'";
  }
}

const PERCENTILE_FAMILY = new Set(['percentile', 'percentileest', 'percentiletdigest', 'percentilekll', 'percentilemv', 'percentileestmv', 'percentiletdigestmv', 'percentilekllmv']);

/**
 * The result column name Pinot gives an expression: functions lower-cased (`sum(intMetric1)`,
 * `add(longDimSV1,sub(longDimSV2,'3'))`), literals single-quoted, `+` as `plus(…)`, CAST as
 * `cast(x,'BIGINT')`, `COUNT(col)` as `count(*)`, `COUNT(DISTINCT x)` as `distinctcount(x)`,
 * percentiles as `percentile(col, 80.0)`. `column` maps a written name to the schema's spelling.
 */
export function expressionName(e: Expr, column: (name: string) => string): string {
  const table: { [K in ExprKind]: (x: ExprOf<K>) => string } = {
    column: (x) => column(x.name),
    star: () => '*',
    literal: (x) => literalName(x.value),
    call: (x) => {
      if (x.filter !== null) return `${expressionName({ ...x, filter: null }, column)} FILTER(WHERE ${filterText(x.filter, column)})`;
      if (x.withinGroup !== undefined) {
        const order = x.withinGroup.map((o) => `${expressionName(o.expr, column)}${o.desc ? ' DESC' : ''}`).join(',');
        return `${expressionName({ kind: 'call', name: x.name, args: x.args, distinct: x.distinct, filter: null, pos: x.pos }, column)} WITHIN GROUP(ORDER BY ${order})`;
      }
      const fn = canonicalFunctionName(x.name);
      if (fn === 'count') {
        if (x.distinct) return `distinctcount(${x.args.map((a) => expressionName(a, column)).join(',')})`;
        return 'count(*)';
      }
      if (PERCENTILE_FAMILY.has(fn) && x.args.length === 2) {
        const p = x.args[1]!;
        const pText = p.kind === 'literal' && p.value.type !== 'null' && p.value.type !== 'boolean' ? formatJavaDouble(Number(p.value.text)) : expressionName(p, column);
        return `${fn}(${expressionName(x.args[0]!, column)}, ${pText})`;
      }
      return `${fn}(${x.args.map((a) => expressionName(a, column)).join(',')})`;
    },
    arithmetic: (x) => `${ARITHMETIC_NAMES[x.op]}(${expressionName(x.left, column)},${expressionName(x.right, column)})`,
    negate: (x) => `minus('0',${expressionName(x.operand, column)})`,
    compare: (x) => `${COMPARE_NAMES[x.op]}(${expressionName(x.left, column)},${expressionName(x.right, column)})`,
    and: (x) => `and(${x.operands.map((o) => expressionName(o, column)).join(',')})`,
    or: (x) => `or(${x.operands.map((o) => expressionName(o, column)).join(',')})`,
    not: (x) => `not(${expressionName(x.operand, column)})`,
    between: (x) => `${x.negated ? 'not_between' : 'between'}(${[x.operand, x.low, x.high].map((o) => expressionName(o, column)).join(',')})`,
    in: (x) => `${x.negated ? 'not_in' : 'in'}(${[x.operand, ...x.values].map((o) => expressionName(o, column)).join(',')})`,
    like: (x) => `${x.negated ? 'not_like' : 'like'}(${expressionName(x.operand, column)},${expressionName(x.pattern, column)})`,
    isNull: (x) => `${x.negated ? 'is_not_null' : 'is_null'}(${expressionName(x.operand, column)})`,
    case: (x) =>
      `case(${[...x.branches.flatMap((b) => [b.when, b.then]), ...(x.elseExpr ? [x.elseExpr] : [])].map((o) => expressionName(o, column)).join(',')})`,
    cast: (x) => `cast(${expressionName(x.operand, column)},'${CAST_TYPE_NAMES[x.targetType] ?? x.targetType}')`,
  };
  return (table[e.kind] as (x: Expr) => string)(e);
}

const PREDICATE_OPS = { '=': '=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/** A literal as Pinot's predicates print their values: the text in single quotes. */
function predicateValue(e: Expr, column: (name: string) => string): string {
  if (e.kind !== 'literal') return expressionName(e, column);
  return e.value.type === 'null' ? "'null'" : `'${e.value.type === 'boolean' ? e.value.value : e.value.text}'`;
}

/**
 * A filter as Pinot's `FilterContext` prints it, as used in a filtered aggregation's column name
 * (`count(*) FILTER(WHERE country = 'US')`): predicates as `lhs op 'value'`, `lhs IN ('a','b')`,
 * `lhs BETWEEN 'a' AND 'b'`; AND/OR in parentheses; anything else by its expression name.
 */
export function filterText(e: Expr, column: (name: string) => string): string {
  const lhs = (x: Expr): string => expressionName(x, column);
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.operands.map((o) => filterText(o, column)).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `NOT ${filterText(e.operand, column)}`;
    case 'compare':
      return `${lhs(e.left)} ${PREDICATE_OPS[e.op]} ${predicateValue(e.right, column)}`;
    case 'in':
      return `${lhs(e.operand)} ${e.negated ? 'NOT IN' : 'IN'} (${e.values.map((v) => predicateValue(v, column)).join(',')})`;
    case 'between':
      return `${lhs(e.operand)} ${e.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${predicateValue(e.low, column)} AND ${predicateValue(e.high, column)}`;
    case 'like':
      return `${lhs(e.operand)} ${e.negated ? 'NOT LIKE' : 'LIKE'} ${predicateValue(e.pattern, column)}`;
    case 'isNull':
      return `${lhs(e.operand)} ${e.negated ? 'IS NOT NULL' : 'IS NULL'}`;
    default:
      return lhs(e);
  }
}
