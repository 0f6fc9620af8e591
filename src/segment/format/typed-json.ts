import type { ScalarValue, StoredType } from '../../config/data-type.js';

/** A scalar as the footer JSON stores it (see `docs/segment-format.md`, "Values in the footer"). */
export type JsonScalar = number | string;

/**
 * Encodes a scalar for the footer: INT/FLOAT/DOUBLE as JSON numbers (non-finite as the strings
 * "NaN", "Infinity", "-Infinity"), LONG as a decimal string (exact), STRING as itself, BYTES as
 * lowercase hex.
 */
export function toJsonScalar(type: StoredType, value: ScalarValue): JsonScalar {
  switch (type) {
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE': {
      const n = value as number;
      return Number.isFinite(n) ? n : String(n);
    }
    case 'LONG':
      return (value as bigint).toString();
    case 'STRING':
      return value as string;
    case 'BYTES':
      return Buffer.from(value as Uint8Array).toString('hex');
  }
}

/** The inverse of `toJsonScalar`; throws on a value of the wrong shape. */
export function fromJsonScalar(type: StoredType, value: unknown): ScalarValue {
  switch (type) {
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (typeof value !== 'number' && value !== 'NaN' && !Number.isFinite(n) && value !== 'Infinity' && value !== '-Infinity') {
        throw new Error(`bad ${type} value ${JSON.stringify(value)}`);
      }
      return type === 'INT' ? n | 0 : n;
    }
    case 'LONG':
      if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw new Error(`bad LONG value ${JSON.stringify(value)}`);
      return BigInt(value);
    case 'STRING':
      if (typeof value !== 'string') throw new Error(`bad STRING value ${JSON.stringify(value)}`);
      return value;
    case 'BYTES':
      if (typeof value !== 'string' || !/^([0-9a-f]{2})*$/.test(value)) throw new Error(`bad BYTES value ${JSON.stringify(value)}`);
      return Uint8Array.from(Buffer.from(value, 'hex'));
  }
}
