import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';
import { truthy } from './compile-expr.js';
import { compileOverIds } from './dict-expr.js';
import { dateTruncSpec } from './date-trunc-keys.js';
import type { ColumnBlock } from './segment-snapshot.js';

/** A filter expression over `DATETRUNC(unit, col)` only, with each such call replaced by a column read of the bucket. */
interface BucketExpr {
  readonly unit: string;
  readonly expr: BoundExpr;
}

/** `DATETRUNC(unit, col [, 'MILLISECONDS' [, 'UTC' [, 'MILLISECONDS']]])` over `col`: its unit, else null. */
function utcTruncUnit(e: BoundOf<'call'>, col: string): string | null {
  if (e.fn !== 'datetrunc') return null;
  const spec = dateTruncSpec(e);
  if (spec === null || spec.input.kind !== 'column' || spec.input.column.name !== col) return null;
  if (spec.zone !== undefined && spec.zone.toUpperCase() !== 'UTC') return null;
  return spec.unit;
}

/**
 * Rewrites `e` so that every read of `col` is a UTC `DATETRUNC` of one unit, each replaced by a
 * column node (the bucket); null when `col` is read any other way or with two units. This is
 * Pinot's rewrite of `DATETRUNC('DAY', ts)` to the derived column `$ts$DAY`.
 */
function rewrite(e: BoundExpr, col: string, unit: { value: string | null }): BoundExpr | null {
  const all = (xs: readonly BoundExpr[]): BoundExpr[] | null => {
    const out: BoundExpr[] = [];
    for (const x of xs) {
      const r = rewrite(x, col, unit);
      if (r === null) return null;
      out.push(r);
    }
    return out;
  };
  switch (e.kind) {
    case 'column':
      return null;
    case 'literal':
    case 'aggregate':
    case 'groupKey':
      return e;
    case 'call': {
      const u = utcTruncUnit(e, col);
      if (u !== null) {
        if (unit.value !== null && unit.value !== u) return null;
        unit.value = u;
        const input = e.args[1] as BoundOf<'column'>;
        return { kind: 'column', name: e.name, type: e.type, column: input.column };
      }
      const args = all(e.args);
      return args && { ...e, args };
    }
    case 'cast':
    case 'in':
    case 'match':
    case 'isNull':
    case 'not': {
      const operand = rewrite(e.operand, col, unit);
      return operand && { ...e, operand };
    }
    case 'compare': {
      const both = all([e.left, e.right]);
      return both && { ...e, left: both[0]!, right: both[1]! };
    }
    case 'between': {
      const three = all([e.operand, e.low, e.high]);
      return three && { ...e, operand: three[0]!, low: three[1]!, high: three[2]! };
    }
    case 'and':
    case 'or': {
      const operands = all(e.operands);
      return operands && { ...e, operands };
    }
    case 'case': {
      const parts = all([...e.branches.flatMap((b) => [b.when, b.then]), e.elseExpr]);
      if (parts === null) return null;
      return { ...e, branches: e.branches.map((_, i) => ({ when: parts[2 * i]!, then: parts[2 * i + 1]! })), elseExpr: parts[parts.length - 1]! };
    }
  }
}

const rewritten = new WeakMap<BoundExpr, BucketExpr | null>();

/** The bucket form of a filter expression over one column (once per expression), or null. */
export function bucketExpr(e: BoundExpr, col: string): BucketExpr | null {
  if (!rewritten.has(e)) {
    const unit = { value: null as string | null };
    const expr = rewrite(e, col, unit);
    rewritten.set(e, expr === null || unit.value === null ? null : { unit: unit.value, expr });
  }
  return rewritten.get(e)!;
}

/** Bucket ids of a block's rows and which ids pass the expression. */
export interface BucketMatch {
  readonly ids: Int32Array;
  readonly match: Uint8Array;
}

/**
 * Answers filter expressions over `DATETRUNC(unit, col)` from a sealed column's timestamp index:
 * the expression is tested once per bucket of the segment (the index's sorted bucket dictionary),
 * then rows are selected by bucket id, as Pinot filters on its derived `$col$UNIT` column. The
 * answer equals the scan's: the buckets are `truncateUtc` of the stored values, which a test pins
 * to `DATETRUNC` (nulls are their stored default, as in a scan of a dictionary).
 */
export class TimestampFilter {
  /** Per expression: which bucket ids pass (buckets are per segment, so computed once). */
  private readonly matches = new Map<BoundExpr, Uint8Array | null>();

  /** Bucket ids and matches of this block, or null when the column has no index for the unit (or the test fails on a bucket). */
  select(e: BoundExpr, col: BoundOf<'column'>, b: ColumnBlock): BucketMatch | null {
    if (b.timestampBuckets === undefined || b.offsets !== null) return null;
    const form = bucketExpr(e, col.column.name);
    if (form === null) return null;
    const buckets = b.timestampBuckets(form.unit);
    if (buckets === null) return null;
    let match = this.matches.get(e);
    if (match === undefined) {
      try {
        const f = compileOverIds(form.expr, buckets.dictionary);
        match = new Uint8Array(buckets.dictionary.size);
        for (let i = 0; i < match.length; i++) match[i] = truthy(f(i)) ? 1 : 0;
      } catch {
        match = null; // a bucket no row may test raised an error: the scan decides
      }
      this.matches.set(e, match);
    }
    return match === null ? null : { ids: buckets.dictIds, match };
  }
}
