import { ShardtableError } from '../../errors.js';
import type { ZstdCodec } from '../codecs/zstd-codec.js';
import type { SectionRef } from '../format/footer.js';
import { readSection } from '../format/section-io.js';

/** What every lazy read of one open segment file needs. */
export class ReadContext {
  constructor(
    readonly path: string,
    readonly file: Uint8Array,
    readonly frameRawBytes: number,
    readonly docsPerBlock: number,
    readonly zstd: ZstdCodec,
  ) {}

  /** `SEGMENT_CORRUPT` for this file. */
  corrupt(detail: string, cause?: unknown): ShardtableError {
    return new ShardtableError('SEGMENT_CORRUPT', { path: this.path, detail }, cause === undefined ? undefined : { cause });
  }

  /**
   * Decompresses a section and runs `decode` on it; any failure becomes `SEGMENT_CORRUPT` naming
   * `what`, so a damaged block never crashes a caller or yields partial data.
   */
  decode<T>(ref: SectionRef, what: string, decode: (bytes: Uint8Array) => T): T {
    try {
      return decode(readSection(this.file, ref, this.frameRawBytes, this.zstd));
    } catch (err) {
      if (err instanceof ShardtableError) throw err;
      throw this.corrupt(`${what}: ${(err as Error).message}`, err);
    }
  }
}
