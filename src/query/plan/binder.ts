import type { DataType, ScalarValue } from '../../config/data-type.js';
import { isDataType } from '../../config/data-type.js';
import type { ColumnSpec, TableSchema } from '../../config/schema.js';
import { childrenOf } from '../parser/ast-children.js';
import type { Expr, ExprKind, ExprOf } from '../parser/ast.js';
import { aggregationFunction } from '../functions/aggregation-functions.js';
import { MODE_REDUCERS, stringExtremum } from '../functions/value-aggregations.js';
import type { AggregationFunction } from '../functions/aggregation-functions.js';
import type { ArgInfo, ExprType } from '../functions/function-types.js';
import { sv } from '../functions/function-types.js';
import { canonicalFunctionName, scalarFunction, UNSUPPORTED_FUNCTIONS } from '../functions/registry.js';
import { compileSqlRegex } from '../functions/sql-regex.js';
import { textMatcher } from '../functions/text-match.js';
import { jsonMatcher } from '../json-match/json-match-eval.js';
import { wildcardMatcher } from '../functions/wildcard-pattern.js';
import { QueryError } from '../query-error.js';
import type { BoundExpr } from './bound-expr.js';
import type { DimTableResolver } from '../dim/dim-tables.js';
import { bindCollectionAggregation } from './collection-binding.js';
import { bindLookUp, JOIN_LOOKUP_FUNCTION } from './lookup-binding.js';
import { CAST_TYPE_NAMES, expressionName } from './expression-name.js';
import { coerceLiteral, literalValue } from './literals.js';
import { VIRTUAL_COLUMNS } from './virtual-columns.js';

/** One aggregation of a query: function, bound argument (null for `count(*)`), parameter. */
export interface AggregationSpec {
  readonly name: string;
  readonly fn: AggregationFunction;
  readonly arg: BoundExpr | null;
  readonly param: number;
  readonly type: DataType;
  /** `FILTER (WHERE …)`: only rows it accepts are aggregated; null = every row. */
  readonly filter: BoundExpr | null;
}

export type BindMode = 'row' | 'agg';

const NUMERIC: ReadonlySet<DataType> = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'BIG_DECIMAL']);
const BOOL = sv('BOOLEAN');

const FLIP = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

/**
 * Resolves AST expressions against one table schema into typed `BoundExpr`s.
 *
 * - `row` mode: per-row expressions (WHERE, selections, aggregation arguments, GROUP BY keys).
 * - `agg` mode: expressions over aggregation results (SELECT/ORDER BY/HAVING of an aggregation
 *   query): a subexpression equal to a GROUP BY key becomes a `groupKey` reference, an
 *   aggregation call becomes an `aggregate` reference (registered once per distinct name), and a
 *   bare column that is neither is an error.
 */
export class Binder {
  readonly aggregations: AggregationSpec[] = [];
  private readonly aggIndex = new Map<string, number>();
  private readonly groupKeyIndex = new Map<string, number>();
  private readonly groupKeys: BoundExpr[] = [];
  private readonly columns = new Map<string, ColumnSpec>();

  /** `dimTables` lets `lookUp()` find dimension tables; without it, lookUp is a 200 error. */
  constructor(
    readonly schema: TableSchema,
    readonly tableName: string,
    private readonly dimTables?: DimTableResolver,
  ) {
    for (const c of schema.columns) this.columns.set(c.name.toLowerCase(), c);
    for (const c of schema.columns) this.columns.set(c.name, c);
    // Pinot's virtual columns ($docId, $segmentName, $hostName): reserved names, filled per segment by the executor.
    for (const c of VIRTUAL_COLUMNS) this.columns.set(c.name.toLowerCase(), c).set(c.name, c);
  }

  /** The schema column a written name refers to (exact, then case-insensitive); 710 if none. */
  column(name: string): ColumnSpec {
    const c = this.columns.get(name) ?? this.columns.get(name.toLowerCase());
    if (!c) throw new QueryError('UNKNOWN_COLUMN', { column: name, table: this.tableName });
    return c;
  }

  nameOf(e: Expr): string {
    return expressionName(e, (n) => this.columns.get(n)?.name ?? this.columns.get(n.toLowerCase())?.name ?? n);
  }

