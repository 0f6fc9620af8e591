import type { StreamOffset, StreamOffsetFactory } from '../../../spi/offset.js';

/** Kinesis sequence numbers are decimal strings of up to 128 digits. */
const SEQUENCE = /^(0|[1-9][0-9]{0,127})$/;
/** KPL sub-sequence numbers (position inside an aggregated record). */
const SUB_SEQUENCE = /^(0|[1-9][0-9]{0,15})$/;

/**
 * A position in one Kinesis shard: the record's sequence number, plus a sub-sequence number when
 * the record came out of a KPL-aggregated record (for later de-aggregation).
 *
 * Sequence numbers are compared as BigInt, never as text: `"9" > "10"` as text.
 * Persisted form (pinned by a round-trip test, never changes): `"<seq>"` or `"<seq>:<sub>"`.
 *
 * @example
 *   const offset = KinesisOffset.parse('49590338271490256608559692538361571095921575989136588898');
 *   offset.compareTo(KinesisOffset.parse('49590338271490256608559692538361571095921575989136588898:3')) < 0;
 */
export class KinesisOffset implements StreamOffset {
  /** The sequence number as Kinesis prints it (canonical decimal, no leading zeros). */
  readonly sequenceNumber: string;
  readonly sequence: bigint;
  /** Position inside an aggregated record; undefined for plain records. */
  readonly subSequence: number | undefined;

  constructor(sequenceNumber: string, subSequence?: number) {
    if (!SEQUENCE.test(sequenceNumber)) {
      throw new Error(`not a Kinesis sequence number: ${JSON.stringify(sequenceNumber)} (expected up to 128 decimal digits)`);
    }
    if (subSequence !== undefined && !(Number.isSafeInteger(subSequence) && subSequence >= 0)) {
      throw new Error(`not a sub-sequence number: ${String(subSequence)}`);
    }
    this.sequenceNumber = sequenceNumber;
    this.sequence = BigInt(sequenceNumber);
    this.subSequence = subSequence;
    Object.freeze(this);
  }

  /** Rebuilds an offset from its persisted form; throws on anything else. */
  static parse(text: string): KinesisOffset {
    const colon = text.indexOf(':');
    if (colon < 0) return new KinesisOffset(text);
    const sub = text.slice(colon + 1);
    if (!SUB_SEQUENCE.test(sub)) throw new Error(`not a Kinesis offset: ${JSON.stringify(text)} (bad sub-sequence number)`);
    return new KinesisOffset(text.slice(0, colon), Number(sub));
  }

  /**
   * Orders by sequence number, then sub-sequence number; a plain record (no sub-sequence) sorts
   * before every sub-record of the same sequence number.
   */
  compareTo(other: StreamOffset): number {
    if (!(other instanceof KinesisOffset)) throw new TypeError(`cannot compare a Kinesis offset with ${String(other)}`);
    if (this.sequence !== other.sequence) return this.sequence < other.sequence ? -1 : 1;
    return (this.subSequence ?? -1) - (other.subSequence ?? -1);
  }

  equals(other: StreamOffset | null | undefined): boolean {
    return other instanceof KinesisOffset && this.compareTo(other) === 0;
  }

  toString(): string {
    return this.subSequence === undefined ? this.sequenceNumber : `${this.sequenceNumber}:${this.subSequence}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** `offset` as a `KinesisOffset` (another `StreamOffset` is parsed from its string form). */
export function toKinesisOffset(offset: StreamOffset): KinesisOffset {
  return offset instanceof KinesisOffset ? offset : KinesisOffset.parse(offset.toString());
}

/**
 * Whether a consumer's cursor — the offset its open iterator or subscription continues after;
 * undefined = none open, null = the starting position — continues after `position` (null = the
 * starting position), so a fetch from `position` can use it.
 */
export function cursorIsAt(cursor: KinesisOffset | null | undefined, position: KinesisOffset | null): boolean {
  if (cursor === undefined) return false;
  if (position === null || cursor === null) return position === cursor;
  return cursor.equals(position);
}

/** The Kinesis `StreamOffsetFactory`: `parse(offset.toString())` equals `offset`. */
export const kinesisOffsetFactory: StreamOffsetFactory = Object.freeze({
  parse: (text: string): KinesisOffset => KinesisOffset.parse(text),
});
