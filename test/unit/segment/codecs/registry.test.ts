import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allTypesSchema, cellsOf, expectSameRows, indexing, newSegment, rowOf, tempDir } from '../fixtures.js';
import { emfile } from './emfile.js';

/*
 * A transient failure to load the compression library (EMFILE under file-descriptor pressure)
 * fails one seal, with its cause, and the next one loads the codec again. Each test gets fresh
 * modules, so its codec registry starts empty (nothing loaded yet) and the failure it injects
 * reaches that registry.
 */

let dir: string;
let cleanup: () => Promise<void>;
let segmentModule: typeof import('../../../../src/segment/index.js');
let injectFailure: typeof import('../../../../src/util/fault-points.js').injectFailure;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  vi.resetModules();
  segmentModule = await import('../../../../src/segment/index.js');
  ({ injectFailure } = await import('../../../../src/util/fault-points.js'));
});
afterEach(async () => {
  await cleanup();
});

function segment(name: string, rows: number) {
  const schema = allTypesSchema();
  const seg = newSegment(schema, indexing({ nullHandlingEnabled: true }), name);
  for (let i = 0; i < rows; i++) seg.index(rowOf(schema, i, true), String(i), 0);
  return seg;
}

describe('zstd codec registry', () => {
  it('does not keep a failed load: the error names the real cause of each implementation, and the next call loads the codec', async () => {
    const { getZstdCodec } = segmentModule;
    injectFailure('zstd:load', emfile('main'), 2); // zstd-napi, then the zstd-codec fallback
    const failed = getZstdCodec();
    await expect(failed).rejects.toThrow(/^no zstd implementation loads \(zstd-napi: EMFILE: too many open files.*; zstd-codec: EMFILE: too many open files.*\)$/);
    await expect(failed).rejects.toMatchObject({ cause: { code: 'EMFILE' } });
    const codec = await getZstdCodec();
    expect(codec.name).toBe('native');
    expect(await getZstdCodec()).toBe(codec); // a codec that loaded is kept
  });

  it('falls back to the Emscripten build when only the binding fails transiently, and tries the binding again later', async () => {
    const { getZstdCodec, NATIVE_RETRY_MS } = segmentModule;
    injectFailure('zstd:load', emfile('main'), 1); // zstd-napi only
    expect((await getZstdCodec()).name).toBe('wasm');
    expect((await getZstdCodec()).name).toBe('wasm');
    const later = Date.now() + NATIVE_RETRY_MS;
    const now = vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      expect((await getZstdCodec()).name).toBe('native');
    } finally {
      now.mockRestore();
    }
  });

  it('a seal whose codec fails to load fails with the cause and writes nothing; the next seal succeeds', async () => {
    const { sealSegment } = segmentModule;
    injectFailure('zstd:load', emfile('main'), 2);
    const seg = segment('alltypes__0__0__20240101T0000Z', 100);
    await expect(sealSegment(seg, { tableDir: dir, endOfShard: false, builder: 'inline' })).rejects.toThrow(/EMFILE: too many open files/);
    expect(await readdir(dir)).toEqual([]);
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false, builder: 'inline' });
    expectSameRows(cellsOf(sealed), cellsOf(seg));
  });

  it('a seal worker whose codec fails to load once stays up: that build fails with the cause, the next builds in the worker', async () => {
    const { SealWorker, sealSegment } = segmentModule;
    const worker = new SealWorker(new URL('./codec-fails-once-worker.ts', import.meta.url));
    try {
      const fallbacks: string[] = [];
      const onInlineFallback = (why: string): void => void fallbacks.push(why);
      const seg = segment('alltypes__0__0__20240101T0000Z', 100);
      await expect(sealSegment(seg, { tableDir: dir, endOfShard: false, builder: worker, onInlineFallback })).rejects.toThrow(
        /building the segment file failed: no zstd implementation loads \(zstd-napi: EMFILE: too many open files.*\(worker\)/,
      );
      expect(await readdir(dir)).toEqual([]);
      const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false, builder: worker, onInlineFallback });
      expectSameRows(cellsOf(sealed), cellsOf(seg));
      expect(fallbacks).toEqual([]);
      expect(worker.state).toBe('ready');
    } finally {
      await worker.close();
    }
  });
});
