import type { DataType, ScalarValue } from '../../config/data-type.js';
import { INT_MAX, INT_MIN, LONG_MAX, LONG_MIN } from '../../config/data-type.js';
import { canonicalDecimalText, hasFractionDigits, isIntegerText, javaDoubleToString, truncateDecimalText } from './coerce-number-text.js';
import type { NeedsSource, ScalarCoercer } from './coerce-base.js';
import { booleanAsNumber, CoercionError, describeValue, NEEDS_SOURCE, notA, outOfRange } from './coerce-base.js';
import { DOUBLE_COERCER, FLOAT_COERCER } from './coerce-floating.js';
import type { CoercionLosses } from './coercion-losses.js';
import { isJsonText, minifyJsonText } from './coerce-json-text.js';
import { parseTimestampText } from './coerce-timestamp.js';

/**
 * Value coercion shared by decoders: a value as a record format delivers it (a `JSON.parse` value,
 * later Avro or CSV values) → the in-memory representation of a column type (`data-type.ts`),
 * following Pinot's `PinotDataType` conversions. Where Pinot silently stores garbage (INT overflow
 * wraps, LONG beyond 64 bits wraps, any non-"true" string is BOOLEAN false) shardtable refuses the
 * value instead, so the record is counted as an error rather than stored wrong. Where Pinot's
 * conversion is lenient but loses something (a fraction into INT/LONG/TIMESTAMP, a boolean into a
 * number, a number other than 0/1 into BOOLEAN, NaN into FLOAT/DOUBLE — null, as Pinot's
 * `SpecialValueTransformer` —, a number beyond FLOAT/DOUBLE's range — infinity) the coercer stores
 * Pinot's value and notes the loss in the record's {@link CoercionLosses}; the table's bad-record
 * policy decides what that means (docs/decoders.md, "Lossy coercions").
 *
 * Coercers are created once per type and shared; they allocate nothing but their result.
 */

export type { NeedsSource, ScalarCoercer } from './coerce-base.js';
export { CoercionError, describeValue, NEEDS_SOURCE } from './coerce-base.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function intFromBigInt(value: bigint): number {
  if (value < BigInt(INT_MIN) || value > BigInt(INT_MAX)) throw outOfRange(String(value), 'INT');
  return Number(value);
}

function longInRange(value: bigint, shown: string, type: string): bigint {
  if (value < LONG_MIN || value > LONG_MAX) throw outOfRange(shown, type);
  return value;
}

function fractionDropped(shown: string, type: string, stored: number | bigint, losses: CoercionLosses): void {
  losses.lossy(`${shown} to ${type} (fraction dropped: stored ${String(stored)})`);
}

function noSource(): never {
  throw new CoercionError('internal: no source form for this value');
}

const INT_COERCER: ScalarCoercer = {
  type: 'INT',
  fromValue(value, losses) {
    if (typeof value === 'number') {
      if ((value | 0) === value) return value | 0;
      // Pinot: Number.intValue() truncates toward zero; beyond int32 we refuse rather than saturate.
      const t = Math.trunc(value);
      if (t >= INT_MIN && t <= INT_MAX) {
        fractionDropped(String(value), 'INT', t | 0, losses);
        return t | 0;
      }
      throw outOfRange(String(value), 'INT');
    }
    if (typeof value === 'string') {
      const text = value.trim();
      if (!isIntegerText(text)) throw notA(value, 'INT');
      const n = Number(text);
      if (n < INT_MIN || n > INT_MAX) throw outOfRange(text, 'INT');
      return n | 0;
    }
    if (typeof value === 'boolean') return booleanAsNumber(value, 'INT', losses);
    if (typeof value === 'bigint') return intFromBigInt(value);
    throw notA(value, 'INT');
  },
  fromSource: noSource,
};

function longFromNumber(value: number, type: string, losses: CoercionLosses): bigint | NeedsSource {
  if (Number.isSafeInteger(value)) return BigInt(value);
  if (Number.isFinite(value) && Math.abs(value) <= MAX_SAFE) {
    const truncated = BigInt(Math.trunc(value));
    fractionDropped(String(value), type, truncated, losses);
    return truncated;
  }
  if (Number.isNaN(value)) throw notA(value, type);
  return NEEDS_SOURCE;
}

function longFromSource(value: unknown, source: string, type: string, losses: CoercionLosses): bigint {
  const exact = truncateDecimalText(source);
  if (exact === undefined) {
    if (typeof value === 'number' && Number.isFinite(value)) return longInRange(BigInt(Math.trunc(value)), source, type);
    throw outOfRange(source, type);
  }
  const stored = longInRange(exact, source, type);
  if (hasFractionDigits(source)) fractionDropped(source, type, stored, losses);
  return stored;
}

const LONG_COERCER: ScalarCoercer = {
  type: 'LONG',
  fromValue(value, losses) {
    if (typeof value === 'number') return longFromNumber(value, 'LONG', losses);
    if (typeof value === 'string') {
      const text = value.trim();
      if (!isIntegerText(text)) throw notA(value, 'LONG');
      return longInRange(BigInt(text), text, 'LONG');
    }
    if (typeof value === 'bigint') return longInRange(value, String(value), 'LONG');
    if (typeof value === 'boolean') return BigInt(booleanAsNumber(value, 'LONG', losses));
    throw notA(value, 'LONG');
  },
  fromSource: (value, source, losses) => longFromSource(value, source, 'LONG', losses),
};

const TIMESTAMP_COERCER: ScalarCoercer = {
  type: 'TIMESTAMP',
  fromValue(value, losses) {
    if (typeof value === 'number') return longFromNumber(value, 'TIMESTAMP', losses);
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
  fromSource: (value, source, losses) => longFromSource(value, source, 'TIMESTAMP', losses),
};

const BIG_DECIMAL_COERCER: ScalarCoercer = {
  type: 'BIG_DECIMAL',
  fromValue(value, losses) {
    if (typeof value === 'number') return NEEDS_SOURCE;
    if (typeof value === 'string') {
      const canonical = canonicalDecimalText(value.trim());
      if (canonical === undefined) throw notA(value, 'BIG_DECIMAL');
      return canonical;
    }
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'boolean') return String(booleanAsNumber(value, 'BIG_DECIMAL', losses));
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
  fromValue(value, losses) {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'number') {
      if (value === 0 || value === 1) return value;
      losses.lossy(`${String(value)} to BOOLEAN (neither 0 nor 1: stored true)`);
      return 1;
    }
    if (typeof value === 'string') {
      const text = value.trim().toLowerCase();
      if (text === 'true' || text === '1') return 1;
      if (text === 'false' || text === '0') return 0;
      throw notA(value, 'BOOLEAN');
    }
    if (typeof value === 'bigint') {
      if (value === 0n || value === 1n) return Number(value);
      losses.lossy(`${String(value)} to BOOLEAN (neither 0 nor 1: stored true)`);
      return 1;
    }
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
 * objects and arrays `JSON.stringify`. Throws {@link CoercionError}; notes lossy coercions in
 * `losses`; null only for NaN into FLOAT/DOUBLE.
 */
export function coerceScalar(type: DataType, value: unknown, losses: CoercionLosses): ScalarValue | null {
  const coercer = COERCERS[type];
  const result = coercer.fromValue(value, losses);
  if (result !== NEEDS_SOURCE) return result;
  const source =
    typeof value === 'number' ? String(value) : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return coercer.fromSource(value, source, losses);
}
