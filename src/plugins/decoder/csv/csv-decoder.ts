import type { CellValue, ScalarValue } from '../../../config/data-type.js';
import type { ColumnSpec, TableSchema } from '../../../config/schema.js';
import { ShardtableError } from '../../../errors.js';
import type { DecodedRow, DecodeFieldsResult, DecodeResult, DecoderSettings, StreamMessageDecoder } from '../../../spi/decoder.js';
import { decoderKey, decoderProperty } from '../../../spi/decoder.js';
import type { StreamMessage } from '../../../spi/message-batch.js';
import { CoercionError, coerceScalar } from '../coerce.js';
import { CoercionLosses } from '../coercion-losses.js';
import { isMetadataColumn, metadataPopulated } from '../metadata-columns.js';
import { parseCsvRecord } from './csv-parse.js';

/** Key suffixes, read under the stream type's prefix (`stream.kinesis.decoder.prop.delimiter`). */
export const CSV_DELIMITER_KEY = 'decoder.prop.delimiter';
export const CSV_HEADER_KEY = 'decoder.prop.header';
export const CSV_MULTI_VALUE_DELIMITER_KEY = 'decoder.prop.multiValueDelimiter';

/** Names for delimiters that are awkward to write in JSON, as Pinot's CSV reader accepts `\t`. */
const NAMED_DELIMITERS: Readonly<Record<string, string>> = { '\\t': '\t', tab: '\t', TAB: '\t' };

function configError(settings: DecoderSettings, suffix: string, problem: string): ShardtableError {
  return new ShardtableError('STREAM_CONFIG', { detail: `${decoderKey(settings, suffix)}: ${problem}` });
}

function singleCharacter(settings: DecoderSettings, suffix: string, fallback: string): string {
  const raw = decoderProperty(settings, suffix);
  if (raw === undefined || raw === '') return fallback;
  const value = NAMED_DELIMITERS[raw] ?? raw;
  if (value.length !== 1) throw configError(settings, suffix, `must be a single character, got ${JSON.stringify(raw)}`);
  if (value === '"' || value === '\n' || value === '\r') throw configError(settings, suffix, `cannot be ${JSON.stringify(value)}`);
  return value;
}

/**
 * Decodes CSV records (Pinot's `CSVMessageDecoder`): one Kinesis record is one CSV line.
 *
 * Settings (under the stream type's prefix, `stream.<type>.decoder.prop.*`): `...prop.delimiter` (one character, default `,`; `\t` for tab), `...prop.header`
 * (the column names of the values, comma-separated; default: the schema's columns in order, without
 * record metadata columns when those are populated), `...prop.multiValueDelimiter` (default `;`,
 * splits values of multi-value columns only). Quoting per RFC 4180.
 *
 * Cells: an empty unquoted value is null (as Pinot's CSV extractor); a quoted empty value is the
 * empty string in STRING columns and null elsewhere. Header names not in the schema are ignored.
 * Lossy coercions (`"NaN"` or `"1e400"` into DOUBLE) are reported in `lossy` (docs/decoders.md).
 * Never throws: invalid UTF-8, unbalanced quotes, a value count that differs from the header or a
 * value a column cannot hold give `{ ok: false, error }` naming the column.
 *
 * @example
 *   const properties = { 'stream.kinesis.decoder.prop.header': 'id,name' };
 *   const decoder = createCsvDecoder(schema, { keyPrefix: 'stream.kinesis.', properties });
 *   decoder.decode(message); // "7,ann" → { ok: true, row: [7, 'ann'] }
 */
export function createCsvDecoder(schema: TableSchema, settings: DecoderSettings): StreamMessageDecoder {
  const delimiter = singleCharacter(settings, CSV_DELIMITER_KEY, ',');
  const multiValueDelimiter = singleCharacter(settings, CSV_MULTI_VALUE_DELIMITER_KEY, ';');
  const headerText = decoderProperty(settings, CSV_HEADER_KEY)?.trim() ?? '';
  let header: string[];
  if (headerText === '') {
    const skipMetadata = metadataPopulated(settings);
    header = schema.columns.filter((c) => !(skipMetadata && isMetadataColumn(c.name))).map((c) => c.name);
  } else {
    header = headerText.split(',').map((name) => name.trim());
    const empty = header.findIndex((name) => name === '');
    if (empty >= 0) throw configError(settings, CSV_HEADER_KEY, `column name ${empty + 1} is empty`);
    const seen = new Set<string>();
    for (const name of header) {
      if (seen.has(name)) throw configError(settings, CSV_HEADER_KEY, `column ${JSON.stringify(name)} appears twice`);
      seen.add(name);
    }
  }
  return new CsvDecoder(schema, header, delimiter, multiValueDelimiter);
}

