import type { ZstdCodec } from '../codecs/zstd-codec.js';
import { crc32 } from './checksum.js';
import type { SectionRef } from './footer.js';
import { FRAME_RAW_BYTES } from './format-constants.js';

/**
 * Collects the data region of a segment file being written: each `add` compresses a section into
 * zstd frames of at most `FRAME_RAW_BYTES` raw bytes and returns where it will live. Keeps the
 * running CRC-32 so the file is checksummed as it is produced.
 */
export class SectionSink {
  readonly chunks: Uint8Array[] = [];
  /** File offset of the next byte. */
  position = 0;
  crc = 0;
  private spare = new Uint8Array(0);

  constructor(private readonly zstd: ZstdCodec) {}

  /**
   * A zero-filled buffer of `size` bytes to assemble a section in, reused from one section to
   * the next (`add` compresses, so it keeps no reference): a seal then allocates its raw
   * sections once instead of a hundred megabytes of short-lived buffers, each adding to the
   * garbage collector's work. Valid until the next call.
   */
  scratch(size: number): Uint8Array {
    if (this.spare.length < size) this.spare = new Uint8Array(Math.max(size, 2 * this.spare.length));
    const out = this.spare.subarray(0, size);
    out.fill(0);
    return out;
  }

  /** Appends raw bytes uncompressed (header, footer, trailer). */
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.crc = crc32(bytes, this.crc);
    this.position += bytes.length;
  }

  /** Computes the running CRC-32 again over every chunk (after a chunk already pushed was changed). */
  recomputeCrc(): void {
    let crc = 0;
    for (const chunk of this.chunks) crc = crc32(chunk, crc);
    this.crc = crc;
  }

  /**
   * Compresses `raw` as one section. An empty section has no frames. The reference carries the
   * CRC-32 of the section's compressed bytes, so a reader that reads only this section (a
   * positioned read) can check it without the whole-file checksum.
   */
  add(raw: Uint8Array): SectionRef {
    const offset = this.position;
    const frames: number[] = [];
    let crc = 0;
    for (let start = 0; start < raw.length; start += FRAME_RAW_BYTES) {
      const frame = this.zstd.compress(raw.subarray(start, Math.min(raw.length, start + FRAME_RAW_BYTES)));
      this.push(frame);
      crc = crc32(frame, crc);
      frames.push(frame.length);
    }
    return { offset, rawLength: raw.length, frames, crc32: crc };
  }
}

/** Compressed bytes a section occupies in the file. */
export function sectionBytes(ref: SectionRef): number {
  let total = 0;
  for (const f of ref.frames) total += f;
  return total;
}

/**
 * Decompresses a section from its compressed bytes (`compressed` holds exactly the section's
 * frames, as read from `ref.offset`). The section's CRC-32 is checked first when the footer
 * records one. The result starts on an 8-byte boundary of its buffer, so typed-array views over
 * it are aligned. Throws an `Error` if the checksum differs or a frame does not decode to its
 * recorded size.
 */
export function decodeSection(compressed: Uint8Array, ref: SectionRef, frameRawBytes: number, zstd: ZstdCodec): Uint8Array {
  if (ref.crc32 !== undefined) {
    const computed = crc32(compressed);
    if (computed !== ref.crc32) throw new Error(`section checksum mismatch (stored crc32 ${hex(ref.crc32)}, computed ${hex(computed)})`);
  }
  return inflate(compressed, 0, ref, frameRawBytes, zstd);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Decompresses a section of a whole file held in memory (see {@link decodeSection}). */
export function readSection(file: Uint8Array, ref: SectionRef, frameRawBytes: number, zstd: ZstdCodec): Uint8Array {
  return decodeSection(file.subarray(ref.offset, ref.offset + sectionBytes(ref)), ref, frameRawBytes, zstd);
}

/**
 * Decodes every frame of a section straight into its place in one new buffer. The buffer is not
 * zero-filled first (the frames fill all of it: each must decode to exactly its part, and the
 * parts cover `rawLength`); its own `ArrayBuffer` starts it on an aligned boundary.
 */
function inflate(file: Uint8Array, start: number, ref: SectionRef, frameRawBytes: number, zstd: ZstdCodec): Uint8Array {
  const frames = ref.frames.length;
  if (frames * frameRawBytes < ref.rawLength || (frames > 0 && (frames - 1) * frameRawBytes >= ref.rawLength) || (frames === 0 && ref.rawLength > 0)) {
    throw new Error(`section at ${ref.offset} has ${frames} frames for ${ref.rawLength} bytes`);
  }
  const out = new Uint8Array(Buffer.allocUnsafeSlow(ref.rawLength).buffer, 0, ref.rawLength);
  let pos = start;
  let written = 0;
  for (let i = 0; i < frames; i++) {
    const len = ref.frames[i]!;
    const expected = Math.min(frameRawBytes, ref.rawLength - written);
    zstd.decompressInto(file.subarray(pos, pos + len), out.subarray(written, written + expected));
    written += expected;
    pos += len;
  }
  return out;
}
