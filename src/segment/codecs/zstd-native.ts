import { createRequire } from 'node:module';
import { failurePoint } from '../../util/fault-points.js';
import type { ZstdCodec, ZstdLoad } from './zstd-codec.js';
import { ZSTD_LEVEL, checkLength } from './zstd-codec.js';

/** The slice of `zstd-napi` we use (typed locally: it is an optional dependency). */
interface ZstdNapi {
  compress(data: Uint8Array, parameters?: { compressionLevel?: number }): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}

/** The slice of `zstd-napi`'s low-level binding we use: one decompression context (`ZSTD_decompressDCtx`). */
interface ZstdNapiBinding {
  DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number };
}

/**
 * The native binding (`zstd-napi`, an optionalDependency built by node-gyp). Resolves to `null`
 * when the package is missing or its binary does not load, so the registry can fall back.
 */
export async function loadZstdNative(): Promise<ZstdCodec | null> {
  const load = await tryLoadZstdNative();
  return 'codec' in load ? load.codec : null;
}

/**
 * Loads the native binding, or says why it did not load (`MODULE_NOT_FOUND` when it is not
 * installed; EMFILE, a failed dlopen, ... otherwise). Nothing is cached here: Node keeps a module
 * that loaded and forgets one that failed, so a later call really tries again. Failure point
 * `zstd:load` (tests).
 */
export async function tryLoadZstdNative(): Promise<ZstdLoad> {
  let napi: ZstdNapi;
  let dctx: InstanceType<ZstdNapiBinding['DCtx']>;
  try {
    failurePoint('zstd:load');
    const require = createRequire(import.meta.url);
    napi = require('zstd-napi') as ZstdNapi;
    napi.decompress(napi.compress(new Uint8Array(1)));
    // The package's documented low-level module: decodes into a buffer we give it (the high-level
    // `decompress` allocates a buffer per call, resets its context and re-reads the frame header).
    dctx = new (require('zstd-napi/binding') as ZstdNapiBinding).DCtx();
  } catch (error) {
    return { error };
  }
  return {
    codec: Object.freeze({
      name: 'native' as const,
      compress: (data: Uint8Array) => napi.compress(data, { compressionLevel: ZSTD_LEVEL }),
      decompress: (frame: Uint8Array, expectedLength?: number) => checkLength(napi.decompress(frame), expectedLength),
      decompressInto: (frame: Uint8Array, out: Uint8Array) => {
        const written = dctx.decompress(out, frame);
        if (written !== out.length) throw new Error(`zstd frame decoded to ${written} bytes, expected ${out.length}`);
      },
    }),
  };
}
