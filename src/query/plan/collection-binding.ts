import type { Expr, ExprOf } from '../parser/ast.js';
import type { AggregationFunction } from '../functions/aggregation-types.js';
import { COLLECTION_AGGREGATIONS } from '../functions/collection-aggregations.js';
import type { LiteralParam } from '../functions/collection-aggregations.js';
import { QueryError } from '../query-error.js';
import type { BoundExpr } from './bound-expr.js';
import { bindOrderedListAgg, bindRowAggregation, ROW_TUPLE_AGGREGATIONS } from './row-aggregation-binding.js';

/**
 * Binds ARRAY_AGG, LISTAGG or HISTOGRAM (`COLLECTION_AGGREGATIONS`), and hands LISTAGG … WITHIN
 * GROUP, EXPR_MIN/MAX and the funnels to `row-aggregation-binding.ts`. The first argument is a row
 * expression (a multi-value one is flattened, one value at a time), the rest literal parameters
 * (`ARRAY[…]` for HISTOGRAM's edges). Errors are 200 naming the function and the parameter.
 */
export function bindCollectionAggregation(e: ExprOf<'call'>, canonical: string, bindRow: (x: Expr) => BoundExpr): { fn: AggregationFunction; arg: BoundExpr } {
  if (e.withinGroup !== undefined) {
    if (canonical !== 'listagg') throw new QueryError('QUERY_VALIDATION', `WITHIN GROUP (ORDER BY …) applies only to LISTAGG, not to ${e.name}(…)`);
    return bindOrderedListAgg(e, e.withinGroup, bindRow);
  }
  if (ROW_TUPLE_AGGREGATIONS.has(canonical)) return bindRowAggregation(e, canonical, bindRow);
  const def = COLLECTION_AGGREGATIONS[canonical]!;
  const rowArgs = def.rowArgs ?? 1;
  const n = e.args.length - rowArgs;
  if (n < def.minParams || n > def.maxParams) {
    const lo = def.minParams + rowArgs;
    const hi = def.maxParams + rowArgs;
    throw new QueryError('QUERY_EXECUTION', `Function ${e.name} expects ${lo === hi ? lo : `${lo} to ${hi}`} argument(s), got ${e.args.length}`);
  }
  if (e.args.slice(0, rowArgs).some((a) => a.kind === 'star')) throw new QueryError('QUERY_EXECUTION', `Function ${e.name} needs a column or expression, not *`);
  const arg = rowArgs === 1 ? bindRow(e.args[0]!) : numericPair(e.name, bindRow(e.args[0]!), bindRow(e.args[1]!));
  const params = e.args.slice(rowArgs).map((p, i) => literalParam(p, `Function ${e.name}: argument ${i + rowArgs + 1}`));
  try {
    const { fn, type } = def.specialise(params, arg.type, e.distinct);
    return { fn: { ...fn, name: canonical, mv: !arg.type.sv, resultType: () => type.dataType }, arg };
  } catch (err) {
    throw new QueryError('QUERY_EXECUTION', `Function ${e.name}: ${(err as Error).message}`);
  }
}

const NUMERIC = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'BIG_DECIMAL']);

/** Two single-value numeric row expressions as one yielding `[x, y]` per row. */
function numericPair(fn: string, x: BoundExpr, y: BoundExpr): BoundExpr {
  for (const [i, a] of [x, y].entries()) {
    if (!a.type.sv || !NUMERIC.has(a.type.dataType)) throw new QueryError('QUERY_EXECUTION', `Function ${fn}: argument ${i + 1} (${a.name}) must be a single-value number`);
  }
  return { kind: 'call', name: `${x.name},${y.name}`, type: x.type, fn: 'pair', impl: (a: unknown, b: unknown) => [a, b], args: [x, y] };
}

function literalParam(p: Expr, what: string): LiteralParam {
  if (p.kind === 'literal') {
    if (p.value.type === 'string') return { kind: 'string', text: p.value.text };
    if (p.value.type === 'number') return { kind: 'number', value: Number(p.value.text) };
    if (p.value.type === 'boolean') return { kind: 'boolean', value: p.value.value };
  }
  const num = numberLiteral(p);
  if (num !== null) return { kind: 'number', value: num };
  if (p.kind === 'call' && p.name.toLowerCase() === 'array') {
    return {
      kind: 'array',
      values: p.args.map((a) => {
        const v = numberLiteral(a);
        if (v === null) throw new QueryError('QUERY_EXECUTION', `${what}: ARRAY[…] holds number literals only`);
        return v;
      }),
    };
  }
  throw new QueryError('QUERY_EXECUTION', `${what} must be a literal`);
}

/** A number literal, a negated one, or a string holding a number (`'-Infinity'`, as Pinot's docs write it). */
function numberLiteral(p: Expr): number | null {
  if (p.kind === 'negate') {
    const inner = numberLiteral(p.operand);
    return inner === null ? null : -inner;
  }
  if (p.kind !== 'literal' || (p.value.type !== 'number' && p.value.type !== 'string')) return null;
  const text = p.value.text.trim();
  const v = text === 'Infinity' || text === '+Infinity' ? Number.POSITIVE_INFINITY : text === '-Infinity' ? Number.NEGATIVE_INFINITY : Number(text);
  return text === '' || Number.isNaN(v) ? null : v;
}
