import type { Expr, ExprOf, OrderItem } from '../parser/ast.js';
import type { AggregationFunction } from '../functions/aggregation-types.js';
import { funnelCount, funnelWindow, FUNNEL_COUNT_SETTINGS, FUNNEL_MODES } from '../functions/funnel-aggregations.js';
import type { FunnelMode, FunnelWindowKind } from '../functions/funnel-aggregations.js';
import { exprMinMax, orderedListAgg } from '../functions/row-aggregations.js';
export { ROW_TUPLE_AGGREGATIONS } from '../functions/row-aggregations.js';
import type { RowAggregation } from '../functions/row-aggregations.js';
import { canonicalFunctionName } from '../functions/registry.js';
import { toJavaString } from '../functions/values.js';
import { QueryError } from '../query-error.js';
import type { BoundExpr } from './bound-expr.js';

type Call = ExprOf<'call'>;
type BindRow = (x: Expr) => BoundExpr;


const fail = (fn: string, message: string): never => {
  throw new QueryError('QUERY_EXECUTION', `Function ${fn}: ${message}`);
};

/** Row expressions as one expression yielding `[v1, v2, …]` per row, typed as the first. */
function tuple(parts: readonly BoundExpr[]): BoundExpr {
  return { kind: 'call', name: parts.map((p) => p.name).join(','), type: { dataType: parts[0]!.type.dataType, sv: true }, fn: 'tuple', impl: (...vs: unknown[]) => vs, args: parts };
}

function finish(canonical: string, agg: RowAggregation, parts: readonly BoundExpr[]): { fn: AggregationFunction; arg: BoundExpr } {
  return { fn: { ...agg.fn, name: canonical, mv: false, resultMv: agg.resultMv, resultType: () => agg.type }, arg: tuple(parts) };
}

function rowArg(fn: string, e: Expr, i: number, bindRow: BindRow, sv = true): BoundExpr {
  if (e.kind === 'star') fail(fn, `argument ${i + 1} needs a column or expression, not *`);
  const b = bindRow(e);
  if (sv && !b.type.sv) fail(fn, `argument ${i + 1} (${b.name}) must be single-value, not ${b.type.dataType}_ARRAY`);
  return b;
}

/** LISTAGG(x[, sep][, isDistinct]) WITHIN GROUP (ORDER BY …): the value and the sort keys per row. */
export function bindOrderedListAgg(e: Call, order: readonly OrderItem[], bindRow: BindRow): { fn: AggregationFunction; arg: BoundExpr } {
  if (e.args.length < 1 || e.args.length > 3) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects 1 to 3 argument(s), got ${e.args.length}`);
  const value = rowArg(e.name, e.args[0]!, 0, bindRow, false);
  const sep = e.args[1];
  if (sep !== undefined && !(sep.kind === 'literal' && sep.value.type === 'string')) fail(e.name, 'the separator (argument 2) must be a string literal');
  const flag = e.args[2];
  const flagText = flag?.kind === 'literal' ? (flag.value.type === 'boolean' ? String(flag.value.value) : flag.value.type === 'string' ? flag.value.text : '') : flag === undefined ? 'false' : '';
  if (!/^(true|false|distinct)$/i.test(flagText)) fail(e.name, "isDistinct (argument 3) must be true, false or 'DISTINCT'");
  const distinct = e.distinct || !/^false$/i.test(flagText);
  const keys = order.map((o, i) => {
    const k = bindRow(o.expr);
    if (!k.type.sv) fail(e.name, `WITHIN GROUP sort key ${i + 1} (${k.name}) must be single-value`);
    return k;
  });
  const separator = sep?.kind === 'literal' && sep.value.type === 'string' ? sep.value.text : ',';
  const agg = orderedListAgg(separator, distinct, order.map((o) => o.desc), (v) => toJavaString(v, value.type.dataType));
  return finish('listagg', agg, [value, ...keys]);
}

/**
 * EXPR_MIN / EXPR_MAX, FUNNEL_COUNT and the window funnels (`ROW_TUPLE_AGGREGATIONS`). Errors
 * are 200 naming the function and the argument.
 */
export function bindRowAggregation(e: Call, canonical: string, bindRow: BindRow): { fn: AggregationFunction; arg: BoundExpr } {
  if (e.distinct) fail(e.name, 'DISTINCT is not allowed here');
  if (canonical === 'exprmin' || canonical === 'exprmax') {
    if (e.args.length < 2) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects at least 2 argument(s) (projection, measure, …), got ${e.args.length}`);
    const projection = rowArg(e.name, e.args[0]!, 0, bindRow, false);
    const measures = e.args.slice(1).map((m, i) => rowArg(e.name, m, i + 1, bindRow));
    return finish(canonical, exprMinMax(canonical === 'exprmax', projection.type.dataType, projection.type.sv), [projection, ...measures]);
  }
  if (canonical === 'funnelcount') return bindFunnelCount(e, bindRow);
  return bindFunnelWindow(e, canonical as FunnelWindowKind, bindRow);
}