  setGroupKeys(keys: readonly BoundExpr[]): void {
    keys.forEach((k, i) => {
      this.groupKeys.push(k);
      if (!this.groupKeyIndex.has(k.name)) this.groupKeyIndex.set(k.name, i);
    });
  }

  isAggregationCall(e: Expr): boolean {
    return e.kind === 'call' && aggregationFunction(canonicalFunctionName(e.name)) !== undefined;
  }

  /** True when an aggregation call appears anywhere in `e`. */
  containsAggregation(e: Expr): boolean {
    return this.isAggregationCall(e) || childrenOf(e).some((c) => this.containsAggregation(c));
  }

  bind(e: Expr, mode: BindMode): BoundExpr {
    if (mode === 'agg') {
      const name = this.nameOf(e);
      const key = this.groupKeyIndex.get(name);
      if (key !== undefined) {
        const k = this.groupKeys[key]!;
        return { kind: 'groupKey', name, type: sv(k.type.dataType), index: key };
      }
      if (this.isAggregationCall(e)) return this.bindAggregation(e as ExprOf<'call'>);
      if (e.kind === 'column') {
        const c = this.column(e.name);
        throw new QueryError('QUERY_VALIDATION', `'${c.name}' must appear in the GROUP BY clause or be used in an aggregation function`);
      }
    }
    return (this.table[e.kind] as (x: Expr, m: BindMode) => BoundExpr)(e, mode);
  }

  private readonly table: { [K in ExprKind]: (e: ExprOf<K>, mode: BindMode) => BoundExpr } = {
    column: (e) => {
      const c = this.column(e.name);
      return { kind: 'column', name: c.name, type: { dataType: c.dataType, sv: c.singleValue }, column: c };
    },
    star: (e) => {
      throw new QueryError('SQL_PARSING', `'*' is only allowed as SELECT * or COUNT(*) (at position ${e.pos})`);
    },
    literal: (e) => {
      const v = literalValue(e.value);
      return { kind: 'literal', name: this.nameOf(e), type: sv(v.type), value: v.value, text: v.text };
    },
    call: (e, mode) => this.bindCall(e, mode),
    arithmetic: (e, mode) => {
      const fn = { '+': 'add', '-': 'sub', '*': 'mult', '/': 'div', '%': 'mod' }[e.op];
      return this.bindScalar(fn, this.nameOf(e), [e.left, e.right], mode);
    },
    negate: (e, mode) => this.bindScalar('negate', this.nameOf(e), [e.operand], mode),
    compare: (e, mode) => {
      const name = this.nameOf(e);
      let left = this.bind(e.left, mode);
      let right = this.bind(e.right, mode);
      let op = e.op === '<>' ? '=' : e.op;
      if (left.kind === 'literal' && right.kind !== 'literal') {
        [left, right] = [right, left];
        op = FLIP[op];
      }
      if (right.kind === 'literal' && left.kind !== 'literal') right = this.coerce(right, left);
      const cmp: BoundExpr = { kind: 'compare', name, type: BOOL, op, left, right };
      return e.op === '<>' ? { kind: 'not', name, type: BOOL, operand: cmp } : cmp;
    },
    and: (e, mode) => ({ kind: 'and', name: this.nameOf(e), type: BOOL, operands: e.operands.map((o) => this.bind(o, mode)) }),
    or: (e, mode) => ({ kind: 'or', name: this.nameOf(e), type: BOOL, operands: e.operands.map((o) => this.bind(o, mode)) }),
    not: (e, mode) => ({ kind: 'not', name: this.nameOf(e), type: BOOL, operand: this.bind(e.operand, mode) }),
    between: (e, mode) => {
      const name = this.nameOf(e);
      const operand = this.bind(e.operand, mode);
      const low = this.coerce(this.bind(e.low, mode), operand);
      const high = this.coerce(this.bind(e.high, mode), operand);
      const node: BoundExpr = { kind: 'between', name, type: BOOL, operand, low, high };
      return e.negated ? { kind: 'not', name, type: BOOL, operand: node } : node;
    },
    in: (e, mode) => {
      const name = this.nameOf(e);
      const operand = this.bind(e.operand, mode);
      const values: ScalarValue[] = [];
      for (const v of e.values) {
        const b = this.coerce(this.bind(v, mode), operand);
        if (b.kind !== 'literal') throw new QueryError('SQL_PARSING', `IN list values must be literals; found ${b.name}`);
        if (b.value !== null) values.push(b.value);
      }
      const node: BoundExpr = { kind: 'in', name, type: BOOL, operand, values };
      return e.negated ? { kind: 'not', name, type: BOOL, operand: node } : node;
    },
    like: (e, mode) => {
      const name = this.nameOf(e);
      const operand = this.bind(e.operand, mode);
      if (e.pattern.kind !== 'literal' || e.pattern.value.type !== 'string') throw new QueryError('SQL_PARSING', 'LIKE needs a string literal pattern');
      const node: BoundExpr = { kind: 'match', name, type: BOOL, operand, matcher: wildcardMatcher(e.pattern.value.text, '%', '_') };
      return e.negated ? { kind: 'not', name, type: BOOL, operand: node } : node;
    },
    isNull: (e, mode) => ({ kind: 'isNull', name: this.nameOf(e), type: BOOL, operand: this.bind(e.operand, mode), negated: e.negated }),
    case: (e, mode) => {
      const branches = e.branches.map((b) => ({ when: this.bind(b.when, mode), then: this.bind(b.then, mode) }));
      const elseBound = e.elseExpr ? this.bind(e.elseExpr, mode) : null;
      const resultTypes = [...branches.map((b) => b.then), ...(elseBound ? [elseBound] : [])].filter((x) => !(x.kind === 'literal' && x.value === null)).map((x) => x.type.dataType);
      const type = sv(widen(resultTypes));
      const elseExpr: BoundExpr = elseBound ?? { kind: 'literal', name: "'null'", type, value: null, text: 'null' };
      return { kind: 'case', name: this.nameOf(e), type, branches, elseExpr };
    },
    cast: (e, mode) => {
      const operand = this.bind(e.operand, mode);
      const target = castTarget(e.targetType);
      return { kind: 'cast', name: this.nameOf(e), type: { dataType: target, sv: operand.type.sv }, operand };
    },
  };

