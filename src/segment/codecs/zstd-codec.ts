/**
 * A zstd implementation behind one small, synchronous interface. Implementations load
 * asynchronously once (`loadZstdNative`, `loadZstdWasm`); after that every call is synchronous so
 * block decoding can run inside a query loop without awaiting.
 *
 * Contract: `compress` returns one standard zstd frame (with the content size in its header), so
 * any zstd implementation can decode it; `decompress` accepts any single standard frame and throws
 * an `Error` on malformed input (callers turn it into `SEGMENT_CORRUPT`). `expectedLength`, when
 * given, is checked. Inputs are kept small by callers (see `FRAME_RAW_BYTES`): the Emscripten build
 * aborts on single inputs of about 8 MB.
 *
 * @example
 *   const zstd = await getZstdCodec();
 *   const frame = zstd.compress(bytes);
 *   const back = zstd.decompress(frame, bytes.length);
 */
export interface ZstdCodec {
  /** `native` (zstd-napi) or `wasm` (zstd-codec, Emscripten). */
  readonly name: 'native' | 'wasm';
  compress(data: Uint8Array): Uint8Array;
  decompress(frame: Uint8Array, expectedLength?: number): Uint8Array;
  /**
   * Decodes one frame straight into `out`, which must be exactly the frame's decoded length (a
   * section's frames into their places in its buffer: no intermediate buffer, no copy). Throws an
   * `Error` on malformed input or when the frame decodes to another length.
   */
  decompressInto(frame: Uint8Array, out: Uint8Array): void;
}

/** What loading one implementation gave: the codec, or why it did not load (the error thrown). */
export type ZstdLoad = { readonly codec: ZstdCodec } | { readonly error: unknown };

/** zstd compression level used for segment blocks and Avro export (zstd's own default). */
export const ZSTD_LEVEL = 3;

/** Throws when a decoded frame does not have the length the caller recorded. */
export function checkLength(out: Uint8Array, expectedLength: number | undefined): Uint8Array {
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new Error(`zstd frame decoded to ${out.length} bytes, expected ${expectedLength}`);
  }
  return out;
}
