import type { DataType, FieldType, ScalarValue } from './data-type.js';
import { pinotDefaultNullValue } from './data-type.js';

/** A field spec as Pinot's schema JSON writes it. Unknown keys are kept. */
export interface PinotFieldSpec {
  name: string;
  dataType: DataType;
  singleValueField?: boolean;
  defaultNullValue?: unknown;
  notNull?: boolean;
  format?: string;
  granularity?: string;
  [key: string]: unknown;
}

/** Pinot schema JSON (`POST /schemas`). */
export interface PinotSchema {
  schemaName: string;
  dimensionFieldSpecs?: PinotFieldSpec[];
  metricFieldSpecs?: PinotFieldSpec[];
  dateTimeFieldSpecs?: PinotFieldSpec[];
  /** Pinot's deprecated single time field; `incomingGranularitySpec` names the column. */
  timeFieldSpec?: { incomingGranularitySpec: PinotFieldSpec; [key: string]: unknown };
  primaryKeyColumns?: string[];
  [key: string]: unknown;
}

/** One column of a table, resolved from its field spec. */
export interface ColumnSpec {
  readonly name: string;
  readonly dataType: DataType;
  readonly singleValue: boolean;
  readonly fieldType: FieldType;
  /** The value stored when a record has no value (already converted to the in-memory type). */
  readonly defaultNullValue: ScalarValue;
  readonly format?: string;
  readonly granularity?: string;
}

/** A schema as the engine uses it: columns in a fixed order, looked up by name. */
export interface TableSchema {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly columnIndex: ReadonlyMap<string, number>;
  readonly primaryKeyColumns: readonly string[];
}

/**
 * Converts a JSON value given as a `defaultNullValue` into the in-memory representation of the
 * type. Returns an error message instead of throwing.
 */
export function convertDefaultNullValue(
  type: DataType,
  raw: unknown,
): { value: ScalarValue } | { error: string } {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (type) {
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE': {
      const n = typeof text === 'number' ? text : Number(text);
      if (typeof text === 'boolean' || text === '' || Number.isNaN(n)) return { error: `is not a number` };
      if (type === 'INT') {
        if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) return { error: 'is not a 32-bit integer' };
        return { value: n };
      }
      return { value: type === 'FLOAT' ? Math.fround(n) : n };
    }
    case 'LONG':
    case 'TIMESTAMP': {
      try {
        if (typeof text === 'number' && !Number.isInteger(text)) return { error: 'is not an integer' };
        return { value: BigInt(text as string | number) };
      } catch {
        return { error: 'is not an integer' };
      }
    }
    case 'BOOLEAN':
      if (text === true || text === 'true' || text === 1 || text === '1') return { value: 1 };
      if (text === false || text === 'false' || text === 0 || text === '0') return { value: 0 };
      return { error: 'is not a boolean' };
    case 'BIG_DECIMAL':
      if (typeof text !== 'number' && (typeof text !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text))) {
        return { error: 'is not a decimal number' };
      }
      return { value: String(text) };
    case 'STRING':
    case 'JSON':
      return { value: typeof text === 'string' ? text : JSON.stringify(text) };
    case 'BYTES':
      if (typeof text !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(text)) return { error: 'is not a hex string' };
      return { value: Uint8Array.from(Buffer.from(text, 'hex')) };
  }
}

/**
 * Builds the engine's view of a Pinot schema. The input must already be validated
 * (see `validateSchema`); this function trusts field names and types.
 */
export function buildTableSchema(schema: PinotSchema): TableSchema {
  const columns: ColumnSpec[] = [];
  const add = (spec: PinotFieldSpec, fieldType: FieldType): void => {
    let defaultNullValue = pinotDefaultNullValue(spec.dataType, fieldType);
    if (spec.defaultNullValue !== undefined && spec.defaultNullValue !== null) {
      const converted = convertDefaultNullValue(spec.dataType, spec.defaultNullValue);
      if ('value' in converted) defaultNullValue = converted.value;
    }
    columns.push(
      Object.freeze({
        name: spec.name,
        dataType: spec.dataType,
        singleValue: spec.singleValueField !== false,
        fieldType,
        defaultNullValue,
        ...(spec.format !== undefined ? { format: spec.format } : {}),
        ...(spec.granularity !== undefined ? { granularity: spec.granularity } : {}),
      }),
    );
  };
  for (const spec of schema.dimensionFieldSpecs ?? []) add(spec, 'DIMENSION');
  for (const spec of schema.metricFieldSpecs ?? []) add(spec, 'METRIC');
  if (schema.timeFieldSpec?.incomingGranularitySpec) add(schema.timeFieldSpec.incomingGranularitySpec, 'TIME');
  for (const spec of schema.dateTimeFieldSpecs ?? []) add(spec, 'DATE_TIME');
  const columnIndex = new Map(columns.map((c, i) => [c.name, i] as const));
  return Object.freeze({
    name: schema.schemaName,
    columns: Object.freeze(columns),
    columnIndex,
    primaryKeyColumns: Object.freeze([...(schema.primaryKeyColumns ?? [])]),
  });
}
