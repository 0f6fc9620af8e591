import type { CellValue } from '../../../config/data-type.js';
import type { TableSchema } from '../../../config/schema.js';
import { ShardtableError } from '../../../errors.js';
import type { DecodedRow, DecodeResult, DecoderSettings, StreamMessageDecoder } from '../../../spi/decoder.js';
import { DECODER_CLASS_NAME_KEY, decoderKey, decoderProperty } from '../../../spi/decoder.js';
import type { StreamMessage } from '../../../spi/message-batch.js';
import { coerceScalar } from '../coerce.js';
import { CoercionLosses } from '../coercion-losses.js';
import { isMetadataColumn, metadataPopulated } from '../metadata-columns.js';

/**
 * Key suffix (`stream.<type>.decoder.prop.column`) naming the column that receives the record;
 * default: the first column that is not record metadata.
 */
export const RAW_COLUMN_KEY = 'decoder.prop.column';

/**
 * The `raw` decoder: the whole record payload in one column, like Redshift's `kinesis_data`.
 * A BYTES column gets the bytes as they are; a STRING or JSON column gets them as UTF-8 text
 * (invalid UTF-8 is an error; a JSON column stores text that is not JSON as a JSON string). Every
 * other column is null unless record metadata fills it.
 *
 * @example
 *   createRawDecoder(schema, { keyPrefix: 'stream.kinesis.', properties: { 'stream.kinesis.decoder.prop.column': 'payload' } })
 */
export function createRawDecoder(schema: TableSchema, settings: DecoderSettings): StreamMessageDecoder {
  const columnKey = decoderKey(settings, RAW_COLUMN_KEY);
  const named = decoderProperty(settings, RAW_COLUMN_KEY)?.trim() ?? '';
  const skipMetadata = metadataPopulated(settings);
  let index: number;
  if (named !== '') {
    const found = schema.columnIndex.get(named);
    if (found === undefined) {
      throw new ShardtableError('STREAM_CONFIG', { detail: `${columnKey}: schema ${schema.name} has no column ${JSON.stringify(named)}` });
    }
    index = found;
  } else {
    index = schema.columns.findIndex((c) => !(skipMetadata && isMetadataColumn(c.name)));
    if (index < 0) throw new ShardtableError('STREAM_CONFIG', { detail: `${columnKey}: schema ${schema.name} has no column for the record` });
  }
  const column = schema.columns[index]!;
  const key = named !== '' ? columnKey : decoderKey(settings, DECODER_CLASS_NAME_KEY);
  if (!column.singleValue || (column.dataType !== 'STRING' && column.dataType !== 'BYTES' && column.dataType !== 'JSON')) {
    throw new ShardtableError('STREAM_CONFIG', {
      detail: `${key}: the raw decoder stores the record in column ${column.name}, which is ${column.singleValue ? '' : 'multi-value '}${column.dataType}; it must be a single-value STRING, JSON or BYTES column${named === '' ? ` (name another with ${columnKey})` : ''}`,
    });
  }
  return new RawDecoder(schema.columns.length, index, column.dataType === 'BYTES' ? null : column.dataType);
}

class RawDecoder implements StreamMessageDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly losses = new CoercionLosses();

  constructor(
    private readonly width: number,
    private readonly index: number,
    /** null for BYTES; otherwise the text column's type. */
    private readonly textType: 'STRING' | 'JSON' | null,
  ) {}

  decode(message: StreamMessage): DecodeResult {
    const row: DecodedRow = new Array<CellValue | null>(this.width).fill(null);
    if (this.textType === null) {
      row[this.index] = new Uint8Array(message.value);
      return { ok: true, row };
    }
    let text: string;
    try {
      text = this.utf8.decode(message.value);
    } catch {
      return { ok: false, error: 'record is not valid UTF-8' };
    }
    // JSON text is never coerced lossily: the losses are read only to keep the contract whole.
    this.losses.reset();
    row[this.index] = this.textType === 'STRING' ? text : coerceScalar('JSON', text, this.losses);
    const lossy = this.losses.take();
    return lossy === null ? { ok: true, row } : { ok: true, row, lossy };
  }
}
