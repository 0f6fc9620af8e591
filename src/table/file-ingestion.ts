import { parse as parseCsv } from 'csv-parse/sync';
import type { TableSchema } from '../config/schema.js';
import { ShardtableError } from '../errors.js';
import type { ResolvedTable } from '../ingest/resolved-table.js';
import type { RecordToPut } from '../spi/stream-plugin.js';

/**
 * `POST /ingestFromFile` (Pinot's controller endpoint): the rows of a CSV or JSON file become
 * records of the table's stream, so they reach the table the way every row does (decoder,
 * transforms, upsert, seals, exactly-once) and a dimension table's `lookUp()` sees them once
 * consumed. Pinot builds an offline segment from the file; shardtable tables are realtime only,
 * so the stream is the one way in (docs/query.md, "Dimension tables and joins").
 */

/** Pinot's `batchConfigMapStr`: the keys read here; others (file systems, segment names) are ignored. */
export interface FileBatchConfig {
  readonly inputFormat: 'csv' | 'json';
  /** CSV: the cell delimiter (`recordReader.prop.delimiter`, default `,`). */
  readonly delimiter: string;
  /** CSV: the separator of a multi-value cell (`recordReader.prop.multiValueDelimiter`, default `;`). */
  readonly multiValueDelimiter: string;
  /** CSV: the column names when the file has no header line (`recordReader.prop.header`). */
  readonly header: readonly string[] | null;
  /** CSV: lines starting with this are skipped (`recordReader.prop.commentMarker`). */
  readonly commentMarker: string | null;
}

const bad = (detail: string): ShardtableError => new ShardtableError('BAD_REQUEST', { detail });

/** Reads `batchConfigMapStr` (a JSON object of string values, as Pinot takes it). */
export function parseBatchConfig(text: string | undefined): FileBatchConfig {
  if (text === undefined || text.trim() === '') throw bad('batchConfigMapStr is required, e.g. {"inputFormat":"csv"} or {"inputFormat":"json"}');
  let map: unknown;
  try {
    map = JSON.parse(text);
  } catch (err) {
    throw bad(`batchConfigMapStr is not JSON: ${(err as Error).message}`);
  }
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw bad('batchConfigMapStr must be a JSON object of string values');
  const get = (key: string): string | undefined => {
    const v = (map as Record<string, unknown>)[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw bad(`batchConfigMapStr: ${key} must be a string`);
    return v;
  };
  const format = (get('inputFormat') ?? '').toLowerCase();
  if (format !== 'csv' && format !== 'json') throw bad(`batchConfigMapStr: inputFormat ${JSON.stringify(get('inputFormat') ?? null)} is not supported; shardtable reads "csv" and "json" (JSON lines or one array of objects)`);
  const delimiter = get('recordReader.prop.delimiter') ?? ',';
  const multiValueDelimiter = get('recordReader.prop.multiValueDelimiter') ?? ';';
  if (delimiter.length !== 1) throw bad('batchConfigMapStr: recordReader.prop.delimiter must be one character');
  const header = get('recordReader.prop.header');
  return {
    inputFormat: format,
    delimiter,
    multiValueDelimiter,
    header: header === undefined ? null : header.split(delimiter).map((h) => h.trim()),
    commentMarker: get('recordReader.prop.commentMarker') ?? null,
  };
}

/**
 * The file's rows as JSON records. CSV (Pinot's CSV record reader rules): the header line (or
 * `header`) names the fields, an empty cell is no value, a cell holding the multi-value delimiter
 * is an array of its non-empty parts, every value is text (the table's decoder types it). JSON:
 * one array of objects, or one object a line.
 */
export function fileRecords(text: string, config: FileBatchConfig): Record<string, unknown>[] {
  if (config.inputFormat === 'json') return jsonRecords(text);
  let rows: string[][];
  try {
    rows = parseCsv(text, { delimiter: config.delimiter, comment: config.commentMarker ?? undefined, skip_empty_lines: true, relax_column_count: true, bom: true });
  } catch (err) {
    throw bad(`the CSV file cannot be read: ${(err as Error).message}`);
  }
  const header = config.header ?? rows.shift()?.map((h) => h.trim());
  if (header === undefined || header.length === 0) throw bad('the CSV file has no header line (or send recordReader.prop.header)');
  return rows.map((row, i) => {
    if (row.length !== header.length) throw bad(`CSV record ${i + 1} has ${row.length} cells; the header names ${header.length}`);
    const record: Record<string, unknown> = {};
    header.forEach((name, k) => {
      const cell = row[k]!;
      if (cell === '') return;
      record[name] = cell.includes(config.multiValueDelimiter) ? cell.split(config.multiValueDelimiter).filter((p) => p !== '') : cell;
    });
    return record;
  });
}

function jsonRecords(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (trimmed.startsWith('[')) {
    let all: unknown;
    try {
      all = JSON.parse(trimmed);
    } catch (err) {
      throw bad(`the JSON file is not valid JSON: ${(err as Error).message}`);
    }
    (all as unknown[]).forEach((r, i) => {
      if (!isObject(r)) throw bad(`JSON record ${i + 1} is not an object`);
    });
    return all as Record<string, unknown>[];
  }
  const out: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (err) {
      throw bad(`line ${i + 1} of the JSON file is not valid JSON: ${(err as Error).message}`);
    }
    if (!isObject(r)) throw bad(`line ${i + 1} of the JSON file is not a JSON object`);
    out.push(r);
  });
  return out;
}

/**
 * The records as the table's stream takes them: JSON bytes, keyed by the primary key's values
 * (so one key's rows stay in one shard, in file order), or by their position without one.
 */
export function recordsToPut(records: readonly Record<string, unknown>[], schema: TableSchema): RecordToPut[] {
  const encoder = new TextEncoder();
  const pk = schema.primaryKeyColumns;
  return records.map((r, i) => {
    let key = String(i);
    if (pk.length > 0) {
      const missing = pk.find((c) => r[c] === undefined || r[c] === null);
      if (missing !== undefined) throw bad(`record ${i + 1} has no value for primary key column ${missing}`);
      key = pk.map((c) => String(r[c])).join('|').slice(0, 256) || '-';
    }
    return { data: encoder.encode(JSON.stringify(r)), partitionKey: key };
  });
}

/** Writes a file's rows into the table's first stream; returns how many records were written. */
export async function ingestFile(table: ResolvedTable, text: string, config: FileBatchConfig): Promise<{ records: number; stream: string }> {
  const stream = table.config.stream;
  const plugin = table.stream.plugin;
  if (plugin.putRecords === undefined) throw bad(`table ${table.config.tableName} reads a ${stream.streamType} stream, which takes no writes; load its rows at the source`);
  if (stream.decoderName !== 'json') throw bad(`table ${table.config.tableName} decodes its stream with ${stream.decoderName}; ingestFromFile writes JSON records, so it needs the JSON decoder`);
  const records = recordsToPut(fileRecords(text, config), table.schema);
  if (records.length === 0) throw bad('the file holds no records');
  const written = await plugin.putRecords(table.stream.settings, records, { tableName: table.config.tableName });
  return { records: written, stream: stream.topicName };
}
