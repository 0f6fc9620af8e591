import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSegmentBytes, loadZstdNative, loadZstdWasm, sealSegment, selectZstdCodec } from '../../../src/segment/index.js';
import type { ZstdCodec } from '../../../src/segment/index.js';
import { FRAME_RAW_BYTES } from '../../../src/segment/format/format-constants.js';
import { readSection, SectionSink } from '../../../src/segment/format/section-io.js';
import { allTypesSchema, cellsOf, expectSameRows, indexing, newSegment, rowOf, tempDir } from './fixtures.js';

async function both(): Promise<[ZstdCodec, ZstdCodec]> {
  const native = await loadZstdNative();
  const wasm = await loadZstdWasm();
  expect(native, 'zstd-napi must load in this environment').not.toBeNull();
  expect(wasm, 'zstd-codec must load').not.toBeNull();
  return [native!, wasm!];
}

const samples = (): Uint8Array[] => [
  new Uint8Array(0),
  Uint8Array.from([1]),
  Buffer.from('hello hello hello hello hello'),
  Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 2654435761) >>> 24),
  Uint8Array.from({ length: 300_000 }, (_, i) => i % 251),
];

describe('zstd codecs', () => {
  it('native decodes wasm output and wasm decodes native output', async () => {
    const [native, wasm] = await both();
    for (const data of samples()) {
      expect(Buffer.from(wasm.decompress(native.compress(data), data.length)).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(native.decompress(wasm.compress(data), data.length)).equals(Buffer.from(data))).toBe(true);
    }
  });

  it('both reject garbage and a wrong expected length with an Error', async () => {
    for (const codec of await both()) {
      expect(() => codec.decompress(Buffer.from('not a zstd frame at all'))).toThrow(Error);
      expect(() => codec.decompress(codec.compress(Buffer.from('abc')), 4)).toThrow(/expected 4/);
    }
  });

  it('native decompressInto writes a frame straight into a buffer of its size, and refuses any other size or a damaged frame', async () => {
    const [native] = await both();
    expect(native.decompressInto).toBeDefined();
    for (const data of samples()) {
      const out = new Uint8Array(data.length);
      native.decompressInto!(native.compress(data), out);
      expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
    }
    const frame = native.compress(Buffer.from('hello hello hello hello hello'));
    expect(() => native.decompressInto!(frame, new Uint8Array(28))).toThrow(Error);
    expect(() => native.decompressInto!(frame, new Uint8Array(30))).toThrow(/expected 30/);
    expect(() => native.decompressInto!(frame.subarray(0, frame.length - 2), new Uint8Array(29))).toThrow(Error);
  });

  it('a section of several frames decodes to the same bytes into one buffer (decompressInto) as through per-frame copies', async () => {
    const [native, wasm] = await both();
    const raw = Uint8Array.from({ length: FRAME_RAW_BYTES * 2 + 1234 }, (_, i) => (i * 2654435761) >>> 27);
    const sink = new SectionSink(native);
    const ref = sink.add(raw);
    expect(ref.frames.length).toBe(3);
    const file = Buffer.concat(sink.chunks);
    // The native codec decodes in place; the same codec without the method takes the copying path.
    const copying: ZstdCodec = { name: native.name, compress: native.compress, decompress: native.decompress };
    for (const codec of [native, copying, wasm]) expect(Buffer.from(readSection(file, ref, FRAME_RAW_BYTES, codec)).equals(Buffer.from(raw))).toBe(true);
    // One byte of a frame changed: a checksum mismatch, and without the checksum zstd's own error.
    const bad = Buffer.from(file);
    bad[ref.frames[0]! + 10]! ^= 0xff;
    expect(() => readSection(bad, ref, FRAME_RAW_BYTES, native)).toThrow(/checksum/);
    expect(() => readSection(bad, { ...ref, crc32: undefined }, FRAME_RAW_BYTES, native)).toThrow(Error);
  });

  it('SHARDTABLE_ZSTD=wasm selects the Emscripten build, otherwise the native binding', async () => {
    expect((await selectZstdCodec('wasm')).name).toBe('wasm');
    expect((await selectZstdCodec(undefined)).name).toBe('native');
    expect((await selectZstdCodec('native')).name).toBe('native');
  });

  describe('segment files', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ dir, cleanup } = await tempDir()));
    afterEach(async () => cleanup());

    it('a segment written with one codec reads the same with the other', async () => {
      const [native, wasm] = await both();
      const schema = allTypesSchema();
      const seg = newSegment(schema, indexing({ nullHandlingEnabled: true, invertedIndexColumns: ['sv_string'] }));
      for (let i = 0; i < 20_000; i++) seg.index(rowOf(schema, i, true), String(i), 0);
      const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false });
      const bytes = new Uint8Array(await readFile(sealed.path));
      const expected = cellsOf(seg);
      expectSameRows(cellsOf(decodeSegmentBytes(sealed.path, bytes, native)), expected);
      expectSameRows(cellsOf(decodeSegmentBytes(sealed.path, bytes, wasm)), expected);
      expect(decodeSegmentBytes(sealed.path, bytes, wasm).verify().blocks).toBeGreaterThan(0);
    });
  });
});
