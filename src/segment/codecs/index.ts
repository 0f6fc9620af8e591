export type { ZstdCodec } from './zstd-codec.js';
export { ZSTD_LEVEL } from './zstd-codec.js';
export { loadZstdNative } from './zstd-native.js';
export { loadZstdWasm } from './zstd-wasm.js';
export { getZstdCodec, selectZstdCodec, ZSTD_ENV, avroZstdCodecs, avroZstdDecoders } from './registry.js';