class CsvDecoder implements StreamMessageDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  /** Per header position: the schema column index, or -1 (ignored). */
  private readonly targets: readonly number[];
  private readonly columns: readonly ColumnSpec[];
  private readonly losses = new CoercionLosses('column');

  constructor(
    schema: TableSchema,
    private readonly header: readonly string[],
    private readonly delimiter: string,
    private readonly multiValueDelimiter: string,
  ) {
    this.columns = schema.columns;
    this.targets = header.map((name) => schema.columnIndex.get(name) ?? -1);
  }

  /** UTF-8 check, CSV parse and the header-length check that both reads share. */
  private split(message: StreamMessage): { ok: true; values: string[]; quoted: boolean[] } | { ok: false; error: string } {
    let text: string;
    try {
      text = this.utf8.decode(message.value);
    } catch {
      return { ok: false, error: 'record is not valid UTF-8' };
    }
    const parsed = parseCsvRecord(text, this.delimiter);
    if (!parsed.ok) return { ok: false, error: `CSV record: ${parsed.error}` };
    const { values, quoted } = parsed;
    if (values.length !== this.header.length) {
      return {
        ok: false,
        error: `CSV record has ${values.length} value${values.length === 1 ? '' : 's'}, the header has ${this.header.length} columns (${this.header.join(',')})`,
      };
    }
    return { ok: true, values, quoted };
  }

  decode(message: StreamMessage): DecodeResult {
    const parsed = this.split(message);
    if (!parsed.ok) return parsed;
    const { values, quoted } = parsed;
    const row: DecodedRow = new Array<CellValue | null>(this.columns.length).fill(null);
    this.losses.reset();
    for (let k = 0; k < values.length; k++) {
      const target = this.targets[k]!;
      if (target < 0) continue;
      const column = this.columns[target]!;
      this.losses.at(column.name);
      try {
        row[target] = this.cell(column, values[k]!, quoted[k]!);
      } catch (e) {
        return { ok: false, error: `column ${JSON.stringify(column.name)}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    const lossy = this.losses.take();
    return lossy === null ? { ok: true, row } : { ok: true, row, lossy };
  }

  /**
   * The record's values by header name, for ingestion transforms: text as given (empty = absent),
   * split on the multi-value delimiter where the header names a multi-value schema column.
   */
  decodeFields(message: StreamMessage): DecodeFieldsResult {
    const parsed = this.split(message);
    if (!parsed.ok) return parsed;
    const fields: Record<string, unknown> = {};
    for (let k = 0; k < this.header.length; k++) {
      const value = parsed.values[k]!;
      if (value === '' && !parsed.quoted[k]) continue;
      const target = this.targets[k]!;
      const multi = target >= 0 && !this.columns[target]!.singleValue;
      fields[this.header[k]!] = multi ? value.split(this.multiValueDelimiter).filter((v) => v !== '') : value;
    }
    return { ok: true, fields };
  }

  private cell(column: ColumnSpec, text: string, quoted: boolean): CellValue | null {
    if (text === '') return quoted && column.singleValue && column.dataType === 'STRING' ? '' : null;
    if (column.singleValue) return coerceScalar(column.dataType, text, this.losses);
    const out: ScalarValue[] = [];
    const parts = text.split(this.multiValueDelimiter);
    for (let k = 0; k < parts.length; k++) {
      if (parts[k] === '') continue;
      try {
        const converted = coerceScalar(column.dataType, parts[k], this.losses);
        if (converted !== null) out.push(converted);
      } catch (e) {
        throw new CoercionError(`element ${k}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return out.length === 0 ? null : out;
  }
}
