import { ShardtableError } from '../../errors.js';
import type { ZstdCodec } from '../codecs/zstd-codec.js';
import type { SectionRef } from '../format/footer.js';
import { decodeSection, sectionBytes } from '../format/section-io.js';
import { reportCorruptSegment } from './corruption-reports.js';
import type { SegmentSource } from './segment-source.js';

/** What every lazy read of one open segment file needs. */
export class ReadContext {
  constructor(
    readonly path: string,
    readonly source: SegmentSource,
    readonly frameRawBytes: number,
    readonly docsPerBlock: number,
    readonly zstd: ZstdCodec,
  ) {}

  /** `SEGMENT_CORRUPT` for this file. */
  corrupt(detail: string, cause?: unknown): ShardtableError {
    return new ShardtableError('SEGMENT_CORRUPT', { path: this.path, detail }, cause === undefined ? undefined : { cause });
  }

  /**
   * Reads a section from the file (one positioned read), checks its checksum, decompresses it and
   * runs `decode` on it; any failure becomes `SEGMENT_CORRUPT` naming `what` — reported to the
   * corruption listeners (the table quarantines the file) — so a damaged block never crashes a
   * caller or yields partial data.
   */
  decode<T>(ref: SectionRef, what: string, decode: (bytes: Uint8Array) => T): T {
    let compressed: Uint8Array;
    try {
      compressed = this.source.read(ref.offset, sectionBytes(ref));
    } catch (err) {
      const error = this.corrupt(`${what} could not be read: ${(err as Error).message}`, err);
      // A system error (the file vanished, EIO) says nothing about the bytes; a short read does.
      if ((err as NodeJS.ErrnoException).code === undefined) reportCorruptSegment(this.path, error.message);
      throw error;
    }
    try {
      return decode(decodeSection(compressed, ref, this.frameRawBytes, this.zstd));
    } catch (err) {
      const error = err instanceof ShardtableError ? err : this.corrupt(`${what}: ${(err as Error).message}`, err);
      reportCorruptSegment(this.path, error.message);
      throw error;
    }
  }
}
