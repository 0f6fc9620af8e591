/**
 * Pinot data types and how their values live in memory inside shardtable.
 *
 * One representation per type, used by decoders, column builders, segment files and (later) the
 * query engine, so no stage converts twice:
 *
 * | type        | in-memory value                  | stored as            |
 * |-------------|----------------------------------|----------------------|
 * | INT         | number (int32)                   | Int32                |
 * | LONG        | bigint (exact 64-bit)            | BigInt64             |
 * | FLOAT       | number, rounded with Math.fround | Float32              |
 * | DOUBLE      | number                           | Float64              |
 * | BIG_DECIMAL | string (canonical decimal text)  | UTF-8 string         |
 * | BOOLEAN     | number 0 or 1 (as Pinot stores)  | Int32                |
 * | TIMESTAMP   | bigint epoch millis              | BigInt64             |
 * | STRING      | string                           | UTF-8 string         |
 * | JSON        | string (JSON text)               | UTF-8 string         |
 * | BYTES       | Uint8Array                       | bytes                |
 */
export const DATA_TYPES = [
  'INT',
  'LONG',
  'FLOAT',
  'DOUBLE',
  'BIG_DECIMAL',
  'BOOLEAN',
  'TIMESTAMP',
  'STRING',
  'JSON',
  'BYTES',
] as const;

export type DataType = (typeof DATA_TYPES)[number];

/** A single value of some column, in the representation of the table above. */
export type ScalarValue = number | bigint | string | Uint8Array;

/** A cell: a scalar for single-value columns, an array for multi-value columns. */
export type CellValue = ScalarValue | ScalarValue[];

/** The physical storage class of a data type. */
export type StoredType = 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BYTES';

export function storedTypeOf(type: DataType): StoredType {
  switch (type) {
    case 'INT':
    case 'BOOLEAN':
      return 'INT';
    case 'LONG':
    case 'TIMESTAMP':
      return 'LONG';
    case 'FLOAT':
      return 'FLOAT';
    case 'DOUBLE':
      return 'DOUBLE';
    case 'BIG_DECIMAL':
    case 'STRING':
    case 'JSON':
      return 'STRING';
    case 'BYTES':
      return 'BYTES';
  }
}

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && (DATA_TYPES as readonly string[]).includes(value);
}

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;
export const LONG_MIN = -9223372036854775808n;
export const LONG_MAX = 9223372036854775807n;

export type FieldType = 'DIMENSION' | 'METRIC' | 'DATE_TIME' | 'TIME';

/**
 * Pinot's default null value for a field of this type and kind, used when a record lacks the field
 * (or carries null) and the schema gives no `defaultNullValue` of its own.
 */
export function pinotDefaultNullValue(type: DataType, fieldType: FieldType): ScalarValue {
  const metric = fieldType === 'METRIC';
  switch (type) {
    case 'INT':
      return metric ? 0 : INT_MIN;
    case 'LONG':
      return metric ? 0n : LONG_MIN;
    case 'FLOAT':
    case 'DOUBLE':
      return metric ? 0 : Number.NEGATIVE_INFINITY;
    case 'BIG_DECIMAL':
      return '0';
    case 'BOOLEAN':
      return 0;
    case 'TIMESTAMP':
      return 0n;
    case 'STRING':
    case 'JSON':
      return 'null';
    case 'BYTES':
      return new Uint8Array(0);
  }
}
