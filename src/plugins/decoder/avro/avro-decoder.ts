import type { Type } from 'avsc';
import type { CellValue } from '../../../config/data-type.js';
import type { ColumnSpec, TableSchema } from '../../../config/schema.js';
import type { DecodedRow, DecodeFieldsResult, DecodeResult, DecoderSettings, StreamMessageDecoder } from '../../../spi/decoder.js';
import type { StreamMessage } from '../../../spi/message-batch.js';
import { coerceScalar } from '../coerce.js';
import { CoercionLosses } from '../coercion-losses.js';
import { AvroFrameReader, parseFraming } from './avro-framing.js';
import { loadWriterSchema } from './avro-schema.js';
import { avroCell, isSimpleAvroType, plainAvroValue } from './avro-value.js';

interface ColumnPlan {
  readonly column: ColumnSpec;
  /** The writer record's field of the same name, or undefined (the cell is null). */
  readonly fieldType: Type | undefined;
  /** Scalar field into a single-value column: straight to the coercer. */
  readonly simple: boolean;
}

/**
 * Decodes Avro records (Pinot's `SimpleAvroMessageDecoder`) with a writer schema from the stream
 * config (`stream.<type>.decoder.prop.schema` inline, or `...prop.schema.file`). Record fields map
 * to columns by name; fields not in the schema are ignored, columns with no field are null.
 *
 * Framing (`...prop.framing`, default `auto`): plain Avro binary, Confluent wire format (magic 0 +
 * 4-byte schema id; the id is not looked up, the configured writer schema is used), or Avro
 * single-object encoding (0xC3 0x01 + CRC-64-AVRO fingerprint, checked against the writer schema).
 *
 * Values: longs exact as bigint; `timestamp-millis` longs are epoch millis (TIMESTAMP/LONG);
 * unions with null give null; arrays fill multi-value columns; records and maps become JSON text in
 * JSON and STRING columns. Lossy coercions (an Avro double 1.5 into INT, a boolean into LONG, NaN)
 * are reported in `lossy` (docs/decoders.md). Never throws: truncated data, a wrong schema or fingerprint, or a value
 * a column cannot hold return `{ ok: false, error }` naming the field.
 *
 * @example
 *   const decoder = createAvroDecoder(schema, { keyPrefix: 'stream.kinesis.', properties: { 'stream.kinesis.decoder.prop.schema': avsc } });
 *   decoder.decode(message); // { ok: true, row: [...] }
 */
export function createAvroDecoder(schema: TableSchema, settings: DecoderSettings): StreamMessageDecoder {
  const writer = loadWriterSchema(settings);
  return new AvroDecoder(schema, new AvroFrameReader(writer, parseFraming(settings)), writer.type);
}

class AvroDecoder implements StreamMessageDecoder {
  private readonly plans: readonly ColumnPlan[];
  private readonly writerFields: readonly (readonly [string, Type])[];
  private readonly losses = new CoercionLosses();

  constructor(
    schema: TableSchema,
    private readonly reader: AvroFrameReader,
    writerType: Type,
  ) {
    this.writerFields = (writerType as unknown as { fields: { name: string; type: Type }[] }).fields.map((f) => [f.name, f.type] as const);
    const fields = new Map(this.writerFields);
    this.plans = schema.columns.map((column) => {
      const fieldType = fields.get(column.name);
      return { column, fieldType, simple: fieldType !== undefined && column.singleValue && isSimpleAvroType(fieldType) };
    });
  }

  decode(message: StreamMessage): DecodeResult {
    const framed = this.reader.read(message.value);
    if (!framed.ok) return framed;
    const record = framed.value;
    const plans = this.plans;
    const row: DecodedRow = new Array<CellValue | null>(plans.length);
    const losses = this.losses;
    losses.reset();
    let i = 0;
    try {
      for (; i < plans.length; i++) {
        const plan = plans[i]!;
        if (plan.fieldType === undefined) {
          row[i] = null;
          continue;
        }
        const value = record[plan.column.name];
        losses.at(plan.column.name);
        if (value === null || value === undefined) row[i] = null;
        else if (plan.simple) row[i] = coerceScalar(plan.column.dataType, value, losses);
        else row[i] = avroCell(plan.column, plainAvroValue(value, plan.fieldType), losses);
      }
    } catch (e) {
      return { ok: false, error: `field ${JSON.stringify(plans[i]!.column.name)}: ${e instanceof Error ? e.message : String(e)}` };
    }
    const lossy = losses.take();
    return lossy === null ? { ok: true, row } : { ok: true, row, lossy };
  }

  /** Every field of the writer schema as plain values (longs as bigint), for ingestion transforms. */
  decodeFields(message: StreamMessage): DecodeFieldsResult {
    const framed = this.reader.read(message.value);
    if (!framed.ok) return framed;
    const fields: Record<string, unknown> = {};
    for (const [name, type] of this.writerFields) {
      try {
        fields[name] = plainAvroValue(framed.value[name], type);
      } catch (e) {
        return { ok: false, error: `field ${JSON.stringify(name)}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    return { ok: true, fields };
  }
}
