import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSegmentBytes, loadZstdNative, loadZstdWasm, sealSegment, selectZstdCodec } from '../../../src/segment/index.js';
import type { ZstdCodec } from '../../../src/segment/index.js';
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

  it('decompressInto decodes a frame into the caller\'s buffer, and rejects garbage and a wrong length', async () => {
    for (const codec of await both()) {
      for (const data of samples().filter((d) => d.length > 0)) {
        const out = new Uint8Array(data.length + 8).fill(7);
        codec.decompressInto(codec.compress(data), out.subarray(4, 4 + data.length));
        expect(Buffer.from(out.subarray(4, 4 + data.length)).equals(Buffer.from(data))).toBe(true);
        expect([...out.subarray(0, 4), ...out.subarray(4 + data.length)]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
      }
      const frame = codec.compress(Buffer.from('abcabcabc'));
      expect(() => codec.decompressInto(Buffer.from('not a zstd frame at all'), new Uint8Array(9))).toThrow(Error);
      expect(() => codec.decompressInto(frame, new Uint8Array(10))).toThrow(Error);
      expect(() => codec.decompressInto(frame, new Uint8Array(8))).toThrow(Error);
    }
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
