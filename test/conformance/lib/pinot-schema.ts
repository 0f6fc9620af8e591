/**
 * Pinot schema → the rows a Pinot table actually holds with null handling off: each value
 * converted to its column type, and null (or an empty multi-value array) replaced by the field's
 * default null value — Pinot's `NullValueTransformer` + `DataTypeTransformer` as far as the
 * conformance data needs them. The DuckDB oracle is loaded with these rows, so both engines see
 * the same values (a Pinot INT dimension that was null *is* -2147483648 in every query).
 */

export type PinotDataType = 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'BIG_DECIMAL' | 'BOOLEAN' | 'TIMESTAMP' | 'STRING' | 'JSON' | 'BYTES';
export type FieldKind = 'dimension' | 'metric' | 'dateTime';

export interface PinotField {
  readonly name: string;
  readonly dataType: PinotDataType;
  readonly kind: FieldKind;
  readonly singleValue: boolean;
  readonly defaultNullValue?: unknown;
}

export interface PinotSchemaJson {
  readonly schemaName: string;
  readonly dimensionFieldSpecs?: readonly Record<string, unknown>[];
  readonly metricFieldSpecs?: readonly Record<string, unknown>[];
  readonly dateTimeFieldSpecs?: readonly Record<string, unknown>[];
}

export function schemaFields(schema: PinotSchemaJson): PinotField[] {
  const list = (specs: readonly Record<string, unknown>[] | undefined, kind: FieldKind): PinotField[] =>
    (specs ?? []).map((s) => ({
      name: String(s.name),
      dataType: String(s.dataType) as PinotDataType,
      kind,
      singleValue: s.singleValueField !== false,
      ...(s.defaultNullValue !== undefined ? { defaultNullValue: s.defaultNullValue } : {}),
    }));
  return [...list(schema.dimensionFieldSpecs, 'dimension'), ...list(schema.metricFieldSpecs, 'metric'), ...list(schema.dateTimeFieldSpecs, 'dateTime')];
}

/** A stored value: INT/FLOAT/DOUBLE/TIMESTAMP/BIG_DECIMAL numbers, LONG bigint, BYTES hex text. */
export type PinotValue = number | bigint | string | boolean;

const INT_MIN = -2147483648;
const LONG_MIN = -9223372036854775808n;

/** Pinot's default null value for a field (`FieldSpec.getDefaultNullValue`). */
export function defaultNullValue(field: PinotField): PinotValue {
  if (field.defaultNullValue !== undefined) return convert(field.dataType, field.defaultNullValue);
  const metric = field.kind === 'metric';
  switch (field.dataType) {
    case 'INT':
      return metric ? 0 : INT_MIN;
    case 'LONG':
      return metric ? 0n : LONG_MIN;
    case 'FLOAT':
    case 'DOUBLE':
      return metric ? 0 : -Infinity;
    case 'BIG_DECIMAL':
      return 0;
    case 'BOOLEAN':
      return false;
    case 'TIMESTAMP':
      return 0;
    case 'STRING':
      return 'null';
    case 'JSON':
      return 'null';
    case 'BYTES':
      return '';
  }
}

/** One value converted to a column type (strings parsed as Pinot's `PinotDataType` does). */
export function convert(type: PinotDataType, v: unknown): PinotValue {
  switch (type) {
    case 'INT':
      return Math.trunc(Number(v)) | 0;
    case 'LONG':
      return typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v.trim().replace(/\.\d*$/, '') : Math.trunc(Number(v)));
    case 'FLOAT':
      return Math.fround(Number(v));
    case 'DOUBLE':
    case 'BIG_DECIMAL':
      return Number(v);
    case 'BOOLEAN':
      return v === true || v === 1 || (typeof v === 'string' && (v.trim().toLowerCase() === 'true' || v.trim() === '1'));
    case 'TIMESTAMP':
      return typeof v === 'string' && !/^-?\d+$/.test(v.trim()) ? Date.parse(v) : Number(v);
    case 'STRING':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'JSON':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'BYTES':
      return typeof v === 'string' ? v.toLowerCase() : Buffer.from(v as Uint8Array).toString('hex');
  }
}

/** The row as Pinot stores it: every schema field present, converted, nulls replaced. */
export function pinotRow(fields: readonly PinotField[], record: Record<string, unknown>): Record<string, PinotValue | PinotValue[]> {
  const row: Record<string, PinotValue | PinotValue[]> = {};
  for (const f of fields) {
    const raw = record[f.name];
    if (f.singleValue) {
      const v = Array.isArray(raw) ? raw[0] : raw;
      row[f.name] = v === null || v === undefined ? defaultNullValue(f) : convert(f.dataType, v);
    } else {
      const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const values = list.filter((v) => v !== null && v !== undefined).map((v) => convert(f.dataType, v));
      row[f.name] = values.length === 0 ? [defaultNullValue(f)] : values;
    }
  }
  return row;
}
