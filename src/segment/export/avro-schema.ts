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

/**
 * `timestamp-millis` over the BigInt long: values stay exact bigint epoch millis (not `Date`),
 * and the logical type is kept in the written schema so readers see a timestamp.
 */
class TimestampMillisBigInt extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): unknown {
    return value;
  }
  protected override _toValue(value: unknown): unknown {
    return value;
  }
  protected override _resolve(type: avro.Type): unknown {
    return avro.Type.isType(type, 'long', 'abstract:long', 'logical:timestamp-millis') ? (v: unknown) => v : undefined;
  }
}

/**
 * avsc options that make every `long` a BigInt (for writing and for reading back), including the
 * long under `timestamp-millis`. avsc builds a logical type's underlying type without consulting
 * its registry, so a `typeHook` supplies both.
 */
export function avroTypeOptions(): { typeHook: (schema: avro.Schema, opts: object) => avro.Type | undefined } {
  let buildingTimestamp = false;
  return {
    typeHook(schema, opts) {
      const s = schema as { type?: unknown; logicalType?: unknown } | string;
      if (s === 'long') return BIGINT_LONG;
      if (typeof s !== 'object' || s === null || Array.isArray(s) || s.type !== 'long') return undefined;
      if (s.logicalType !== 'timestamp-millis' || buildingTimestamp) return BIGINT_LONG;
      buildingTimestamp = true;
      try {
        return new TimestampMillisBigInt(schema, opts);
      } finally {
        buildingTimestamp = false;
      }
    },
  };
}

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
    doc: `Pinot column ${column.name} (${column.dataType}${column.singleValue ? '' : ', multi-value'})`,
  };
}

/**
 * The Avro record schema of a table schema. Field names are sanitised for Avro (and made unique
 * with a numeric suffix); each field's `doc` names the original Pinot column and type (avsc
 * writes no custom field attributes).
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
