import { describe, expect, it } from 'vitest';
import { getZstdCodec } from '../../../../src/segment/index.js';
import { decodeSection, SectionSink, sectionBytes } from '../../../../src/segment/format/section-io.js';
import type { SectionRef } from '../../../../src/segment/format/footer.js';

const FRAME = 1024;

/** One section written as the writer does (frames of `FRAME` raw bytes), and its compressed bytes. */
async function section(raw: Uint8Array): Promise<{ ref: SectionRef; bytes: Uint8Array; zstd: Awaited<ReturnType<typeof getZstdCodec>> }> {
  const zstd = await getZstdCodec();
  const sink = new SectionSink(zstd);
  // The writer's frames are FRAME_RAW_BYTES; cut them smaller here so a section has several.
  const frames: Uint8Array[] = [];
  const sizes: number[] = [];
  for (let at = 0; at < raw.length; at += FRAME) {
    const f = zstd.compress(raw.subarray(at, Math.min(raw.length, at + FRAME)));
    frames.push(f);
    sizes.push(f.length);
    sink.push(f);
  }
  const bytes = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let pos = 0;
  for (const f of frames) {
    bytes.set(f, pos);
    pos += f.length;
  }
  return { ref: { offset: 0, rawLength: raw.length, frames: sizes, crc32: sink.crc }, bytes, zstd };
}

describe('decodeSection: frames decoded into one buffer', () => {
  it('gives back the raw bytes of a section of several frames, on an aligned buffer of its own', async () => {
    const raw = Uint8Array.from({ length: 3 * FRAME + 100 }, (_, i) => (i * 31) % 251);
    const { ref, bytes, zstd } = await section(raw);
    expect(sectionBytes(ref)).toBe(bytes.length);
    const out = decodeSection(bytes, ref, FRAME, zstd);
    expect(out).toEqual(raw);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(raw.length);
  });

  it('rejects a frame list that does not cover the raw length, and a frame of the wrong size', async () => {
    const raw = Uint8Array.from({ length: 2 * FRAME + 10 }, (_, i) => i % 7);
    const { ref, bytes, zstd } = await section(raw);
    // One frame short of the recorded length, or one frame too many for it.
    expect(() => decodeSection(bytes, { ...ref, crc32: undefined, rawLength: raw.length + FRAME }, FRAME, zstd)).toThrow(/3 frames for/);
    expect(() => decodeSection(bytes, { ...ref, crc32: undefined, rawLength: 2 * FRAME }, FRAME, zstd)).toThrow(/3 frames for/);
    // The frames cover the length, but the last one decodes to more than its part.
    expect(() => decodeSection(bytes, { ...ref, crc32: undefined, rawLength: 2 * FRAME + 5 }, FRAME, zstd)).toThrow(Error);
    // A changed byte fails the checksum before any frame is decoded.
    const bad = bytes.slice();
    bad[3]! ^= 0xff;
    expect(() => decodeSection(bad, ref, FRAME, zstd)).toThrow(/checksum mismatch/);
  });
});
