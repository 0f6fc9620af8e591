import type { DataType, ScalarValue } from '../../config/data-type.js';
import { INT_MAX, INT_MIN, LONG_MAX, LONG_MIN } from '../../config/data-type.js';
import { canonicalDecimalText, isIntegerText, javaDoubleToString, truncateDecimalText } from './coerce-number-text.js';
import { isJsonText, minifyJsonText } from './coerce-json-text.js';
import { parseTimestampText } from './coerce-timestamp.js';

/**
 * Value coercion shared by decoders: a value as a record format delivers it (a `JSON.parse` value,
 * later Avro or CSV values) → the in-memory representation of a column type (`data-type.ts`),
 * following Pinot's `PinotDataType` conversions. Where Pinot silently loses data (INT overflow
 * wraps, LONG beyond 64 bits wraps, any non-"true" string is BOOLEAN false) shardtable refuses the
 * value instead, so the record is counted as an error rather than stored wrong.
 *
 * Coercers are created once per type and shared; they allocate nothing but their result.
 */

/** Returned by {@link ScalarCoercer.fromValue} when the value's exact source text is needed. */
export const NEEDS_SOURCE: unique symbol = Symbol('shardtable.needsSource');
export type NeedsSource = typeof NEEDS_SOURCE;

/** A value that cannot be stored in a column type. The message names the value, not the field. */
export class CoercionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoercionError';
  }
}

/**
 * Converts single values into one data type's in-memory representation.
 *
 * `fromValue` handles the common case from the parsed value alone. When exactness needs the value's
 * source text — a JSON number beyond 2^53 for LONG/TIMESTAMP/STRING, any JSON number for
 * BIG_DECIMAL, an object or array for STRING/JSON — it returns {@link NEEDS_SOURCE}, and the decoder
 * calls `fromSource` with the value's JSON text (number literals exactly as written; objects and
 * arrays compacted). Both throw {@link CoercionError} for a value the type cannot hold.
 *
 * @example
 *   const c = scalarCoercerFor('LONG');
 *   let v = c.fromValue(parsed);
 *   if (v === NEEDS_SOURCE) v = c.fromSource(parsed, sourceText);
 */
export interface ScalarCoercer {
  readonly type: DataType;
  fromValue(value: unknown): ScalarValue | NeedsSource;
  fromSource(value: unknown, source: string): ScalarValue;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Short description of a value for error messages: `"abc"`, `12.5`, `an object`, `an array`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value.length > 64 ? value.slice(0, 64) + '…' : value);
    return quoted;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function notA(value: unknown, type: string): CoercionError {
  return new CoercionError(`${describeValue(value)} is not a${type === 'INT' ? 'n' : ''} ${type}`);
}

function outOfRange(shown: string, type: string): CoercionError {
  return new CoercionError(`${shown} is out of range for ${type}`);
}

function intFromBigInt(value: bigint): number {
  if (value < BigInt(INT_MIN) || value > BigInt(INT_MAX)) throw outOfRange(String(value), 'INT');
  return Number(value);
}

function longInRange(value: bigint, shown: string, type: string): bigint {
  if (value < LONG_MIN || value > LONG_MAX) throw outOfRange(shown, type);
  return value;
}

function noSource(): never {
  throw new CoercionError('internal: no source form for this value');
}

/** JSON numeric text accepted for FLOAT and DOUBLE strings (Java's `Double.parseDouble` subset). */
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:NaN|Infinity)$/;

const INT_COERCER: ScalarCoercer = {
  type: 'INT',
  fromValue(value) {
    if (typeof value === 'number') {
      if ((value | 0) === value) return value | 0;
      // Pinot: Number.intValue() truncates toward zero; beyond int32 we refuse rather than saturate.
      const t = Math.trunc(value);
      if (t >= INT_MIN && t <= INT_MAX) return t | 0;
      throw outOfRange(String(value), 'INT');
    }
    if (typeof value === 'string') {
      const text = value.trim();
      if (!isIntegerText(text)) throw notA(value, 'INT');
      const n = Number(text);
      if (n < INT_MIN || n > INT_MAX) throw outOfRange(text, 'INT');
      return n | 0;
    }
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'bigint') return intFromBigInt(value);
    throw notA(value, 'INT');
  },
  fromSource: noSource,
};

function longFromNumber(value: number, type: string): bigint | NeedsSource {
  if (Number.isSafeInteger(value)) return BigInt(value);
  if (Number.isFinite(value) && Math.abs(value) <= MAX_SAFE) return BigInt(Math.trunc(value));
  if (Number.isNaN(value)) throw notA(value, type);
  return NEEDS_SOURCE;
}

function longFromSource(value: unknown, source: string, type: string): bigint {
  const exact = truncateDecimalText(source);
  if (exact === undefined) {
    if (typeof value === 'number' && Number.isFinite(value)) return longInRange(BigInt(Math.trunc(value)), source, type);
    throw outOfRange(source, type);
  }
  return longInRange(exact, source, type);
}

const LONG_COERCER: ScalarCoercer = {
  type: 'LONG',
  fromValue(value) {
    if (typeof value === 'number') return longFromNumber(value, 'LONG');
    if (typeof value === 'string') {
      const text = value.trim();
      if (!isIntegerText(text)) throw notA(value, 'LONG');
      return longInRange(BigInt(text), text, 'LONG');
    }
    if (typeof value === 'bigint') return longInRange(value, String(value), 'LONG');
    if (typeof value === 'boolean') return value ? 1n : 0n;
    throw notA(value, 'LONG');
  },
  fromSource: (value, source) => longFromSource(value, source, 'LONG'),
};

