/**
 * A position in one partition of a stream (Pinot's `StreamPartitionMsgOffset`).
 *
 * Offsets are opaque to ingestion: it only compares them and persists them as strings. The string
 * form never changes once written into a segment file; `StreamOffsetFactory.parse` rebuilds it.
 *
 * @example
 *   const a = factory.parse('49590338271490256608559692538361571095921575989136588898');
 *   if (a.compareTo(b) < 0) { ... }
 */
export interface StreamOffset {
  /** Negative, zero or positive, as this offset is before, equal to or after `other`. */
  compareTo(other: StreamOffset): number;
  /** The persisted form; `factory.parse(offset.toString())` equals `offset`. */
  toString(): string;
}

/** Rebuilds offsets from their persisted string form. Throws on text that is not an offset. */
export interface StreamOffsetFactory {
  parse(text: string): StreamOffset;
}
