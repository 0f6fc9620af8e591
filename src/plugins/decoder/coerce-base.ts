import type { DataType, ScalarValue } from '../../config/data-type.js';
import type { CoercionLosses } from './coercion-losses.js';

/**
 * What every coercer shares (`coerce.ts`, `coerce-floating.ts`): the coercer contract, its
 * sentinel, its errors and the note for a boolean stored as a number.
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
 * arrays compacted). Both throw {@link CoercionError} for a value the type cannot hold, note a
 * lossy coercion in `losses`, and return null only for NaN into FLOAT/DOUBLE (a null cell; a
 * multi-value column drops the element).
 *
 * @example
 *   const c = scalarCoercerFor('LONG');
 *   let v = c.fromValue(parsed, losses);
 *   if (v === NEEDS_SOURCE) v = c.fromSource(parsed, sourceText, losses);
 */
export interface ScalarCoercer {
  readonly type: DataType;
  fromValue(value: unknown, losses: CoercionLosses): ScalarValue | null | NeedsSource;
  fromSource(value: unknown, source: string, losses: CoercionLosses): ScalarValue | null;
}

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

/** `"abc" is not an INT`: the value has no reading in the type. */
export function notA(value: unknown, type: string): CoercionError {
  return new CoercionError(`${describeValue(value)} is not a${type === 'INT' ? 'n' : ''} ${type}`);
}

/** `2147483648 is out of range for INT`: refused rather than wrapped or saturated as Java would. */
export function outOfRange(shown: string, type: string): CoercionError {
  return new CoercionError(`${shown} is out of range for ${type}`);
}

/** Notes a boolean stored as a number: Pinot's `BOOLEAN.toInt` and friends (true → 1). */
export function booleanAsNumber(value: boolean, type: string, losses: CoercionLosses): number {
  const n = value ? 1 : 0;
  losses.lossy(`${String(value)} to ${type} (a boolean: stored ${n})`);
  return n;
}
