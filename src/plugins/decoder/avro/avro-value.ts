import type { Type } from 'avsc';
import type { ColumnSpec } from '../../../config/schema.js';
import type { CellValue, ScalarValue } from '../../../config/data-type.js';
import { CoercionError, coerceScalar } from '../coerce.js';
import type { CoercionLosses } from '../coercion-losses.js';

/**
 * Avro values → cells. avsc hands out values shaped by the writer schema: unions either bare or
 * (when ambiguous) wrapped as `{ branch: value }`, bytes as Buffers sharing the record's memory,
 * records as class instances. {@link plainAvroValue} turns them into plain JS values (unions
 * unwrapped, bytes copied); {@link avroCell} coerces a plain value to a column.
 */

interface FieldLike {
  readonly name: string;
  readonly type: Type;
}
interface UnionLike {
  readonly types: readonly Type[];
}

const SIMPLE_TYPE_NAMES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'abstract:long', 'float', 'double', 'string', 'enum']);

/** True when values of `type` are JS scalars needing no walk (primitives, enums, unions of those). */
export function isSimpleAvroType(type: Type): boolean {
  if (type.typeName.startsWith('union')) return (type as unknown as UnionLike).types.every((t) => SIMPLE_TYPE_NAMES.has(t.typeName));
  return SIMPLE_TYPE_NAMES.has(type.typeName);
}

function copyBytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

/** The union branch an unwrapped (unambiguous) union used for a non-scalar value. */
function unwrappedBranch(value: object, types: readonly Type[]): Type | undefined {
  if (Array.isArray(value)) return types.find((t) => t.typeName === 'array');
  if (value instanceof Uint8Array) return types.find((t) => t.typeName === 'bytes' || t.typeName === 'fixed');
  return types.find((t) => t.typeName === 'record' || t.typeName === 'error' || t.typeName === 'map');
}

/** A plain JS value for an avsc value of `type`: unions unwrapped, bytes copied, records as objects. */
export function plainAvroValue(value: unknown, type: Type): unknown {
  if (value === null || value === undefined) return null;
  switch (type.typeName) {
    case 'union:wrapped': {
      const key = Object.keys(value as object)[0]!;
      const branch = (type as unknown as UnionLike).types.find((t) => t.branchName === key);
      const inner = (value as Record<string, unknown>)[key];
      return branch === undefined ? inner : plainAvroValue(inner, branch);
    }
    case 'union:unwrapped': {
      if (typeof value !== 'object') return value;
      const branch = unwrappedBranch(value, (type as unknown as UnionLike).types);
      return branch === undefined ? value : plainAvroValue(value, branch);
    }
    case 'record':
    case 'error': {
      const out: Record<string, unknown> = {};
      for (const field of (type as unknown as { fields: FieldLike[] }).fields) {
        out[field.name] = plainAvroValue((value as Record<string, unknown>)[field.name], field.type);
      }
      return out;
    }
    case 'map': {
      const valuesType = (type as unknown as { valuesType: Type }).valuesType;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = plainAvroValue(v, valuesType);
      return out;
    }
    case 'array': {
      const itemsType = (type as unknown as { itemsType: Type }).itemsType;
      return (value as unknown[]).map((v) => plainAvroValue(v, itemsType));
    }
    case 'bytes':
    case 'fixed':
      return copyBytes(value as Uint8Array);
    default:
      return value;
  }
}

/**
 * JSON text of a plain Avro value: longs as exact integers, bytes as base64 strings (as Jackson
 * writes a `byte[]`), records and maps as objects.
 */
export function avroJsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(avroJsonText).join(',')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${avroJsonText(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function scalarFor(column: ColumnSpec, value: unknown, losses: CoercionLosses): ScalarValue | null {
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const kind = Array.isArray(value) ? 'an Avro array' : 'an Avro record or map';
    if (column.dataType === 'JSON' || column.dataType === 'STRING') return coerceScalar(column.dataType, avroJsonText(value), losses);
    throw new CoercionError(`${kind} cannot be stored in a ${column.dataType} column (use a JSON or STRING column)`);
  }
  return coerceScalar(column.dataType, value, losses);
}

/**
 * The cell for `column` from a plain Avro value. Single-value columns given an array follow Pinot's
 * `DataTypeTransformer` (nulls dropped, `[]` → null, `[x]` → x, more is an error; JSON columns take
 * the array as JSON text); multi-value columns given a scalar hold one value. Throws
 * {@link CoercionError}; notes lossy coercions in `losses` (a NaN element of a multi-value column
 * is dropped).
 */
export function avroCell(column: ColumnSpec, value: unknown, losses: CoercionLosses): CellValue | null {
  if (value === null || value === undefined) return null;
  if (column.singleValue) {
    if (!Array.isArray(value) || column.dataType === 'JSON') return scalarFor(column, value, losses);
    const present = value.filter((v) => v !== null && v !== undefined);
    if (present.length === 0) return null;
    if (present.length > 1) throw new CoercionError(`an array of ${present.length} values cannot be stored in a single-value column`);
    return scalarFor(column, present[0], losses);
  }
  if (!Array.isArray(value)) {
    const only = scalarFor(column, value, losses);
    return only === null ? null : [only];
  }
  const out: ScalarValue[] = [];
  for (let k = 0; k < value.length; k++) {
    const element: unknown = value[k];
    if (element === null || element === undefined) continue;
    try {
      const converted = scalarFor(column, element, losses);
      if (converted !== null) out.push(converted);
    } catch (e) {
      throw new CoercionError(`element ${k}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out.length === 0 ? null : out;
}
