import type { CoercionLosses } from './coercion-losses.js';
import type { NeedsSource, ScalarCoercer } from './coerce-base.js';
import { booleanAsNumber, describeValue, NEEDS_SOURCE, notA } from './coerce-base.js';

/**
 * FLOAT and DOUBLE coercers (`coerce.ts` holds the rest): Java's `Double.parseDouble` text, NaN as
 * null as Pinot's `SpecialValueTransformer`, overflow as infinity as Java; both noted as lossy.
 */

/** JSON numeric text accepted for FLOAT and DOUBLE strings (Java's `Double.parseDouble` subset). */
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:NaN|Infinity)$/;

/** `Infinity` written as such (JS text of an IEEE infinity, or a string asking for it): exact. */
const INFINITY_TEXT = /^[+-]?Infinity$/;

function nanAsNull(shown: string, type: string, losses: CoercionLosses): null {
  losses.lossy(`${shown} to ${type} (not a number: stored null)`);
  return null;
}

function beyondRange(shown: string, type: string, stored: number, losses: CoercionLosses): number {
  losses.lossy(`${shown} to ${type} (beyond its range: stored ${String(stored)})`);
  return stored;
}

/**
 * A DOUBLE from a value. NaN is null (Pinot's `SpecialValueTransformer`); a number whose text is
 * finite but beyond the double range (JSON `1e400`, the string `"1e400"`) is infinity, as Java's
 * `Double.parseDouble`; both are noted. An infinite JS number needs its source to tell an overflow
 * (JSON `1e400`) from an IEEE infinity (an Avro double), which is stored as is.
 */
function floatingFromValue(value: unknown, type: string, losses: CoercionLosses): number | null | NeedsSource {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    return Number.isNaN(value) ? nanAsNull('NaN', type, losses) : NEEDS_SOURCE;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (!FLOAT_TEXT.test(text)) throw notA(value, type);
    const n = Number(text);
    if (Number.isNaN(n)) return nanAsNull(describeValue(value), type, losses);
    if (!Number.isFinite(n) && !INFINITY_TEXT.test(text)) return beyondRange(describeValue(value), type, n, losses);
    return n;
  }
  if (typeof value === 'boolean') return booleanAsNumber(value, type, losses);
  if (typeof value === 'bigint') return Number(value);
  throw notA(value, type);
}

/** An infinite number with its source: exact when written as `Infinity`, else an overflow. */
function floatingFromSource(value: unknown, source: string, type: string, losses: CoercionLosses): number {
  const n = value as number;
  return INFINITY_TEXT.test(source) ? n : beyondRange(source, type, n, losses);
}

/** FLOAT: rounded to 32 bits; a finite double beyond FLOAT's range becomes infinity, noted. */
function toFloat(value: unknown, d: number, losses: CoercionLosses): number {
  const f = Math.fround(d);
  if (Number.isFinite(d) && !Number.isFinite(f)) return beyondRange(describeValue(value), 'FLOAT', f, losses);
  return f;
}

export const FLOAT_COERCER: ScalarCoercer = {
  type: 'FLOAT',
  fromValue(value, losses) {
    const d = floatingFromValue(value, 'FLOAT', losses);
    return typeof d === 'number' ? toFloat(value, d, losses) : d;
  },
  fromSource: (value, source, losses) => Math.fround(floatingFromSource(value, source, 'FLOAT', losses)),
};

export const DOUBLE_COERCER: ScalarCoercer = {
  type: 'DOUBLE',
  fromValue: (value, losses) => floatingFromValue(value, 'DOUBLE', losses),
  fromSource: (value, source, losses) => floatingFromSource(value, source, 'DOUBLE', losses),
};
