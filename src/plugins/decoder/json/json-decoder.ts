import type { CellValue, DataType, ScalarValue } from '../../../config/data-type.js';
import type { TableSchema } from '../../../config/schema.js';
import type { DecodedRow, DecodeResult, StreamMessageDecoder } from '../../../spi/decoder.js';
import type { StreamMessage } from '../../../spi/message-batch.js';
import type { ScalarCoercer } from '../coerce.js';
import { CoercionError, NEEDS_SOURCE, scalarCoercerFor } from '../coerce.js';
import { CoercionLosses } from '../coercion-losses.js';
import { minifyJsonText } from '../coerce-json-text.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { arrayElementSources, topLevelValueSource } from './json-source.js';

/**
 * Decodes JSON records (Pinot's `JSONMessageDecoder`): one JSON object per record, top-level keys
 * matched to schema column names. Keys not in the schema are ignored.
 *
 * How it stays both exact and fast: `JSON.parse` (native) parses the record; each column's value is
 * coerced by a per-type coercer chosen once per schema. Only values whose exact text matters — an
 * integer beyond 2^53 in a LONG/TIMESTAMP/STRING column, any number in a BIG_DECIMAL column, an
 * object or array stored as JSON text — are re-read from the record's source text.
 *
 * Cells: `null` when the key is absent or null. A single-value column given an array follows
 * Pinot's `DataTypeTransformer`: nulls are dropped, `[]` is null, `[x]` is `x`, more values are an
 * error (JSON columns take the whole array as JSON text). A multi-value column given a scalar holds
 * one value; `[]` or an array of nulls is null.
 *
 * Lossy coercions (`1.5` into INT, `true` into INT, `"NaN"` into DOUBLE...) store Pinot's value and
 * are reported in `lossy`, naming the first such field (docs/decoders.md, "Lossy coercions").
 *
 * Never throws: bad UTF-8, malformed or truncated JSON, a non-object record, nesting deeper than
 * {@link MAX_JSON_DEPTH} or a value a column cannot hold give `{ ok: false, error }`, e.g.
 * `field "price": "abc" is not a DOUBLE`.
 *
 * Not re-entrant across threads, but stateless between calls: one decoder per partition loop.
 *
 * The `switch (fast[i])` in `decode` writes out one fast path per common column type on purpose
 * (docs/decisions.md, "Per-type kernels"): it runs for every field of every record, and each case
 * is the type's own test inline; a helper per type would be a call per field.
 *
 * @example
 *   const decoder = createJsonDecoder(buildTableSchema(pinotSchema));
 *   const result = decoder.decode(message);
 *   if (result.ok) segment.index(result.row); else errors.count(result.error);
 */
export function createJsonDecoder(schema: TableSchema): StreamMessageDecoder {
  return new JsonDecoder(schema);
}

function recordKind(value: unknown): string {
  if (Array.isArray(value)) return 'a JSON array';
  if (value === null) return 'JSON null';
  return `a JSON ${typeof value}`;
}

function failure(error: string): DecodeResult {
  return { ok: false, error };
}

