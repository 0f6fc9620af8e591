import type { CellValue, DataType } from '../config/data-type.js';

/** The shortest decimal that reads back as the same float32 (12.1, not 12.100000381469727). */
export function formatFloat32(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  for (let p = 1; p < 17; p++) {
    const candidate = Number(x.toPrecision(p));
    if (Math.fround(candidate) === x) return candidate;
  }
  return x;
}

/**
 * A cell as plain JSON for humans and tools (`inspect`, metadata endpoints): LONG/TIMESTAMP as
 * exact decimal strings, BYTES as hex, NaN/±Infinity as strings, FLOAT as the shortest decimal
 * that is the same float32 (when `dataType` is given), arrays element-wise.
 */
export function toDisplayJson(value: CellValue | null | undefined, dataType?: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => toDisplayJson(v, dataType));
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'number' && dataType === 'FLOAT') return formatFloat32(value);
  return value;
}