  /** Converts a literal compared with `other` to `other`'s type; non-literals pass through. */
  private coerce(b: BoundExpr, other: BoundExpr): BoundExpr {
    if (b.kind !== 'literal' || other.kind === 'literal') return b;
    const target = other.type.dataType;
    const value = coerceLiteral(b.text, b.value, target, other.name);
    return { ...b, type: sv(target), value };
  }

  private bindCall(e: ExprOf<'call'>, mode: BindMode): BoundExpr {
    const fn = canonicalFunctionName(e.name);
    if (this.isAggregationCall(e)) {
      throw new QueryError('QUERY_VALIDATION', `aggregation function ${e.name}(…) is not allowed here (WHERE, GROUP BY, or inside another aggregation)`);
    }
    const unsupported = UNSUPPORTED_FUNCTIONS.get(fn);
    if (unsupported !== undefined) throw new QueryError('QUERY_EXECUTION', `Unsupported function: ${e.name}. ${unsupported}`);
    if (e.filter !== null || e.withinGroup !== undefined) throw new QueryError('QUERY_VALIDATION', `${e.filter !== null ? 'FILTER (WHERE …)' : 'WITHIN GROUP'} applies only to aggregation functions, not to ${e.name}(…)`);
    const name = this.nameOf(e);
    if (fn === 'regexplike') {
      if (e.args.length < 2 || e.args.length > 3) throw new QueryError('QUERY_EXECUTION', `Function regexp_like expects 2 or 3 arguments, got ${e.args.length}`);
      const pattern = e.args[1]!;
      if (pattern.kind !== 'literal' || pattern.value.type !== 'string') throw new QueryError('QUERY_EXECUTION', 'regexp_like: the pattern (argument 2) must be a string literal');
      const caseInsensitive = e.args[2]?.kind === 'literal' && e.args[2].value.type === 'string' && e.args[2].value.text.includes('i');
      return { kind: 'match', name, type: BOOL, operand: this.bind(e.args[0]!, mode), matcher: compileSqlRegex(pattern.value.text, 'regexp_like', { caseInsensitive }) };
    }
    if (fn === 'textmatch') {
      const query = e.args[1];
      if (e.args.length !== 2 || query?.kind !== 'literal' || query.value.type !== 'string') {
        throw new QueryError('QUERY_EXECUTION', "text_match expects 2 arguments: a column and a string literal query, e.g. text_match(col, 'java AND c++')");
      }
      const operand = this.bind(e.args[0]!, mode);
      try {
        return { kind: 'match', name, type: BOOL, operand, matcher: textMatcher(query.value.text) };
      } catch (err) {
        if (err instanceof QueryError) throw err;
        throw new QueryError('QUERY_EXECUTION', (err as Error).message);
      }
    }
    if (fn === 'jsonmatch') {
      const filter = e.args[1];
      if (e.args.length !== 2 || filter?.kind !== 'literal' || filter.value.type !== 'string') {
        throw new QueryError('QUERY_EXECUTION', `json_match expects 2 arguments: a column and a string literal filter, e.g. json_match(col, '"$.a.b" = ''x''')`);
      }
      return { kind: 'match', name, type: BOOL, operand: this.bind(e.args[0]!, mode), matcher: jsonMatcher(filter.value.text) };
    }
    if (fn === 'lookup' || fn === JOIN_LOOKUP_FUNCTION) return bindLookUp(e, name, this.dimTables, (x) => this.bind(x, mode), fn === JOIN_LOOKUP_FUNCTION);
    if (fn === 'isnull' || fn === 'isnotnull') {
      if (e.args.length !== 1) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects 1 argument, got ${e.args.length}`);
      return { kind: 'isNull', name, type: BOOL, operand: this.bind(e.args[0]!, mode), negated: fn === 'isnotnull' };
    }
    if (fn === 'cast' && e.args.length === 2 && e.args[1]!.kind === 'literal') {
      const operand = this.bind(e.args[0]!, mode);
      const target = castTarget((e.args[1] as ExprOf<'literal'>).value.type === 'string' ? ((e.args[1] as ExprOf<'literal'>).value as { text: string }).text.toUpperCase() : '');
      return { kind: 'cast', name, type: { dataType: target, sv: operand.type.sv }, operand };
    }
    return this.bindScalar(fn, name, e.args, mode, e.name);
  }

  private bindScalar(fnName: string, name: string, argExprs: readonly Expr[], mode: BindMode, written = fnName): BoundExpr {
    const def = scalarFunction(fnName);
    if (!def) throw new QueryError('QUERY_EXECUTION', `Unsupported function: ${written} (no scalar or aggregation function of that name)`);
    if (argExprs.length < def.minArgs || argExprs.length > def.maxArgs) {
      const expected = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs === Number.POSITIVE_INFINITY ? `at least ${def.minArgs}` : `${def.minArgs} to ${def.maxArgs}`;
      throw new QueryError('QUERY_EXECUTION', `Function ${written} expects ${expected} argument(s), got ${argExprs.length}`);
    }
    const args = argExprs.map((a) => this.bind(a, mode));
    const infos: ArgInfo[] = args.map((a) => ({ type: a.type, isLiteral: a.kind === 'literal', literal: a.kind === 'literal' ? a.value : null }));
    args.forEach((a, i) => {
      const kind = def.args?.[Math.min(i, (def.args?.length ?? 1) - 1)] ?? 'any';
      const bad = (expected: string): never => {
        throw new QueryError('QUERY_EXECUTION', `Function ${written}: argument ${i + 1} (${a.name}) has type ${a.type.dataType}${a.type.sv ? '' : '_ARRAY'}, expected ${expected}`);
      };
      if (kind === 'numeric') {
        if (!a.type.sv) bad('a single number');
        if (!NUMERIC.has(a.type.dataType) && !(a.kind === 'literal' && a.value !== null && !Number.isNaN(Number(a.text)))) bad('a number');
      } else if (kind === 'mv' && a.type.sv) bad('a multi-value column');
      else if ((kind === 'sv' || kind === 'string') && !a.type.sv) bad('a single value');
      else if (kind === 'literal' && a.kind !== 'literal') bad('a literal');
    });
    try {
      const type = def.returnType(infos);
      const impl = def.build(infos);
      return { kind: 'call', name, type, fn: def.name, impl, args };
    } catch (err) {
      if (err instanceof QueryError) throw err;
      throw new QueryError('QUERY_EXECUTION', `Function ${written}: ${(err as Error).message}`);
    }
  }

  private bindAggregation(e: ExprOf<'call'>): BoundExpr {
    const name = this.nameOf(e);
    const existing = this.aggIndex.get(name);
    if (existing !== undefined) {
      const spec = this.aggregations[existing]!;
      return { kind: 'aggregate', name, type: { dataType: spec.type, sv: spec.fn.resultMv !== true }, index: existing };
    }
    let canonical = canonicalFunctionName(e.name);
    if (canonical === 'count' && e.distinct) canonical = 'distinctcount';
    const found = aggregationFunction(canonical)!;
    let { fn } = found;
    let arg: BoundExpr | null = null;
    let param = found.embeddedPercentile ?? 0;
    let type: DataType | null = null;
    const args = e.args;
    if (e.withinGroup !== undefined && fn.params !== 'literals') throw new QueryError('QUERY_VALIDATION', `WITHIN GROUP (ORDER BY …) applies only to LISTAGG, not to ${e.name}(…)`);
    if (fn.params === 'literals') {
      if (args.some((a) => this.containsAggregation(a))) throw new QueryError('QUERY_VALIDATION', `aggregation functions cannot be nested: ${name}`);
      ({ fn, arg } = bindCollectionAggregation(e, canonical, (x) => this.bind(x, 'row')));
    } else if (!fn.needsArgument) {
      if (args.length > 1) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects 1 argument, got ${args.length}`);
      if (args.length === 1 && args[0]!.kind !== 'star') this.bind(args[0]!, 'row'); // validates the column
    } else {
      const maxArgs = fn.params === 'none' || found.embeddedPercentile !== null ? 1 : fn.params === 'withTime' ? 3 : 2;
      const minArgs = (fn.params === 'percentile' && found.embeddedPercentile === null) ? 2 : fn.params === 'withTime' ? 3 : 1;
      if (args.length < minArgs || args.length > maxArgs) {
        throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects ${minArgs === maxArgs ? minArgs : `${minArgs} to ${maxArgs}`} argument(s), got ${args.length}`);
      }
      if (args[0]!.kind === 'star') throw new QueryError('QUERY_EXECUTION', `Function ${e.name} needs a column or expression, not *`);
      if (args.some((a) => this.containsAggregation(a))) throw new QueryError('QUERY_VALIDATION', `aggregation functions cannot be nested: ${name}`);
      arg = this.bind(args[0]!, 'row');
      if (fn.mv && arg.type.sv) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} needs a multi-value argument; ${arg.name} is single-value (use ${fn.name.replace(/mv$/, '')})`);
      if (!fn.mv && !arg.type.sv) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} needs a single-value argument; ${arg.name} is multi-value (use ${fn.name}MV)`);
      if ((fn.name === 'min' || fn.name === 'max') && (arg.type.dataType === 'STRING' || arg.type.dataType === 'BYTES')) {
        // Pinot's multi-stage engine answers MIN/MAX of strings in the argument's type.
        fn = { ...stringExtremum(fn.name, arg.type.dataType), name: fn.name, mv: false };
      }
      const numericOnly = !/^(distinctcount|count|firstwithtime|lastwithtime)/.test(fn.name) && fn.kind !== 'generic';
      if ((numericOnly || /^(mode|distinctsum|distinctavg)/.test(fn.name)) && !NUMERIC.has(arg.type.dataType)) {
        throw new QueryError('QUERY_EXECUTION', `Function ${e.name}: argument ${arg.name} has type ${arg.type.dataType}, expected a number`);
      }
      if (fn.params === 'percentile' && found.embeddedPercentile === null) {
        const p = args[1]!;
        const pv = p.kind === 'literal' && p.value.type === 'number' ? Number(p.value.text) : Number.NaN;
        if (!(pv >= 0 && pv <= 100)) throw new QueryError('QUERY_EXECUTION', `Function ${e.name}: the percentile (argument 2) must be a number literal between 0 and 100`);
        param = pv;
      }
      if (fn.params === 'mode' && args.length === 2) {
        const r = args[1]!;
        param = r.kind === 'literal' && r.value.type === 'string' ? MODE_REDUCERS.indexOf(r.value.text.toUpperCase() as (typeof MODE_REDUCERS)[number]) : -1;
        if (param < 0) throw new QueryError('QUERY_EXECUTION', `Function ${e.name}: the reducer (argument 2) must be one of ${MODE_REDUCERS.map((m) => `'${m}'`).join(', ')}`);
      }
      if (fn.params === 'withTime') ({ arg, type } = this.bindWithTime(e, arg, args[1]!, args[2]!));
    }
    const filter = e.filter === null ? null : this.bindAggregationFilter(e.filter, name);
    const index = this.aggregations.length;
    type ??= fn.resultType(arg?.type ?? null);
    this.aggregations.push({ name, fn, arg, param, type, filter });
    this.aggIndex.set(name, index);
    return { kind: 'aggregate', name, type: { dataType: type, sv: fn.resultMv !== true }, index };
  }

  /**
   * FIRSTWITHTIME / LASTWITHTIME: the value and the time become one row expression yielding the
   * pair `[value, time]`; the result type is the third argument, which must be the value's type.
   */
  private bindWithTime(e: ExprOf<'call'>, value: BoundExpr, timeExpr: Expr, typeExpr: Expr): { arg: BoundExpr; type: DataType } {
    const time = this.bind(timeExpr, 'row');
    if (!time.type.sv || !NUMERIC.has(time.type.dataType)) throw new QueryError('QUERY_EXECUTION', `Function ${e.name}: the time (argument 2, ${time.name}) must be a single-value number or TIMESTAMP`);
    const written = typeExpr.kind === 'literal' && typeExpr.value.type === 'string' ? typeExpr.value.text.toUpperCase() : '';
    if (!WITH_TIME_TYPES.has(written)) throw new QueryError('QUERY_EXECUTION', `Function ${e.name}: the data type (argument 3) must be one of ${[...WITH_TIME_TYPES].join(', ')}`);
    const valueType = value.type.dataType === 'TIMESTAMP' ? 'LONG' : value.type.dataType;
    if (valueType !== written) throw new QueryError('QUERY_EXECUTION', `Function ${e.name}: ${value.name} has type ${value.type.dataType}, but the data type (argument 3) says ${written}`);
    const pair: BoundExpr = { kind: 'call', name: `${value.name},${time.name}`, type: value.type, fn: 'withtimepair', impl: (v: unknown, t: unknown) => [v, t], args: [value, time] };
    return { arg: pair, type: value.type.dataType };
  }

  /** An aggregation's FILTER (WHERE …): a row predicate like WHERE, without aggregations. */
  private bindAggregationFilter(filter: Expr, name: string): BoundExpr {
    if (this.containsAggregation(filter)) throw new QueryError('QUERY_VALIDATION', `aggregation functions are not allowed in FILTER (WHERE …): ${name}`);
    return this.bind(filter, 'row');
  }
}

const WITH_TIME_TYPES: ReadonlySet<string> = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BOOLEAN']);

function castTarget(written: string): DataType {
  const calcite = CAST_TYPE_NAMES[written];
  const map: Record<string, DataType> = { INTEGER: 'INT', BIGINT: 'LONG', REAL: 'FLOAT', VARCHAR: 'STRING', VARBINARY: 'BYTES', DECIMAL: 'BIG_DECIMAL' };
  const t = calcite ? (map[calcite] ?? calcite) : written;
  if (!isDataType(t)) throw new QueryError('QUERY_EXECUTION', `CAST to unknown type '${written}' (expected INT, LONG, FLOAT, DOUBLE, BOOLEAN, TIMESTAMP, STRING, JSON, BYTES or BIG_DECIMAL)`);
  return t;
}

/** The common type of CASE branches: one type if all agree, the widest number, else STRING. */
function widen(types: readonly DataType[]): DataType {
  if (types.length === 0) return 'STRING';
  if (types.every((t) => t === types[0])) return types[0]!;
  const order: DataType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE'];
  if (types.every((t) => order.includes(t))) return order[Math.max(...types.map((t) => order.indexOf(t)))]!;
  return 'STRING';
}

export type { ExprType };
