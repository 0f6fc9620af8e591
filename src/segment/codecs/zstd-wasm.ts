import { createRequire } from 'node:module';
import { failurePoint } from '../../util/fault-points.js';
import type { ZstdCodec, ZstdLoad } from './zstd-codec.js';
import { ZSTD_LEVEL, checkLength } from './zstd-codec.js';

/** The slice of `zstd-codec`'s API we use (the package ships no types). */
interface ZstdCodecModule {
  ZstdCodec: {
    run(callback: (zstd: {
      Simple: new () => { compress(data: Uint8Array, level?: number): Uint8Array | null; decompress(data: Uint8Array): Uint8Array | null };
      Streaming: new () => { decompress(data: Uint8Array, sizeHint?: number): Uint8Array | null };
    }) => void): void;
  };
}

let loaded: Promise<ZstdLoad> | undefined;

/**
 * The Emscripten build (`zstd-codec`), used when the native binding does not load or
 * `SHARDTABLE_ZSTD=wasm`; `null` when it does not load. It returns `null` instead of throwing on
 * bad input and cannot decode a frame whose declared content size is 0 through its simple API,
 * so both cases are handled here.
 */
export async function loadZstdWasm(): Promise<ZstdCodec | null> {
  const load = await tryLoadZstdWasm();
  return 'codec' in load ? load.codec : null;
}

/**
 * Loads the Emscripten build once per process, or says why it did not load. Only success is
 * kept: after a failure (EMFILE while reading the package) the next call tries again. Failure
 * point `zstd:load` (tests).
 */
export function tryLoadZstdWasm(): Promise<ZstdLoad> {
  if (loaded !== undefined) return loaded;
  const attempt = loadOnce();
  loaded = attempt;
  void attempt.then((load) => {
    if ('error' in load && loaded === attempt) loaded = undefined;
  });
  return attempt;
}

function loadOnce(): Promise<ZstdLoad> {
  return new Promise((resolve) => {
    let mod: ZstdCodecModule;
    try {
      failurePoint('zstd:load');
      mod = createRequire(import.meta.url)('zstd-codec') as ZstdCodecModule;
      mod.ZstdCodec.run((zstd) => resolve({ codec: wasmCodec(zstd) }));
    } catch (error) {
      resolve({ error });
    }
  });
}

type Emscripten = Parameters<Parameters<ZstdCodecModule['ZstdCodec']['run']>[0]>[0];

function wasmCodec(zstd: Emscripten): ZstdCodec {
  const simple = new zstd.Simple();
  const streaming = new zstd.Streaming();
  // `Simple` needs the content size in the frame header and rejects size 0; the streaming API
  // decodes any frame.
  const decompress = (frame: Uint8Array, expectedLength?: number): Uint8Array => {
    const out = simple.decompress(frame) ?? streaming.decompress(frame, Math.max(expectedLength ?? 0, 64));
    if (out === null) throw new Error('zstd-codec could not decode the frame');
    return checkLength(out, expectedLength);
  };
  return Object.freeze({
    name: 'wasm' as const,
    compress(data: Uint8Array): Uint8Array {
      const out = simple.compress(data, ZSTD_LEVEL);
      if (out === null) throw new Error(`zstd-codec could not compress ${data.length} bytes`);
      return out;
    },
    decompress,
    decompressInto: (frame: Uint8Array, out: Uint8Array) => out.set(decompress(frame, out.length)),
  });
}
