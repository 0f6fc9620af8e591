import type { DataType, ScalarValue } from '../../config/data-type.js';
import type { Literal } from '../parser/ast.js';
import { QueryError } from '../query-error.js';
import { hexToBytes, parseTimestamp } from '../functions/values.js';

const INT_RE = /^-?\d+$/;

/** A literal as written, typed as Pinot types it: whole numbers INT (or LONG past 32 bits), decimals DOUBLE. */
export function literalValue(l: Literal): { value: ScalarValue | null; type: DataType; text: string } {
  switch (l.type) {
    case 'string':
      return { value: l.text, type: 'STRING', text: l.text };
    case 'boolean':
      return { value: l.value ? 1 : 0, type: 'BOOLEAN', text: String(l.value) };
    case 'null':
      return { value: null, type: 'STRING', text: 'null' };
    case 'number': {
      if (INT_RE.test(l.text)) {
        const b = BigInt(l.text);
        if (b >= -2147483648n && b <= 2147483647n) return { value: Number(b), type: 'INT', text: l.text };
        if (b >= -9223372036854775808n && b <= 9223372036854775807n) return { value: b, type: 'LONG', text: l.text };
        return { value: Number(l.text), type: 'DOUBLE', text: l.text };
      }
      return { value: Number(l.text), type: 'DOUBLE', text: l.text };
    }
  }
}

/**
 * Converts a literal compared with an expression of `target` type into that type's
 * representation, as Pinot converts predicate values to the column's type: `'5'` for an INT
 * column is 5, `12.1` for a FLOAT column is the float 12.1, `'deed0507'` for BYTES is bytes, a
 * timestamp string for TIMESTAMP is epoch millis. A fractional value against a LONG column stays
 * a double (compared numerically). Throws 200 when the text cannot be that type.
 */
export function coerceLiteral(text: string, value: ScalarValue | null, target: DataType, what: string): ScalarValue | null {
  if (value === null) return null;
  const fail = (): never => {
    throw new QueryError('QUERY_EXECUTION', `Cannot convert value '${text}' to type ${target} (compared with ${what})`);
  };
  switch (target) {
    case 'INT':
    case 'DOUBLE':
    case 'FLOAT': {
      const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : text.trim() === '' ? Number.NaN : Number(text);
      if (Number.isNaN(n) && !/^nan$/i.test(text.trim())) fail();
      return target === 'FLOAT' ? Math.fround(n) : n;
    }
    case 'BOOLEAN': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return 1;
      if (t === 'false' || t === '0') return 0;
      return typeof value === 'number' ? value : fail();
    }
    case 'LONG':
    case 'TIMESTAMP': {
      if (typeof value === 'bigint') return value;
      const t = text.trim();
      if (INT_RE.test(t)) return BigInt(t);
      if (target === 'TIMESTAMP' && typeof value === 'string') {
        try {
          return parseTimestamp(t);
        } catch {
          fail();
        }
      }
      const n = Number(t);
      if (Number.isNaN(n)) fail();
      return n;
    }
    case 'BIG_DECIMAL': {
      // Compared numerically with the column's decimal text (see compareValues).
      const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number(text);
      if (Number.isNaN(n)) fail();
      return n;
    }
    case 'STRING':
    case 'JSON':
      return text;
    case 'BYTES':
      try {
        return hexToBytes(text);
      } catch {
        return fail();
      }
  }
}
