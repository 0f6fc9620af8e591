import avro from 'avsc';
import type { DataType } from '../../config/data-type.js';
import type { ColumnSpec, TableSchema } from '../../config/schema.js';

/**
 * avsc `long` that reads and writes BigInt, so LONG and TIMESTAMP values stay exact across the
 * full 64-bit range (avsc's default long refuses values beyond 2^53). Pass it as
 * `registry: { long: BIGINT_LONG }` when building or reading types.
 */
export const BIGINT_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (v: number | string) => BigInt(v),
  toJSON: (n: bigint) => n.toString(),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** avsc options that make every `long` a BigInt (for writing and for reading back). */
export const AVRO_TYPE_OPTIONS = { registry: { long: BIGINT_LONG } } as const;

/** An Avro name from a Pinot name: `[A-Za-z_][A-Za-z0-9_]*`, invalid characters become `_`. */
export function avroName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * The Avro type of one Pinot data type. BIG_DECIMAL becomes `string` (its canonical decimal
 * text): Avro's `decimal` needs one fixed scale per column, Pinot's BIG_DECIMAL has a scale per
 * value, and a string is exact and readable by every engine. JSON is a string too.
 */
export function avroTypeOf(type: DataType): avro.Schema {
  switch (type) {
    case 'INT':
      return 'int';
    case 'LONG':
      return 'long';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'BOOLEAN':
      return 'boolean';
    case 'TIMESTAMP':
      return { type: 'long', logicalType: 'timestamp-millis' };
    case 'BIG_DECIMAL':
    case 'STRING':
    case 'JSON':
      return 'string';
    case 'BYTES':
      return 'bytes';
  }
}

/** One record field: arrays for multi-value columns, `["null", T]` unions when nulls are kept. */
export function avroField(column: ColumnSpec, name: string, nullable: boolean): Record<string, unknown> {
  const base = avroTypeOf(column.dataType);
  const type = column.singleValue ? base : { type: 'array', items: base };
  return {
    name,
    type: nullable ? ['null', type] : type,
    ...(nullable ? { default: null } : {}),
    'pinot.name': column.name,
    'pinot.dataType': column.dataType,
  };
}

/**
 * The Avro record schema of a table schema. Field names are sanitised for Avro (and made unique
 * with a numeric suffix); the original name is kept in each field's `pinot.name` attribute.
 * Returns the schema and the Avro field name of every column, in column order.
 */
export function avroSchemaOf(schema: TableSchema, nullable: boolean): { schema: avro.Schema; fieldNames: string[] } {
  const used = new Set<string>();
  const fieldNames = schema.columns.map((c) => {
    const base = avroName(c.name);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
  return {
    schema: {
      type: 'record',
      name: avroName(schema.name),
      namespace: 'shardtable',
      fields: schema.columns.map((c, i) => avroField(c, fieldNames[i]!, nullable)),
    } as avro.Schema,
    fieldNames,
  };
}
