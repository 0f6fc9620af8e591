/** The raw decoder plugin (short name `raw`): the whole record in one STRING, JSON or BYTES column. */
export { createRawDecoder, RAW_COLUMN_KEY } from './raw-decoder.js';
