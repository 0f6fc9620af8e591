/**
 * Pinot's CSV record reader rules (`CSVRecordReader` + `CSVRecordExtractor`, Apache Commons CSV
 * underneath), turning CSV text into the JSON records Pinot's compat verifier produces into a
 * stream (`StreamOp`: `GenericRow` → JSON object, values as the reader saw them):
 *
 * - the header comes from the record reader config (`header`, split on `delimiter`); without one
 *   the first record is the header;
 * - a line whose first character is the `commentMarker` is a comment; blank lines are skipped;
 * - fields follow RFC 4180 quoting (`"a,b"`, `""` for a quote inside quotes);
 * - only header columns are extracted: extra trailing cells (`..., # comment`) are not data;
 * - an empty or missing cell is null;
 * - a cell containing the multi-value delimiter (`;` by default) is an array of its non-empty
 *   parts; any other cell is the string as written (types are the decoder's job, as in Pinot).
 *
 * The `__GENERATION_NUMBER__` token is replaced in the raw text before parsing, as Pinot's
 * verifier does (`Utils.replaceContent`), so it applies to data cells alike.
 */

export interface CsvReaderConfig {
  /** Column names joined by `delimiter`; absent → first record is the header. */
  readonly header?: string;
  readonly delimiter?: string;
  readonly multiValueDelimiter?: string;
  readonly commentMarker?: string;
}

export type CsvValue = string | string[] | null;
export type CsvRecord = Record<string, CsvValue>;

export const GENERATION_NUMBER_PLACEHOLDER = '__GENERATION_NUMBER__';

/** Replaces every `__GENERATION_NUMBER__` with `generation` (data files and queries alike). */
export function replaceGenerationNumber(text: string, generation: number): string {
  return text.split(GENERATION_NUMBER_PLACEHOLDER).join(String(generation));
}

/** Splits CSV text into records of raw cells (quotes removed), skipping comment and blank lines. */
export function parseCsvCells(text: string, delimiter = ',', commentMarker?: string): string[][] {
  const records: string[][] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    // At the start of a record: comment line or blank line?
    if (commentMarker !== undefined && text.startsWith(commentMarker, pos)) {
      const eol = text.indexOf('\n', pos);
      pos = eol === -1 ? n : eol + 1;
      continue;
    }
    if (text[pos] === '\n' || (text[pos] === '\r' && text[pos + 1] === '\n')) {
      pos += text[pos] === '\r' ? 2 : 1;
      continue;
    }
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let endOfRecord = false;
    while (!endOfRecord) {
      if (pos >= n) {
        cells.push(cell);
        break;
      }
      const c = text[pos]!;
      if (quoted) {
        if (c === '"') {
          if (text[pos + 1] === '"') {
            cell += '"';
            pos += 2;
          } else {
            quoted = false;
            pos++;
          }
        } else {
          cell += c;
          pos++;
        }
        continue;
      }
      if (c === '"' && cell === '') {
        quoted = true;
        pos++;
      } else if (text.startsWith(delimiter, pos)) {
        cells.push(cell);
        cell = '';
        pos += delimiter.length;
      } else if (c === '\n' || (c === '\r' && text[pos + 1] === '\n')) {
        cells.push(cell);
        pos += c === '\r' ? 2 : 1;
        endOfRecord = true;
      } else {
        cell += c;
        pos++;
      }
    }
    records.push(cells);
  }
  return records;
}

/** CSV text → records keyed by header column, following Pinot's CSV extractor (see file comment). */
export function csvToRecords(text: string, config: CsvReaderConfig = {}): CsvRecord[] {
  const delimiter = config.delimiter ?? ',';
  const mvDelimiter = config.multiValueDelimiter ?? ';';
  const rows = parseCsvCells(text, delimiter, config.commentMarker);
  let header: string[];
  if (config.header !== undefined) {
    header = config.header.split(delimiter).map((h) => h.trim());
  } else {
    header = rows.shift() ?? [];
  }
  return rows.map((cells) => {
    const record: CsvRecord = {};
    header.forEach((name, i) => {
      const value = cells[i];
      if (value === undefined || value === '') record[name] = null;
      else if (value.includes(mvDelimiter)) record[name] = value.split(mvDelimiter).filter((part) => part !== '');
      else record[name] = value;
    });
    return record;
  });
}

/**
 * The first `numRows` records, rewinding to the first record when the file runs out — what
 * Pinot's `StreamOp` does for `numRows` larger than the file (66 rows from a 10-row file).
 */
export function cycleRecords<T>(records: readonly T[], numRows: number): T[] {
  if (records.length === 0) throw new Error('no records to cycle');
  return Array.from({ length: numRows }, (_, i) => records[i % records.length]!);
}
