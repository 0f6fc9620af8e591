/**
 * Constants of segment file format version 1 (byte layout: `docs/segment-format.md`). Changing
 * any of them changes the format: bump `FORMAT_VERSION`.
 */

/** First 8 bytes of every segment file: "SHTBSEG" followed by a zero byte. */
export const MAGIC = Uint8Array.from([0x53, 0x48, 0x54, 0x42, 0x53, 0x45, 0x47, 0x00]);

/** Last 4 bytes of every version-1 file: "STND". */
export const END_MAGIC = Uint8Array.from([0x53, 0x54, 0x4e, 0x44]);

/**
 * The version this build writes. Version 2 adds per-column JSON index and bloom filter sections
 * (footer keys `jsonIndex`, `bloomFilter`); version 1 files have neither and stay readable.
 */
export const FORMAT_VERSION = 2;

/**
 * The version of a file that has a column in the paged layout (`ColumnFooter.pages`: dictionary
 * and inverted index in pages read one at a time). Written only then: a file without one is
 * version {@link FORMAT_VERSION}, byte for byte as before, so older builds still read it.
 */
export const PAGED_FORMAT_VERSION = 3;

/** Every version this build reads. */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2, 3];

/** Most dictionary values in one page of the paged layout. */
export const PAGE_VALUES = 1024;

/**
 * A page of the paged layout ends before its dictionary values or its doc lists pass this many
 * raw bytes (it always holds at least one value).
 */
export const PAGE_MAX_RAW_BYTES = 64 * 1024;

/**
 * A dictionary-encoded column is written in the paged layout when its dictionary or its inverted
 * index would be larger than this (raw bytes): below it, reading the whole section costs about as
 * much as reading one page.
 */
export const PAGED_MIN_RAW_BYTES = 256 * 1024;

/** magic (8) + format version (u32) + flags (u32). */
export const HEADER_BYTES = 16;

/** footer offset (u64) + footer length (u32) + format version (u32) + crc32 (u32) + end magic (4). */
export const TRAILER_BYTES = 24;

/** Rows per block (every column uses the same block boundaries: block b = docs [b*N, (b+1)*N)). */
export const DOCS_PER_BLOCK = 16384;

/**
 * A section (block, dictionary, inverted index) is compressed as consecutive zstd frames of at
 * most this many raw bytes, far below the ~8 MB single-input limit of the Emscripten zstd build.
 */
export const FRAME_RAW_BYTES = 256 * 1024;

/** Numeric columns are dictionary-encoded when they have at most this many distinct values... */
export const DICT_MAX_SMALL_CARDINALITY = 256;
/** ...or when distinct values are at most this fraction of all values. */
export const DICT_MAX_CARDINALITY_RATIO = 0.25;
