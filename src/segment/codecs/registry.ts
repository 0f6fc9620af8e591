import type { ZstdCodec } from './zstd-codec.js';
import { loadZstdNative } from './zstd-native.js';
import { loadZstdWasm } from './zstd-wasm.js';

/** Environment variable: `wasm` forces the Emscripten fallback, `native` requires the binding. */
export const ZSTD_ENV = 'SHARDTABLE_ZSTD';

let selected: Promise<ZstdCodec> | undefined;

/**
 * The zstd codec for this process: the native binding when it loads, the Emscripten build
 * otherwise (or when `SHARDTABLE_ZSTD=wasm`). Chosen once and cached; both write standard frames,
 * so files written with one are read by the other.
 *
 * @example
 *   const zstd = await getZstdCodec();
 */
export function getZstdCodec(): Promise<ZstdCodec> {
  selected ??= selectZstdCodec(process.env[ZSTD_ENV]);
  return selected;
}

/** Picks a codec for a `SHARDTABLE_ZSTD` value (`wasm`, `native`, or unset = native with fallback). */
export async function selectZstdCodec(preference: string | undefined): Promise<ZstdCodec> {
  const wanted = preference?.trim().toLowerCase();
  if (wanted !== 'wasm') {
    const native = await loadZstdNative();
    if (native) return native;
    if (wanted === 'native') throw new Error(`${ZSTD_ENV}=native but the zstd-napi binding does not load`);
  }
  const wasm = await loadZstdWasm();
  if (!wasm) throw new Error('no zstd implementation loads: neither zstd-napi nor zstd-codec is installed');
  return wasm;
}

/** Callback-style codecs for avsc's `codecs` option (Avro's `zstandard` codec: plain zstd frames). */
export function avroZstdCodecs(zstd: ZstdCodec): Record<string, (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => void> {
  const wrap = (fn: (b: Buffer) => Uint8Array) => (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void): void => {
    let out: Uint8Array;
    try {
      out = fn(buf);
    } catch (err) {
      cb(err as Error);
      return;
    }
    cb(null, Buffer.from(out.buffer, out.byteOffset, out.length));
  };
  return {
    null: (buf, cb) => cb(null, buf),
    zstandard: wrap((b) => zstd.compress(b)),
  };
}

/** The decoding side of `avroZstdCodecs`. */
export function avroZstdDecoders(zstd: ZstdCodec): Record<string, (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => void> {
  return {
    null: (buf, cb) => cb(null, buf),
    zstandard: (buf, cb) => {
      try {
        const out = zstd.decompress(buf);
        cb(null, Buffer.from(out.buffer, out.byteOffset, out.length));
      } catch (err) {
        cb(err as Error);
      }
    },
  };
}
