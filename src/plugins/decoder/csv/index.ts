/** The CSV decoder plugin (Pinot's `CSVMessageDecoder`; short name `csv`). */
export { createCsvDecoder, CSV_DELIMITER_KEY, CSV_HEADER_KEY, CSV_MULTI_VALUE_DELIMITER_KEY } from './csv-decoder.js';
export { parseCsvRecord } from './csv-parse.js';
export type { CsvParseResult } from './csv-parse.js';
