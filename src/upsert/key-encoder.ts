import type { CellValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { KeyIndex } from './key-index.js';
import { primaryKeyOf } from './record-keys.js';

const NUMBER_TYPES = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP', 'BOOLEAN']);
const SAFE = 9007199254740991n;
const NEG_SAFE = -9007199254740991n;
const UTF8 = new TextEncoder();

/**
 * Sets a {@link KeyIndex} probe to a row's primary key, allocating nothing on the common paths:
 * one numeric column → a number (a LONG beyond ±2^53 → its decimal digits as bytes), one STRING
 * column → its UTF-8 bytes, one BYTES column → the bytes, several columns → the UTF-8 bytes of
 * {@link primaryKeyOf} (typed, NUL-joined). A missing key cell counts as the column's default.
 *
 * @example
 *   const encoder = new KeyEncoder(schema, [0]);
 *   encoder.probe(index, row);
 *   const id = index.find();
 */
export class KeyEncoder {
  private readonly single: number;
  private readonly numeric: boolean;

  constructor(
    private readonly schema: TableSchema,
    private readonly columns: readonly number[],
  ) {
    this.single = columns.length === 1 ? columns[0]! : -1;
    this.numeric = this.single >= 0 && NUMBER_TYPES.has(schema.columns[this.single]!.dataType);
  }

  probe(index: KeyIndex, row: readonly (CellValue | null)[]): void {
    if (this.single < 0) return this.probeString(index, primaryKeyOf(this.columns.map((i) => this.cell(row, i))));
    const value = this.cell(row, this.single);
    if (this.numeric) {
      if (typeof value === 'number') return index.probeNumber(value);
      if (typeof value === 'bigint') {
        if (value >= NEG_SAFE && value <= SAFE) return index.probeNumber(Number(value));
        return this.probeString(index, value.toString());
      }
    }
    if (typeof value === 'string') return this.probeString(index, value);
    if (value instanceof Uint8Array) {
      index.reserveProbe(value.length).set(value);
      return index.probeBytesOf(value.length);
    }
    this.probeString(index, primaryKeyOf([value]));
  }

  private cell(row: readonly (CellValue | null)[], i: number): CellValue {
    return row[i] ?? this.schema.columns[i]!.defaultNullValue;
  }

  private probeString(index: KeyIndex, text: string): void {
    let bytes = index.probeBytes;
    if (bytes.length < text.length * 3) bytes = index.reserveProbe(text.length * 3);
    // ASCII by hand (no result object per key); anything else through the encoder.
    const n = text.length;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[i] = c;
    }
    index.probeBytesOf(i === n ? n : UTF8.encodeInto(text, bytes).written);
  }
}
