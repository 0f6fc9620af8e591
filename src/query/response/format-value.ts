import { bytesToHex, formatTimestamp, toBigInt, toBoolean, toJavaString, toNumber } from '../functions/values.js';
import { formatJavaDouble, formatJavaFloat } from './java-number-format.js';

/**
 * A JSON fragment for one result cell of Pinot column type `type`, written as Pinot's broker
 * writes it: LONG as an exact integer, INT as an integer, DOUBLE and FLOAT in Java's notation
 * (`7611.0`, `-9.223372036854776E18`, `12.1`), NaN and ±Infinity as strings, BOOLEAN as
 * true/false, TIMESTAMP as `"2014-01-01 00:00:00.0"`, BYTES as hex, arrays element-wise.
 */
export function formatCell(v: unknown, type: string): string {
  if (v === null || v === undefined) return 'null';
  if (type.endsWith('_ARRAY')) {
    const base = type.slice(0, -6);
    const items = Array.isArray(v) ? v : [v];
    return `[${items.map((x) => formatCell(x, base)).join(',')}]`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => formatCell(x, type)).join(',')}]`;
  switch (type) {
    case 'INT':
      return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : toBigInt(v).toString();
    case 'LONG':
      return typeof v === 'bigint' ? v.toString() : toBigInt(v).toString();
    case 'DOUBLE':
      return number(formatJavaDouble(toNumber(v)));
    case 'FLOAT':
      return number(formatJavaFloat(Math.fround(toNumber(v))));
    case 'BOOLEAN':
      return toBoolean(v) ? 'true' : 'false';
    case 'TIMESTAMP':
      return JSON.stringify(formatTimestamp(typeof v === 'bigint' ? v : toBigInt(v)));
    case 'BYTES':
      return JSON.stringify(v instanceof Uint8Array ? bytesToHex(v) : String(v));
    default:
      return JSON.stringify(typeof v === 'string' ? v : toJavaString(v));
  }
}

/** JSON has no NaN/Infinity: Pinot writes them as strings. */
function number(text: string): string {
  return text === 'NaN' || text === 'Infinity' || text === '-Infinity' ? `"${text}"` : text;
}
