import { ShardtableError } from '../../errors.js';
import type { ZstdCodec } from '../codecs/zstd-codec.js';
import type { SectionRef } from '../format/footer.js';
import { decodeSection, sectionBytes } from '../format/section-io.js';
import { blockCache } from './block-cache.js';
import { reportCorruptSegment } from './corruption-reports.js';
import type { SegmentSource } from './segment-source.js';

/**
 * Sections read from segment sources (files, or bytes held in memory) by this process, and their
 * compressed bytes: what the memory budget did not hold. Counted for tests and benchmarks.
 */
export const sectionReads = { sections: 0, bytes: 0 };

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
   * Reads a section, checks its checksum, decompresses it and runs `decode` on it; any failure
   * becomes `SEGMENT_CORRUPT` naming `what` — reported to the corruption listeners (the table
   * quarantines the file) — so a damaged block never crashes a caller or yields partial data.
   * With a `cacheKey` the section's bytes come from the memory budget's compressed tier when it
   * holds them (no disk read), else from the file (one positioned read), and enter the tier once
   * they decode cleanly; the checksum is checked on every decode either way. Without one (the
   * verification path) the file is always read. `decode`'s `checked` is true when the bytes come
   * from the tier: they decoded cleanly before and their checksum matched again, so they decode to
   * the same values, and checks over every value (dictionary ids in range) need not run again.
   */
  decode<T>(ref: SectionRef, what: string, decode: (bytes: Uint8Array, checked: boolean) => T, cacheKey?: number): T {
    let compressed = cacheKey === undefined ? undefined : blockCache.getCompressed(cacheKey);
    const fromTier = compressed !== undefined;
    if (compressed === undefined) {
      try {
        const length = sectionBytes(ref);
        // Bytes the compressed tier will not keep are only decompressed: read them into the
        // thread's reused buffer (the tier's copy is put after `decode`, which may read again).
        const kept = cacheKey !== undefined && blockCache.compressedTierCapacity > 0;
        compressed = this.source.read(ref.offset, length, !kept);
        sectionReads.sections++;
        sectionReads.bytes += length;
      } catch (err) {
        const error = this.corrupt(`${what} could not be read: ${(err as Error).message}`, err);
        // A system error (the file vanished, EIO) says nothing about the bytes; a short read does.
        if ((err as NodeJS.ErrnoException).code === undefined) reportCorruptSegment(this.path, error.message);
        throw error;
      }
    }
    let value: T;
    try {
      value = decode(decodeSection(compressed, ref, this.frameRawBytes, this.zstd), fromTier);
    } catch (err) {
      if (fromTier) blockCache.dropCompressed(cacheKey!);
      const error = err instanceof ShardtableError ? err : this.corrupt(`${what}: ${(err as Error).message}`, err);
      reportCorruptSegment(this.path, error.message);
      throw error;
    }
    if (!fromTier && cacheKey !== undefined && blockCache.enabled) blockCache.putCompressed(cacheKey, compressed);
    return value;
  }
}
