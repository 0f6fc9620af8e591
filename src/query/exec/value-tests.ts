import type { ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import { compareValues, toJavaString, valueKey } from '../functions/values.js';
import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';
import { currentDeadline } from './deadline.js';

/** A test of one (scalar) value; multi-value cells match when any value passes. */
export type ValueTest = (v: unknown) => boolean;

/** The value range a predicate can match, for pruning segments and blocks by min/max. */
export interface ValueRange {
  readonly lo: ScalarValue | null;
  readonly loInclusive: boolean;
  readonly hi: ScalarValue | null;
  readonly hiInclusive: boolean;
}

export type LeafNode = BoundOf<'compare'> | BoundOf<'in'> | BoundOf<'between'> | BoundOf<'match'>;

const isLit = (e: BoundExpr): e is BoundOf<'literal'> => e.kind === 'literal';

/** True when `node` tests its operand against constants only (so it can run on dictionary values). */
export function isConstantTest(node: BoundExpr): boolean {
  switch (node.kind) {
    case 'compare':
      return isLit(node.right);
    case 'between':
      return isLit(node.low) && isLit(node.high);
    case 'in':
    case 'match':
      return true;
    case 'column':
    case 'literal':
    case 'call':
    case 'cast':
    case 'isNull':
    case 'and':
    case 'or':
    case 'not':
    case 'case':
    case 'aggregate':
    case 'groupKey':
      return false;
  }
}

function compareTest(op: '=' | '<' | '<=' | '>' | '>=', lit: ScalarValue | null): ValueTest {
  if (lit === null) return () => false;
  const test = compareTestOf(op, lit);
  // A null value (e.g. mapValue of a missing key) matches no comparison.
  return (v) => v !== null && v !== undefined && test(v);
}

function compareTestOf(op: '=' | '<' | '<=' | '>' | '>=', lit: ScalarValue): ValueTest {
  if (typeof lit === 'number' && !Number.isNaN(lit)) {
    // Values of numeric columns are numbers; other types fall back to the general order.
    switch (op) {
      case '=':
        return (v) => (typeof v === 'number' ? v === lit : compareValues(v, lit) === 0);
      case '<':
        return (v) => (typeof v === 'number' ? v < lit : compareValues(v, lit) < 0);
      case '<=':
        return (v) => (typeof v === 'number' ? v <= lit : compareValues(v, lit) <= 0);
      case '>':
        return (v) => (typeof v === 'number' ? v > lit : compareValues(v, lit) > 0);
      case '>=':
        return (v) => (typeof v === 'number' ? v >= lit : compareValues(v, lit) >= 0);
    }
  }
  switch (op) {
    case '=':
      return (v) => v === lit || compareValues(v, lit) === 0;
    case '<':
      return (v) => compareValues(v, lit) < 0;
    case '<=':
      return (v) => compareValues(v, lit) <= 0;
    case '>':
      return (v) => compareValues(v, lit) > 0;
    case '>=':
      return (v) => compareValues(v, lit) >= 0;
  }
}

/** Builds the value test of a constant predicate (see `isConstantTest`). */
export function valueTest(node: LeafNode): ValueTest {
  switch (node.kind) {
    case 'compare':
      return compareTest(node.op, (node.right as BoundOf<'literal'>).value);
    case 'between': {
      const lo = (node.low as BoundOf<'literal'>).value;
      const hi = (node.high as BoundOf<'literal'>).value;
      if (lo === null || hi === null || compareValues(lo, hi) > 0) return () => false;
      if (typeof lo === 'number' && typeof hi === 'number') return (v) => (typeof v === 'number' ? v >= lo && v <= hi : compareValues(v, lo) >= 0 && compareValues(v, hi) <= 0);
      return (v) => compareValues(v, lo) >= 0 && compareValues(v, hi) <= 0;
    }
    case 'in': {
      const values = node.values;
      if (values.every((v) => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string')) {
        const set = new Set<unknown>(values);
        // A number literal may meet a bigint column value (and back): try both spellings.
        const mixed = values.some((v) => typeof v === 'number') && node.operand.type.dataType === 'LONG';
        return mixed ? (v) => set.has(v) || values.some((x) => compareValues(v, x) === 0) : (v) => set.has(v);
      }
      const keys = new Set(values.map(valueKey));
      return (v) => keys.has(valueKey(v));
    }
    case 'match': {
      const m = node.matcher;
      const type = node.operand.type.dataType;
      const deadline = currentDeadline();
      if (deadline === undefined) return (v) => v !== null && v !== undefined && m.test(typeof v === 'string' ? v : toJavaString(v, type));
      // A pattern test costs about the text's length: long texts count for more.
      return (v) => {
        if (v === null || v === undefined) return false;
        const text = typeof v === 'string' ? v : toJavaString(v, type);
        deadline.tick(1 + (text.length >>> 6));
        return m.test(text);
      };
    }
  }
}

/** The range of values a constant predicate can match (null = any value may match). */
export function valueRange(node: LeafNode): ValueRange | null {
  switch (node.kind) {
    case 'compare': {
      const v = (node.right as BoundOf<'literal'>).value;
      if (v === null) return null;
      switch (node.op) {
        case '=':
          return { lo: v, loInclusive: true, hi: v, hiInclusive: true };
        case '<':
          return { lo: null, loInclusive: false, hi: v, hiInclusive: false };
        case '<=':
          return { lo: null, loInclusive: false, hi: v, hiInclusive: true };
        case '>':
          return { lo: v, loInclusive: false, hi: null, hiInclusive: false };
        case '>=':
          return { lo: v, loInclusive: true, hi: null, hiInclusive: false };
      }
      return null;
    }
    case 'between': {
      const lo = (node.low as BoundOf<'literal'>).value;
      const hi = (node.high as BoundOf<'literal'>).value;
      return lo === null || hi === null ? null : { lo, loInclusive: true, hi, hiInclusive: true };
    }
    case 'in': {
      if (node.values.length === 0) return null;
      let lo = node.values[0]!;
      let hi = lo;
      for (const v of node.values) {
        if (compareValues(v, lo) < 0) lo = v;
        if (compareValues(v, hi) > 0) hi = v;
      }
      return { lo, loInclusive: true, hi, hiInclusive: true };
    }
    case 'match': {
      // Only texts stored as strings are the texts tested (other types are printed first).
      const m = node.matcher;
      if (storedTypeOf(node.operand.type.dataType) !== 'STRING') return null;
      if (m.equals !== undefined) return { lo: m.equals, loInclusive: true, hi: m.equals, hiInclusive: true };
      return m.prefix === undefined ? null : prefixRange(m.prefix);
    }
  }
}

/**
 * The strings starting with `prefix`, as a range in UTF-16 code unit order: `[prefix, next)`, where
 * `next` drops trailing U+FFFF units and increments the last unit left (no upper bound when none is).
 */
export function prefixRange(prefix: string): ValueRange {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xffff) end--;
  const hi = end === 0 ? null : prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
  return { lo: prefix, loInclusive: true, hi, hiInclusive: false };
}

/** False when no value in [min, max] can fall in `range` (the block or segment is skipped). */
export function rangeMayMatch(range: ValueRange, min: ScalarValue | null, max: ScalarValue | null): boolean {
  if (min === null || max === null) return true;
  if (typeof min === 'number' && (Number.isNaN(min) || Number.isNaN(max as number))) return true;
  if (range.lo !== null) {
    const c = compareValues(max, range.lo);
    if (c < 0 || (c === 0 && !range.loInclusive)) return false;
  }
  if (range.hi !== null) {
    const c = compareValues(min, range.hi);
    if (c > 0 || (c === 0 && !range.hiInclusive)) return false;
  }
  return true;
}

/**
 * The ids `[from, to)` of a sorted dictionary (`values`: an array in id order, NaN last, or the
 * value of an id) that can pass a constant predicate with `range`: outside it no value passes,
 * so only these ids need the test (a binary search: `values` is read about 2 log2(size) times).
 * Narrows only when the bounds have the values' own JS type (number, bigint or string; not NaN),
 * where plain `<`/`>` order the values as the dictionary and `compareValues` do; else all ids.
 */
export function sortedIdRange(values: readonly ScalarValue[] | ((id: number) => ScalarValue), size: number, range: ValueRange): [number, number] {
  if (size === 0) return [0, 0];
  const at = typeof values === 'function' ? values : (id: number): ScalarValue => values[id]!;
  const t = typeof at(0);
  const fits = (x: ScalarValue | null): boolean => x === null || (typeof x === t && !(typeof x === 'number' && Number.isNaN(x)));
  if (!(t === 'number' || t === 'bigint' || t === 'string') || !fits(range.lo) || !fits(range.hi)) return [0, size];
  // NaN values sort last and pass no comparison with a number: leave them out.
  let end = size;
  if (t === 'number') end = firstTrue(0, size, (i) => Number.isNaN(at(i) as number));
  const lo = range.lo as number | null;
  const hi = range.hi as number | null;
  const from = lo === null ? 0 : firstTrue(0, end, (i) => !((at(i) as number) < lo));
  const to = hi === null ? end : firstTrue(from, end, (i) => (at(i) as number) > hi);
  return [from, to];
}

/** The first index in [lo, hi) where `p` holds (p is false, then true), or hi. */
function firstTrue(lo: number, hi: number, p: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (p(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
