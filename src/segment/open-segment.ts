import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { buildTableSchema } from '../config/schema.js';
import type { TableSchema } from '../config/schema.js';
import { ShardtableError } from '../errors.js';
import type { ZstdCodec } from './codecs/zstd-codec.js';
import { getZstdCodec } from './codecs/registry.js';
import { crc32 } from './format/checksum.js';
import type { SegmentFooter } from './format/footer.js';
import { validateFooter } from './format/footer.js';
import { END_MAGIC, FORMAT_VERSION, HEADER_BYTES, MAGIC, TRAILER_BYTES } from './format/format-constants.js';
import { ReadContext } from './reader/read-context.js';
import { SealedSegment } from './sealed-segment.js';
import { metadataFromFooter } from './segment-metadata.js';

function startsWith(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** A segment file's parsed footer and schema, from `checkSegmentBytes`. */
export interface CheckedSegment {
  readonly footer: SegmentFooter;
  readonly schema: TableSchema;
}

/**
 * Checks and parses the bytes of a segment file. Order matters: magic, then format version (a
 * future version may lay out its trailer differently, so it is rejected before anything else is
 * read), then end marker and checksum over the whole file, then the footer's structure.
 * Throws `SEGMENT_VERSION` or `SEGMENT_CORRUPT`. With `checksum: false` the CRC-32 is not
 * recomputed: only for bytes that were checked where they were built (see `openBuiltSegment`).
 */
export function checkSegmentBytes(path: string, bytes: Uint8Array, options: { checksum?: boolean } = {}): CheckedSegment {
  if (endianness() !== 'LE') throw new Error('segment files are little-endian; this platform is big-endian');
  const corrupt = (detail: string, cause?: unknown): ShardtableError =>
    new ShardtableError('SEGMENT_CORRUPT', { path, detail }, cause === undefined ? undefined : { cause });
  const size = bytes.length;
  if (size < HEADER_BYTES) throw corrupt(`file is ${size} bytes, shorter than the ${HEADER_BYTES}-byte header (truncated?)`);
  if (!startsWith(bytes, 0, MAGIC)) throw corrupt('not a shardtable segment file (bad magic number)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw new ShardtableError('SEGMENT_VERSION', { path, version, supported: FORMAT_VERSION });
  if (size < HEADER_BYTES + TRAILER_BYTES) throw corrupt(`file is ${size} bytes, too short to hold header and trailer (truncated)`);
  if (!startsWith(bytes, size - END_MAGIC.length, END_MAGIC)) throw corrupt('end marker missing (truncated or overwritten)');
  if (options.checksum !== false) {
    const stored = view.getUint32(size - 8, true);
    const computed = crc32(bytes.subarray(0, size - 8));
    if (stored !== computed) {
      throw corrupt(`checksum mismatch (stored crc32 ${stored.toString(16).padStart(8, '0')}, computed ${computed.toString(16).padStart(8, '0')})`);
    }
  }
  const trailer = size - TRAILER_BYTES;
  const footerOffset = Number(view.getBigUint64(trailer, true));
  const footerLength = view.getUint32(trailer + 8, true);
  if (view.getUint32(trailer + 12, true) !== version) throw corrupt('trailer version differs from header version');
  if (footerOffset < HEADER_BYTES || footerOffset + footerLength !== trailer) throw corrupt('footer position does not match the file size');
  try {
    const json: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + footerOffset, footerLength).toString('utf8'));
    const footer = validateFooter(json, footerOffset);
    if (footer.formatVersion !== version) throw new Error(`footer says version ${footer.formatVersion}`);
    const schema = buildTableSchema(footer.schema);
    if (schema.columns.length !== footer.columns.length) throw new Error('schema and column list differ');
    schema.columns.forEach((c, i) => {
      const f = footer.columns[i]!;
      if (c.name !== f.name || c.dataType !== f.dataType || c.singleValue !== f.singleValue) throw new Error(`column ${i} (${f.name}) differs from the schema`);
    });
    return { footer, schema };
  } catch (err) {
    throw corrupt((err as Error).message, err);
  }
}

/**
 * Checks and parses the bytes of a segment file (`checkSegmentBytes`) and returns the segment;
 * never a partly valid one. Throws `SEGMENT_VERSION` or `SEGMENT_CORRUPT`.
 */
export function decodeSegmentBytes(path: string, bytes: Uint8Array, zstd: ZstdCodec): SealedSegment {
  return segmentOf(path, bytes, checkSegmentBytes(path, bytes), zstd);
}

/**
 * The segment of a file this process just built and published: `bytes` are what was written to
 * `path`, already checked by `checkSegmentBytes` (checksum included) where they were built, so
 * only the footer is parsed again — the file is not read back.
 */
export function openBuiltSegment(path: string, bytes: Uint8Array, zstd: ZstdCodec): SealedSegment {
  return segmentOf(path, bytes, checkSegmentBytes(path, bytes, { checksum: false }), zstd);
}

function segmentOf(path: string, bytes: Uint8Array, { footer, schema }: CheckedSegment, zstd: ZstdCodec): SealedSegment {
  const ctx = new ReadContext(path, bytes, footer.frameRawBytes, footer.docsPerBlock, zstd);
  return new SealedSegment(path, footer, metadataFromFooter(footer, bytes.length), schema, ctx);
}

/**
 * Opens a published segment file: reads it, verifies magic, version and CRC-32 over the whole
 * file, and parses the footer. Columns decode lazily afterwards.
 *
 * Errors: `SEGMENT_VERSION` for a file of another format version, `SEGMENT_CORRUPT` for anything
 * damaged or truncated; file-system errors (ENOENT, EACCES) are thrown as they are.
 */
export async function openSegment(path: string): Promise<SealedSegment> {
  const [bytes, zstd] = await Promise.all([readFile(path), getZstdCodec()]);
  return decodeSegmentBytes(path, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), zstd);
}
