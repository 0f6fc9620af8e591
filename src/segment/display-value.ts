import type { CellValue } from '../config/data-type.js';

/**
 * A cell as plain JSON for humans and tools (`inspect`, metadata endpoints): LONG/TIMESTAMP as
 * exact decimal strings, BYTES as hex, NaN/±Infinity as strings, arrays element-wise.
 */
export function toDisplayJson(value: CellValue | null | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => toDisplayJson(v));
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