function bindFunnelCount(e: Call, bindRow: BindRow): { fn: AggregationFunction; arg: BoundExpr } {
  const options = new Map<string, Call>();
  for (const a of e.args) {
    const name = a.kind === 'call' ? canonicalFunctionName(a.name) : '';
    if (a.kind !== 'call' || !['steps', 'correlateby', 'settings'].includes(name)) fail(e.name, `expects STEPS(…), CORRELATE_BY(…) and optional SETTINGS(…) arguments; found ${a.kind === 'call' ? `${a.name}(…)` : 'an expression'}`);
    if (options.has(name)) fail(e.name, `${(a as Call).name}(…) is given twice`);
    options.set(name, a as Call);
  }
  const steps = options.get('steps');
  const correlate = options.get('correlateby');
  if (steps === undefined || steps.args.length === 0) fail(e.name, 'requires STEPS(step1, step2, …) with at least one step');
  if (correlate === undefined || correlate.args.length === 0) fail(e.name, 'requires CORRELATE_BY(column)');
  for (const s of options.get('settings')?.args ?? []) {
    const text = s.kind === 'literal' && s.value.type === 'string' ? s.value.text.replaceAll(/\s/g, '').toLowerCase() : null;
    if (text === null) fail(e.name, 'SETTINGS(…) parameters must be string literals');
    const ok = FUNNEL_COUNT_SETTINGS.some((k) => text === k.toLowerCase() || text!.startsWith(`${k.toLowerCase()}=`));
    if (!ok) fail(e.name, `unknown setting '${(s as ExprOf<'literal'>).value.type === 'string' ? ((s as ExprOf<'literal'>).value as { text: string }).text : ''}' (expected one of ${FUNNEL_COUNT_SETTINGS.join(', ')})`);
  }
  // Pinot correlates by the first CORRELATE_BY expression.
  const id = rowArg(e.name, correlate!.args[0]!, 0, bindRow);
  const stepExprs = steps!.args.map((s, i) => stepArg(e.name, s, i, bindRow));
  return finish('funnelcount', funnelCount(stepExprs.length), [id, ...stepExprs]);
}

function stepArg(fn: string, s: Expr, i: number, bindRow: BindRow): BoundExpr {
  const b = rowArg(fn, s, i, bindRow);
  if (b.type.dataType !== 'BOOLEAN') fail(fn, `step ${i + 1} (${b.name}) must be a boolean expression such as url = '/cart', not ${b.type.dataType}`);
  return b;
}

function integerLiteral(fn: string, e: Expr | undefined, what: string): number {
  const v = e?.kind === 'literal' && e.value.type === 'number' ? Number(e.value.text) : Number.NaN;
  if (!Number.isSafeInteger(v) || v <= 0) fail(fn, `${what} must be a positive integer literal`);
  return v;
}

function bindFunnelWindow(e: Call, kind: FunnelWindowKind, bindRow: BindRow): { fn: AggregationFunction; arg: BoundExpr } {
  const usage = `${e.name}(timestampExpression, windowSize, numberSteps, stepExpression, …[, mode, …])`;
  if (e.args.length < 4) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects at least 4 argument(s), got ${e.args.length}: ${usage}`);
  const ts = rowArg(e.name, e.args[0]!, 0, bindRow);
  if (!['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP'].includes(ts.type.dataType)) fail(e.name, `the timestamp (argument 1, ${ts.name}) must be a number or TIMESTAMP, not ${ts.type.dataType}`);
  const windowSize = integerLiteral(e.name, e.args[1], 'the window size (argument 2)');
  const numSteps = integerLiteral(e.name, e.args[2], 'the number of steps (argument 3)');
  if (e.args.length < 3 + numSteps) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects at least ${3 + numSteps} argument(s) for ${numSteps} steps, got ${e.args.length}: ${usage}`);
  const steps = e.args.slice(3, 3 + numSteps).map((s, i) => stepArg(e.name, s, i, bindRow));
  const modes = new Set<FunnelMode>();
  let maxStepDuration = 0;
  for (const [i, a] of e.args.slice(3 + numSteps).entries()) {
    const text = a.kind === 'literal' && a.value.type === 'string' ? a.value.text.toUpperCase() : null;
    if (text === null) fail(e.name, `argument ${4 + numSteps + i} must be a mode string literal ('${FUNNEL_MODES.join("', '")}', 'mode=…', 'maxStepDuration=…')`);
    const [key, value, ...rest] = text!.split('=');
    const addMode = (m: string): void => {
      if (!(FUNNEL_MODES as readonly string[]).includes(m)) fail(e.name, `unrecognized extra argument '${m}' (argument ${4 + numSteps + i}); modes are ${FUNNEL_MODES.join(', ')}`);
      modes.add(m as FunnelMode);
    };
    if (value === undefined) addMode(text!.trim());
    else if (rest.length > 0) fail(e.name, `unrecognized extra argument '${text}'`);
    else if (key!.trim() === 'MAXSTEPDURATION') {
      maxStepDuration = Number(value.trim());
      if (!Number.isSafeInteger(maxStepDuration) || maxStepDuration <= 0) fail(e.name, 'maxStepDuration must be a positive integer');
    } else if (key!.trim() === 'MODE') for (const m of value.split(',')) addMode(m.trim());
    // Pinot keeps other key=value arguments for functions that read them; these three do not.
  }
  return finish(kind, funnelWindow(kind, { windowSize, numSteps, modes, maxStepDuration }), [ts, ...steps]);
}
