import { describeError } from '../../util/describe-error.js';
import type { ZstdCodec } from './zstd-codec.js';
import { tryLoadZstdNative } from './zstd-native.js';
import { tryLoadZstdWasm } from './zstd-wasm.js';

/** Environment variable: `wasm` forces the Emscripten fallback, `native` requires the binding. */
export const ZSTD_ENV = 'SHARDTABLE_ZSTD';

/**
 * While the process runs on the Emscripten build because the binding failed to load for a
 * reason that may pass (EMFILE, not "not installed"), the binding is tried again this often.
 */
export const NATIVE_RETRY_MS = 30_000;

let selected: Promise<ZstdCodec> | undefined;
/** When to try the native binding again (see `NATIVE_RETRY_MS`); null = never. */
let retryNativeAt: number | null = null;

/**
 * The zstd codec for this process: the native binding when it loads, the Emscripten build
 * otherwise (or when `SHARDTABLE_ZSTD=wasm`). Both write standard frames, so files written with
 * one are read by the other.
 *
 * A codec that loaded is kept; a failure is not: the promise rejects with the real cause of each
 * implementation (e.g. `EMFILE: too many open files`), and the next call tries again, so a
 * transient failure fails one seal (which retries with its own backoff), not every seal until a
 * restart. Calls made while a load is under way share it.
 *
 * @example
 *   const zstd = await getZstdCodec();
 */
export function getZstdCodec(): Promise<ZstdCodec> {
  if (selected === undefined || (retryNativeAt !== null && Date.now() >= retryNativeAt)) {
    retryNativeAt = null;
    const attempt = chooseZstdCodec(process.env[ZSTD_ENV]).then(({ codec, nativeMayLoadLater }) => {
      if (codec.name === 'wasm' && nativeMayLoadLater) retryNativeAt = Date.now() + NATIVE_RETRY_MS;
      return codec;
    });
    selected = attempt;
    attempt.catch(() => {
      if (selected === attempt) selected = undefined;
    });
  }
  return selected;
}

/** Picks a codec for a `SHARDTABLE_ZSTD` value (`wasm`, `native`, or unset = native with fallback). */
export async function selectZstdCodec(preference: string | undefined): Promise<ZstdCodec> {
  return (await chooseZstdCodec(preference)).codec;
}

async function chooseZstdCodec(preference: string | undefined): Promise<{ codec: ZstdCodec; nativeMayLoadLater: boolean }> {
  const wanted = preference?.trim().toLowerCase();
  let nativeError: unknown;
  if (wanted !== 'wasm') {
    const native = await tryLoadZstdNative();
    if ('codec' in native) return { codec: native.codec, nativeMayLoadLater: false };
    nativeError = native.error;
    if (wanted === 'native') throw new Error(`${ZSTD_ENV}=native but the zstd-napi binding does not load: ${cause(nativeError)}`, { cause: nativeError });
  }
  const wasm = await tryLoadZstdWasm();
  if ('codec' in wasm) return { codec: wasm.codec, nativeMayLoadLater: nativeError !== undefined && !notInstalled(nativeError) };
  const reasons = [...(wanted !== 'wasm' ? [`zstd-napi: ${cause(nativeError)}`] : []), `zstd-codec: ${cause(wasm.error)}`];
  throw new Error(`no zstd implementation loads (${reasons.join('; ')})`, { cause: wasm.error });
}

/** An error's message with its code (EMFILE, MODULE_NOT_FOUND, ...) when the message lacks it. */
function cause(err: unknown): string {
  const message = describeError(err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function notInstalled(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND';
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
