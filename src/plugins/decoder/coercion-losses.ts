/**
 * The lossy coercions of one record: values a column type accepts only by changing them, as Pinot's
 * `PinotDataType` conversions do without a word (a fraction into INT/LONG/TIMESTAMP loses it, a
 * boolean becomes 1/0, a number other than 0/1 becomes BOOLEAN true, NaN becomes null, a number
 * beyond FLOAT/DOUBLE's range becomes infinity). Coercers store the lenient value and note it
 * here; the decoder reports the first note in `DecodeResult.lossy` (`src/spi/decoder.ts`), and the
 * partition applies the table's bad-record policy (`fail` stops, the others count it).
 *
 * One instance per decoder, reused for every record (decoding is synchronous, so records never
 * interleave): `reset` when a record starts, `at` before each column's values, `take` at the end.
 * Noting allocates only for the first lossy value of a record.
 *
 * @example
 *   losses.reset();
 *   losses.at('id');
 *   const v = coerceScalar('INT', 1.5, losses); // 1
 *   losses.take(); // 'field "id": lossy coercion of 1.5 to INT (fraction dropped: stored 1)'
 */
export class CoercionLosses {
  private column = '';
  private first: string | null = null;

  /** @param label how the decoder's messages name a value's place: `field` (JSON, Avro) or `column` (CSV). */
  constructor(private readonly label: 'field' | 'column' = 'field') {}

  /** A record starts: forget what an earlier (possibly failed) record noted. */
  reset(): void {
    this.first = null;
  }

  /** Names the column whose values are coerced next. */
  at(column: string): void {
    this.column = column;
  }

  /**
   * A coercer stored something other than the value: `what` reads `<value> to <TYPE> (<what was
   * stored>)`, e.g. `true to INT (a boolean: stored 1)`. Only the record's first note is kept.
   */
  lossy(what: string): void {
    if (this.first === null) this.first = `${this.label} ${JSON.stringify(this.column)}: lossy coercion of ${what}`;
  }

  /** The record's first lossy coercion, or null; cleared for the next record. */
  take(): string | null {
    const first = this.first;
    this.first = null;
    return first;
  }
}
