import { createRequire } from 'node:module';
import type { ZstdCodec } from './zstd-codec.js';
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

let loading: Promise<ZstdCodec | null> | undefined;

/**
 * The Emscripten build (`zstd-codec`), used when the native binding does not load or
 * `SHARDTABLE_ZSTD=wasm`. Loaded once per process. It returns `null` instead of throwing on bad
 * input and cannot decode a frame whose declared content size is 0 through its simple API, so
 * both cases are handled here.
 */
export function loadZstdWasm(): Promise<ZstdCodec | null> {
  loading ??= new Promise((resolve) => {
    let mod: ZstdCodecModule;
    try {
      mod = createRequire(import.meta.url)('zstd-codec') as ZstdCodecModule;
    } catch {
      resolve(null);
      return;
    }
    mod.ZstdCodec.run((zstd) => {
      const simple = new zstd.Simple();
      const streaming = new zstd.Streaming();
      resolve(
        Object.freeze({
          name: 'wasm' as const,
          compress(data: Uint8Array): Uint8Array {
            const out = simple.compress(data, ZSTD_LEVEL);
            if (out === null) throw new Error(`zstd-codec could not compress ${data.length} bytes`);
            return out;
          },
          decompress(frame: Uint8Array, expectedLength?: number): Uint8Array {
            // `Simple` needs the content size in the frame header and rejects size 0; the
            // streaming API decodes any frame.
            const out = simple.decompress(frame) ?? streaming.decompress(frame, Math.max(expectedLength ?? 0, 64));
            if (out === null) throw new Error('zstd-codec could not decode the frame');
            return checkLength(out, expectedLength);
          },
        }),
      );
    });
  });
  return loading;
}
