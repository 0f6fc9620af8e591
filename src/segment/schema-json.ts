import type { ScalarValue } from '../config/data-type.js';
import type { ColumnSpec, PinotFieldSpec, PinotSchema, TableSchema } from '../config/schema.js';

/** A default null value as Pinot's schema JSON writes it (LONG exact as text, BYTES as hex). */
function defaultToJson(value: ScalarValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function fieldSpec(c: ColumnSpec): PinotFieldSpec {
  return {
    name: c.name,
    dataType: c.dataType,
    ...(c.singleValue ? {} : { singleValueField: false }),
    defaultNullValue: defaultToJson(c.defaultNullValue),
    ...(c.format !== undefined ? { format: c.format } : {}),
    ...(c.granularity !== undefined ? { granularity: c.granularity } : {}),
  };
}

/**
 * The Pinot schema JSON of a table schema, stored in each segment footer so a segment file is
 * self-describing: `buildTableSchema(toPinotSchema(s))` gives back the same columns, types,
 * field types and default null values.
 */
export function toPinotSchema(schema: TableSchema): PinotSchema {
  const out: PinotSchema = { schemaName: schema.name };
  const dims = schema.columns.filter((c) => c.fieldType === 'DIMENSION').map(fieldSpec);
  const metrics = schema.columns.filter((c) => c.fieldType === 'METRIC').map(fieldSpec);
  const dateTimes = schema.columns.filter((c) => c.fieldType === 'DATE_TIME').map(fieldSpec);
  const time = schema.columns.find((c) => c.fieldType === 'TIME');
  if (dims.length) out.dimensionFieldSpecs = dims;
  if (metrics.length) out.metricFieldSpecs = metrics;
  if (dateTimes.length) out.dateTimeFieldSpecs = dateTimes;
  if (time) out.timeFieldSpec = { incomingGranularitySpec: fieldSpec(time) };
  if (schema.primaryKeyColumns.length) out.primaryKeyColumns = [...schema.primaryKeyColumns];
  return out;
}