function messageOf(e: unknown): string {
  if (e instanceof CoercionError) return e.message;
  return `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

/** Source form a coercer expects: number literals as written, objects and arrays compacted. */
function sourceForm(value: unknown, raw: string | undefined): string {
  if (raw === undefined) return typeof value === 'number' ? String(value) : JSON.stringify(value);
  return typeof value === 'object' ? minifyJsonText(raw) : raw;
}

const NO_FAST = 0;
const FAST_STRING = 1;
const FAST_INT = 2;
const FAST_DOUBLE = 3;
const FAST_LONG = 4;
const FAST_BOOLEAN = 5;
const FAST_PATH_BY_TYPE: Partial<Record<DataType, number>> = {
  STRING: FAST_STRING,
  INT: FAST_INT,
  DOUBLE: FAST_DOUBLE,
  LONG: FAST_LONG,
  TIMESTAMP: FAST_LONG,
  BOOLEAN: FAST_BOOLEAN,
};

class JsonDecoder implements StreamMessageDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly names: readonly string[];
  private readonly coercers: readonly ScalarCoercer[];
  private readonly singleValue: readonly boolean[];
  /** Single-value JSON columns store an array whole, as JSON text. */
  private readonly arrayAsJson: readonly boolean[];
  /** Per column: which inline fast path applies (single-value columns of common types only). */
  private readonly fast: Uint8Array;
  /** Names such as `constructor` or `toString` that a plain lookup would find on Object.prototype. */
  private readonly inherited: readonly boolean[];
  private readonly losses = new CoercionLosses();

  constructor(schema: TableSchema) {
    this.names = schema.columns.map((c) => c.name);
    this.coercers = schema.columns.map((c) => scalarCoercerFor(c.dataType));
    this.singleValue = schema.columns.map((c) => c.singleValue);
    this.arrayAsJson = schema.columns.map((c) => c.singleValue && c.dataType === 'JSON');
    this.inherited = schema.columns.map((c) => c.name in Object.prototype);
    this.fast = Uint8Array.from(schema.columns, (c) => (c.singleValue ? FAST_PATH_BY_TYPE[c.dataType] ?? NO_FAST : NO_FAST));
  }

  decode(message: StreamMessage): DecodeResult {
    const bytes = message.value;
    let text: string;
    try {
      text = this.utf8.decode(bytes);
    } catch {
      return failure('record is not valid UTF-8');
    }
    if (exceedsJsonDepth(bytes, text, MAX_JSON_DEPTH)) {
      return failure(`record nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return failure(`record is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return failure(`record is ${recordKind(parsed)}, not a JSON object`);
    }
    const record = parsed as Record<string, unknown>;
    const names = this.names;
    const fast = this.fast;
    const n = names.length;
    const row: DecodedRow = new Array<CellValue | null>(n);
    const losses = this.losses;
    losses.reset();
    let i = 0;
    try {
      for (; i < n; i++) {
        const name = names[i]!;
        const value = this.inherited[i] && !Object.hasOwn(record, name) ? undefined : record[name];
        if (value === undefined || value === null) {
          row[i] = null;
          continue;
        }
        // Inline fast paths for the values most records carry; everything else goes through the
        // column's coercer. Each branch yields exactly what the coercer would.
        switch (fast[i]) {
          case FAST_STRING:
            if (typeof value === 'string') {
              row[i] = value;
              continue;
            }
            break;
          case FAST_INT:
            if (typeof value === 'number' && (value | 0) === value) {
              row[i] = value | 0;
              continue;
            }
            break;
          case FAST_DOUBLE:
            if (typeof value === 'number' && Number.isFinite(value)) {
              row[i] = value;
              continue;
            }
            break;
          case FAST_LONG:
            if (typeof value === 'number' && Number.isSafeInteger(value)) {
              row[i] = BigInt(value);
              continue;
            }
            break;
          case FAST_BOOLEAN:
            if (typeof value === 'boolean') {
              row[i] = value ? 1 : 0;
              continue;
            }
            break;
        }
        losses.at(name);
        row[i] = this.singleValue[i] ? this.single(i, value, text) : this.multi(i, value, text);
      }
    } catch (e) {
      return failure(`field ${JSON.stringify(names[i])}: ${messageOf(e)}`);
    }
    const lossy = losses.take();
    return lossy === null ? { ok: true, row } : { ok: true, row, lossy };
  }

  private single(i: number, value: unknown, text: string): ScalarValue | null {
    if (Array.isArray(value) && !this.arrayAsJson[i]) return this.unwrapSingle(i, value, text);
    const coercer = this.coercers[i]!;
    const converted = coercer.fromValue(value, this.losses);
    if (converted !== NEEDS_SOURCE) return converted;
    return coercer.fromSource(value, sourceForm(value, topLevelValueSource(text, this.names[i]!)), this.losses);
  }

  /** Pinot's standardize: drop nulls; none → null; one → that value; more → error. */
  private unwrapSingle(i: number, values: readonly unknown[], text: string): ScalarValue | null {
    let only = -1;
    let count = 0;
    for (let k = 0; k < values.length; k++) {
      if (values[k] !== null) {
        count++;
        only = k;
      }
    }
    if (count === 0) return null;
    if (count > 1) {
      throw new CoercionError(`an array of ${count} values cannot be stored in a single-value column`);
    }
    const value = values[only];
    const coercer = this.coercers[i]!;
    const converted = coercer.fromValue(value, this.losses);
    if (converted !== NEEDS_SOURCE) return converted;
    const elements = arrayElementSources(topLevelValueSource(text, this.names[i]!) ?? '[]');
    return coercer.fromSource(value, sourceForm(value, elements[only]), this.losses);
  }

  private multi(i: number, value: unknown, text: string): ScalarValue[] | null {
    const coercer = this.coercers[i]!;
    if (!Array.isArray(value)) {
      let converted = coercer.fromValue(value, this.losses);
      if (converted === NEEDS_SOURCE) converted = coercer.fromSource(value, sourceForm(value, topLevelValueSource(text, this.names[i]!)), this.losses);
      return converted === null ? null : [converted];
    }
    const out: ScalarValue[] = [];
    const strings = coercer.type === 'STRING';
    let elements: string[] | undefined;
    for (let k = 0; k < value.length; k++) {
      const element: unknown = value[k];
      if (element === null) continue;
      if (strings && typeof element === 'string') {
        out.push(element);
        continue;
      }
      try {
        let converted = coercer.fromValue(element, this.losses);
        if (converted === NEEDS_SOURCE) {
          elements ??= arrayElementSources(topLevelValueSource(text, this.names[i]!) ?? '[]');
          converted = coercer.fromSource(element, sourceForm(element, elements[k]), this.losses);
        }
        // NaN (null) is dropped from a multi-value column, as Pinot's SpecialValueTransformer does.
        if (converted !== null) out.push(converted);
      } catch (e) {
        throw new CoercionError(`element ${k}: ${messageOf(e)}`);
      }
    }
    return out.length === 0 ? null : out;
  }
}
