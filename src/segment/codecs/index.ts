export type { ZstdCodec, ZstdLoad } from './zstd-codec.js';
export { ZSTD_LEVEL } from './zstd-codec.js';
export { loadZstdNative, tryLoadZstdNative } from './zstd-native.js';
export { loadZstdWasm, tryLoadZstdWasm } from './zstd-wasm.js';
export { getZstdCodec, selectZstdCodec, ZSTD_ENV, NATIVE_RETRY_MS, avroZstdCodecs, avroZstdDecoders } from './registry.js';