const TIMESTAMP_COERCER: ScalarCoercer = {
  type: 'TIMESTAMP',
  fromValue(value) {
    if (typeof value === 'number') return longFromNumber(value, 'TIMESTAMP');
    if (typeof value === 'string') {
      const text = value.trim();
      if (isIntegerText(text)) return longInRange(BigInt(text), text, 'TIMESTAMP');
      const millis = parseTimestampText(text);
      if (millis === undefined) {
        throw new CoercionError(
          `${describeValue(value)} is not a TIMESTAMP (expected epoch millis, ISO-8601 or yyyy-MM-dd HH:mm:ss[.SSS])`,
        );
      }
      return BigInt(millis);
    }
    if (typeof value === 'bigint') return longInRange(value, String(value), 'TIMESTAMP');
    throw notA(value, 'TIMESTAMP');
  },
  fromSource: (value, source) => longFromSource(value, source, 'TIMESTAMP'),
};

function floatingFromValue(value: unknown, type: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (!FLOAT_TEXT.test(text)) throw notA(value, type);
    return Number(text);
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  throw notA(value, type);
}

const FLOAT_COERCER: ScalarCoercer = {
  type: 'FLOAT',
  fromValue: (value) => Math.fround(floatingFromValue(value, 'FLOAT')),
  fromSource: noSource,
};

const DOUBLE_COERCER: ScalarCoercer = {
  type: 'DOUBLE',
  fromValue: (value) => floatingFromValue(value, 'DOUBLE'),
  fromSource: noSource,
};

const BIG_DECIMAL_COERCER: ScalarCoercer = {
  type: 'BIG_DECIMAL',
  fromValue(value) {
    if (typeof value === 'number') return NEEDS_SOURCE;
    if (typeof value === 'string') {
      const canonical = canonicalDecimalText(value.trim());
      if (canonical === undefined) throw notA(value, 'BIG_DECIMAL');
      return canonical;
    }
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'boolean') return value ? '1' : '0';
    throw notA(value, 'BIG_DECIMAL');
  },
  fromSource(value, source) {
    const canonical = canonicalDecimalText(source);
    if (canonical === undefined) throw notA(value, 'BIG_DECIMAL');
    return canonical;
  },
};

const BOOLEAN_COERCER: ScalarCoercer = {
  type: 'BOOLEAN',
  fromValue(value) {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'number') return value !== 0 ? 1 : 0;
    if (typeof value === 'string') {
      const text = value.trim().toLowerCase();
      if (text === 'true' || text === '1') return 1;
      if (text === 'false' || text === '0') return 0;
      throw notA(value, 'BOOLEAN');
    }
    if (typeof value === 'bigint') return value !== 0n ? 1 : 0;
    throw notA(value, 'BOOLEAN');
  },
  fromSource: noSource,
};

const STRING_COERCER: ScalarCoercer = {
  type: 'STRING',
  fromValue(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') {
      if (Number.isInteger(value)) return Math.abs(value) <= MAX_SAFE ? String(value) : NEEDS_SOURCE;
      return javaDoubleToString(value);
    }
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
    if (typeof value === 'object' && value !== null) return NEEDS_SOURCE;
    throw notA(value, 'STRING');
  },
  fromSource(value, source) {
    if (typeof value === 'number') return isIntegerText(source) ? source.replace(/^-0$/, '0') : javaDoubleToString(value);
    return source;
  },
};

const JSON_COERCER: ScalarCoercer = {
  type: 'JSON',
  fromValue(value) {
    // Pinot's toJson: a string holding JSON is stored as that JSON; any other string becomes a JSON
    // string literal, so the column always holds valid JSON text.
    if (typeof value === 'string') return isJsonText(value) ? minifyJsonText(value.trim()) : JSON.stringify(value);
    if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : NEEDS_SOURCE;
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'object' && value !== null) return NEEDS_SOURCE;
    throw notA(value, 'JSON');
  },
  fromSource: (_value, source) => source,
};

const HEX_TEXT = /^(?:[0-9a-fA-F]{2})*$/;

const BYTES_COERCER: ScalarCoercer = {
  type: 'BYTES',
  fromValue(value) {
    if (typeof value === 'string') {
      // Pinot reads BYTES from a string as hex (BytesUtils.toBytes), not base64.
      const text = value.trim();
      if (!HEX_TEXT.test(text)) throw new CoercionError(`${describeValue(value)} is not a hex string (BYTES)`);
      return new Uint8Array(Buffer.from(text, 'hex'));
    }
    if (value instanceof Uint8Array) return value;
    throw notA(value, 'BYTES');
  },
  fromSource: noSource,
};

const COERCERS: Readonly<Record<DataType, ScalarCoercer>> = Object.freeze({
  INT: INT_COERCER,
  LONG: LONG_COERCER,
  FLOAT: FLOAT_COERCER,
  DOUBLE: DOUBLE_COERCER,
  BIG_DECIMAL: BIG_DECIMAL_COERCER,
  BOOLEAN: BOOLEAN_COERCER,
  TIMESTAMP: TIMESTAMP_COERCER,
  STRING: STRING_COERCER,
  JSON: JSON_COERCER,
  BYTES: BYTES_COERCER,
});

/** The shared coercer for a data type. */
export function scalarCoercerFor(type: DataType): ScalarCoercer {
  return COERCERS[type];
}

/**
 * Coerces a value with no JSON source text at hand (Avro, CSV, defaults): numbers use their JS text,
 * objects and arrays `JSON.stringify`. Throws {@link CoercionError}.
 */
export function coerceScalar(type: DataType, value: unknown): ScalarValue {
  const coercer = COERCERS[type];
  const result = coercer.fromValue(value);
  if (result !== NEEDS_SOURCE) return result;
  const source =
    typeof value === 'number' ? String(value) : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return coercer.fromSource(value, source);
}
