import type { DataType, ScalarValue } from '../../config/data-type.js';
import { formatJavaDouble, formatJavaFloat } from '../response/java-number-format.js';

/**
 * Value conversions shared by scalar functions, predicates and CAST. Values follow the in-memory
 * representation of `config/data-type.ts`: INT/FLOAT/DOUBLE/BOOLEAN are numbers, LONG/TIMESTAMP
 * bigints, STRING/JSON/BIG_DECIMAL strings, BYTES Uint8Array; a multi-value is an array.
 */
export type Value = ScalarValue | ScalarValue[] | null;

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === 'true') return 1;
    if (t === 'false') return 0;
    return t === '' ? Number.NaN : Number(t);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.NaN;
}

const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;

/** Java's `(long) x` for a double: truncates, saturates, NaN → 0. */
export function doubleToLong(x: number): bigint {
  if (Number.isNaN(x)) return 0n;
  if (x >= 9223372036854775807) return LONG_MAX;
  if (x <= -9223372036854775808) return LONG_MIN;
  return BigInt(Math.trunc(x));
}

export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return doubleToLong(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?\d+$/.test(t)) {
      const b = BigInt(t);
      return b > LONG_MAX ? LONG_MAX : b < LONG_MIN ? LONG_MIN : b;
    }
    return doubleToLong(Number(t));
  }
  return 0n;
}

/** Java's `(int) x`: truncates and saturates. */
export function toInt(v: unknown): number {
  const x = typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : toNumber(v);
  if (typeof v === 'bigint') return x;
  if (Number.isNaN(x)) return 0;
  if (x >= 2147483647) return 2147483647;
  if (x <= -2147483648) return -2147483648;
  return Math.trunc(x);
}

export function toBoolean(v: unknown): number {
  if (typeof v === 'number') return v !== 0 ? 1 : 0;
  if (typeof v === 'bigint') return v !== 0n ? 1 : 0;
  if (typeof v === 'string') return v.trim().toLowerCase() === 'true' || v.trim() === '1' ? 1 : 0;
  return 0;
}

export function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function hexToBytes(s: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw new Error(`'${s}' is not a hex string`);
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/** The text Java would print for a value of `type` (String.valueOf / toString). */
export function toJavaString(v: unknown, type?: DataType): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return type === 'TIMESTAMP' ? formatTimestamp(v) : v.toString();
  if (v instanceof Uint8Array) return bytesToHex(v);
  if (typeof v === 'number') {
    switch (type) {
      case 'INT':
        return String(v);
      case 'BOOLEAN':
        return v ? 'true' : 'false';
      case 'FLOAT':
        return formatJavaFloat(v);
      default:
        return formatJavaDouble(v);
    }
  }
  if (Array.isArray(v)) return `[${v.map((x) => toJavaString(x, type)).join(', ')}]`;
  return String(v);
}

/** `java.sql.Timestamp#toString` in UTC: `2014-01-01 00:00:00.0`, millis trimmed of trailing zeros. */
export function formatTimestamp(millis: bigint | number): string {
  const ms = typeof millis === 'bigint' ? Number(millis) : millis;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(millis);
  const iso = d.toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
  let frac = iso.slice(20, 23).replace(/0+$/, '');
  if (frac === '') frac = '0';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${frac}`;
}

/** Parses Pinot timestamp text (`2014-01-01 00:00:00[.S]`, ISO-8601, or epoch millis) to millis. */
export function parseTimestamp(s: string): bigint {
  const t = s.trim();
  if (/^-?\d+$/.test(t)) return BigInt(t);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) throw new Error(`'${s}' is not a timestamp (expected yyyy-MM-dd HH:mm:ss[.SSS] or epoch millis)`);
  const ms = (m[7] ?? '0').padEnd(3, '0').slice(0, 3);
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}.${ms}${m[8] ?? 'Z'}`;
  const v = Date.parse(iso);
  if (Number.isNaN(v)) throw new Error(`'${s}' is not a valid timestamp`);
  return BigInt(v);
}

/** Converts a value to the in-memory representation of `type` (CAST, literal coercion). */
export function convertTo(v: unknown, type: DataType, from?: DataType): ScalarValue {
  switch (type) {
    case 'INT':
      return toInt(v);
    case 'LONG':
      return toBigInt(v);
    case 'FLOAT':
      return Math.fround(toNumber(v));
    case 'DOUBLE':
      return toNumber(v);
    case 'BOOLEAN':
      return toBoolean(v);
    case 'TIMESTAMP':
      return typeof v === 'string' ? parseTimestamp(v) : toBigInt(v);
    case 'BIG_DECIMAL':
      return typeof v === 'string' ? v : toJavaString(v, from);
    case 'STRING':
    case 'JSON':
      return toJavaString(v, from);
    case 'BYTES':
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') return hexToBytes(v);
      throw new Error(`cannot convert ${String(v)} to BYTES`);
  }
}

/** Unsigned lexicographic order of byte strings. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function compareNumbers(a: number, b: number): number {
  // Java's Double.compare: NaN is greater than everything, -0.0 < 0.0.
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return a === 0 ? (Object.is(a, -0) ? (Object.is(b, -0) ? 0 : -1) : Object.is(b, -0) ? 1 : 0) : 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}

/**
 * Total order over values of possibly different JS types: numbers and bigints compare
 * numerically (exactly when both are integral), strings by UTF-16 code units (Java's
 * `String#compareTo`), bytes unsigned; a string against a number is compared as a number.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'number') return -compareMixed(b, a);
  if (typeof a === 'number' && typeof b === 'bigint') return compareMixed(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (a instanceof Uint8Array && typeof b === 'string') return compareBytes(a, hexToBytes(b));
  if (typeof a === 'string' && b instanceof Uint8Array) return compareBytes(hexToBytes(a), b);
  if (typeof a === 'string') return compareValues(toNumber(a), b);
  if (typeof b === 'string') return compareValues(a, toNumber(b));
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return 0;
}

function compareMixed(a: number, b: bigint): number {
  if (Number.isNaN(a)) return 1;
  if (Number.isInteger(a) && Math.abs(a) <= Number.MAX_SAFE_INTEGER) {
    const ai = BigInt(a);
    return ai < b ? -1 : ai > b ? 1 : 0;
  }
  const bn = Number(b);
  return a < bn ? -1 : a > bn ? 1 : 0;
}

/** A string key that is equal for equal values (group-by and DISTINCT keys). */
export function valueKey(v: unknown): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') return Object.is(v, -0) ? 'n0' : `n${v}`;
  if (typeof v === 'bigint') return `l${v}`;
  if (v instanceof Uint8Array) return `b${bytesToHex(v)}`;
  if (Array.isArray(v)) return `a${JSON.stringify(v.map(valueKey))}`;
  return 'z';
}
