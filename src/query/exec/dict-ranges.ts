import type { ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { Dictionary, DictionaryBounds } from '../../segment/index.js';
import { compareValues } from '../functions/values.js';
import type { BoundOf } from '../plan/bound-expr.js';
import type { Leaf } from './filter-tree.js';
import type { ValueRange } from './value-tests.js';

/**
 * Which dictionary ids pass a leaf, found as id ranges of a sorted dictionary (`Dictionary.idRange`)
 * instead of by testing every value: a range (`<`, `>=`, BETWEEN) and a prefix LIKE (`'abc%'`) are
 * one run of ids, `=`, IN and a LIKE without wildcards one run per value. A paged dictionary then
 * reads only the pages holding the bounds (two for a range, one per value), not all of them.
 * NOT wraps the leaf, so NOT IN, NOT BETWEEN and NOT LIKE take the same ids and invert the rows.
 *
 * Exact only where the leaf's test orders values as the dictionary does: the bounds are turned
 * into values of the column's stored JS type (numbers, bigints, strings) with the test's meaning
 * (`>= 0` takes -0 too; NaN values pass no comparison), else null: a leaf that cannot be answered
 * exactly this way (NaN or non-integral bounds on LONG, other types, general LIKE / REGEXP_LIKE)
 * is tested value by value as before.
 *
 * `noNaN`: the column is known to hold no NaN (its max is not NaN), so an open upper bound needs
 * no search for where NaN values start.
 */
export function rangedIdMatch(leaf: Leaf, dict: Dictionary, noNaN: boolean): Uint8Array | null {
  if (!dict.sorted || dict.idRange === undefined) return null;
  const ranges = leafRanges(leaf);
  if (ranges === null) return null;
  const stored = storedTypeOf(leaf.column.dataType);
  const bounds: DictionaryBounds[] = [];
  for (const r of ranges) {
    const b = typedBounds(r, stored, noNaN);
    if (b === null) return null;
    bounds.push(b);
  }
  const match = new Uint8Array(dict.size);
  for (const b of bounds) {
    const [from, to] = dict.idRange(b);
    match.fill(1, from, to);
  }
  return match;
}

/** The value ranges whose union a leaf passes, or null when its test is not such a union. */
function leafRanges(leaf: Leaf): ValueRange[] | null {
  const node = leaf.node;
  switch (node.kind) {
    case 'compare':
      return leaf.range === null ? null : [leaf.range];
    case 'between': {
      const lo = (node.low as BoundOf<'literal'>).value;
      const hi = (node.high as BoundOf<'literal'>).value;
      // The test passes nothing when low > high (its own order: 0 > -0 too).
      if (lo !== null && hi !== null && compareValues(lo, hi) > 0) return [];
      return leaf.range === null ? null : [leaf.range];
    }
    case 'in':
      return node.values.map((v) => ({ lo: v, loInclusive: true, hi: v, hiInclusive: true }));
    case 'match':
      return leaf.range === null ? null : [leaf.range];
  }
}

/**
 * A range in the dictionary's own terms: bounds of the values' JS type (bigint for LONG), zero
 * bounds widened or narrowed to take both zeros as the test does, NaN left out at the top.
 */
function typedBounds(r: ValueRange, stored: string, noNaN: boolean): DictionaryBounds | null {
  switch (stored) {
    case 'STRING':
      return isStringOrNull(r.lo) && isStringOrNull(r.hi) ? r : null;
    case 'LONG': {
      const lo = asBigInt(r.lo);
      const hi = asBigInt(r.hi);
      return lo === undefined || hi === undefined ? null : { lo, loInclusive: r.loInclusive, hi, hiInclusive: r.hiInclusive };
    }
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE': {
      if (!isNumberOrNull(r.lo) || !isNumberOrNull(r.hi)) return null;
      let { lo, loInclusive, hi, hiInclusive } = r as { lo: number | null; loInclusive: boolean; hi: number | null; hiInclusive: boolean };
      // -0 sorts before +0 but the test holds them equal: `>= 0` starts at -0, `> 0` after +0.
      if (lo === 0) lo = loInclusive ? -0 : 0;
      if (hi === 0) hi = hiInclusive ? 0 : -0;
      // NaN sorts last and passes no comparison: an open top ends where NaN values start.
      if (hi === null && stored !== 'INT' && !noNaN) {
        hi = Number.NaN;
        hiInclusive = false;
      }
      return { lo, loInclusive, hi, hiInclusive };
    }
    default:
      return null;
  }
}

function isStringOrNull(v: ScalarValue | null): boolean {
  return v === null || typeof v === 'string';
}

function isNumberOrNull(v: ScalarValue | null): boolean {
  return v === null || (typeof v === 'number' && !Number.isNaN(v));
}

/** A LONG bound as a bigint: a bigint, or a number compared exactly (a safe integer); else undefined. */
function asBigInt(v: ScalarValue | null): bigint | null | undefined {
  if (v === null || typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}
