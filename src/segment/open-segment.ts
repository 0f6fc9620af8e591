import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { buildTableSchema } from '../config/schema.js';
import type { TableSchema } from '../config/schema.js';
import { ShardtableError } from '../errors.js';
import type { ZstdCodec } from './codecs/zstd-codec.js';
import { getZstdCodec } from './codecs/registry.js';
import { crc32 } from './format/checksum.js';
import type { SegmentFooter } from './format/footer.js';
import { validateFooter } from './format/footer.js';
import { END_MAGIC, HEADER_BYTES, MAGIC, READABLE_FORMAT_VERSIONS, TRAILER_BYTES } from './format/format-constants.js';
import { ReadContext } from './reader/read-context.js';
import { FileSource, MemorySource } from './reader/segment-source.js';
import type { SegmentSource } from './reader/segment-source.js';
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

const corruptError = (path: string, detail: string, cause?: unknown): ShardtableError =>
  new ShardtableError('SEGMENT_CORRUPT', { path, detail }, cause === undefined ? undefined : { cause });

/** Checks 1-3 of `docs/segment-format.md` on the head (≥ 16 bytes or the whole file) and the last 24 bytes. */
function checkFrame(path: string, size: number, head: Uint8Array, trailer: Uint8Array): { footerOffset: number; footerLength: number; storedCrc: number; version: number } {
  if (endianness() !== 'LE') throw new Error('segment files are little-endian; this platform is big-endian');
  if (size < HEADER_BYTES) throw corruptError(path, `file is ${size} bytes, shorter than the ${HEADER_BYTES}-byte header (truncated?)`);
  if (!startsWith(head, 0, MAGIC)) throw corruptError(path, 'not a shardtable segment file (bad magic number)');
  const version = new DataView(head.buffer, head.byteOffset, HEADER_BYTES).getUint32(8, true);
  if (!READABLE_FORMAT_VERSIONS.includes(version)) throw new ShardtableError('SEGMENT_VERSION', { path, version, supported: READABLE_FORMAT_VERSIONS.join(', ') });
  if (size < HEADER_BYTES + TRAILER_BYTES) throw corruptError(path, `file is ${size} bytes, too short to hold header and trailer (truncated)`);
  if (!startsWith(trailer, TRAILER_BYTES - END_MAGIC.length, END_MAGIC)) throw corruptError(path, 'end marker missing (truncated or overwritten)');
  const view = new DataView(trailer.buffer, trailer.byteOffset, TRAILER_BYTES);
  const footerOffset = Number(view.getBigUint64(0, true));
  const footerLength = view.getUint32(8, true);
  if (view.getUint32(12, true) !== version) throw corruptError(path, 'trailer version differs from header version');
  if (footerOffset < HEADER_BYTES || footerOffset + footerLength !== size - TRAILER_BYTES) throw corruptError(path, 'footer position does not match the file size');
  return { footerOffset, footerLength, storedCrc: view.getUint32(16, true), version };
}

/** Check 4: the footer parses and is structurally valid. */
function parseFooter(path: string, footerBytes: Uint8Array, footerOffset: number, version: number): CheckedSegment {
  try {
    const json: unknown = JSON.parse(Buffer.from(footerBytes.buffer, footerBytes.byteOffset, footerBytes.length).toString('utf8'));
    const footer = validateFooter(json, footerOffset);
    if (footer.formatVersion !== version) throw new Error(`footer says version ${footer.formatVersion}, header ${version}`);
    const schema = buildTableSchema(footer.schema);
    if (schema.columns.length !== footer.columns.length) throw new Error('schema and column list differ');
    schema.columns.forEach((c, i) => {
      const f = footer.columns[i]!;
      if (c.name !== f.name || c.dataType !== f.dataType || c.singleValue !== f.singleValue) throw new Error(`column ${i} (${f.name}) differs from the schema`);
    });
    return { footer, schema };
  } catch (err) {
    throw corruptError(path, (err as Error).message, err);
  }
}

function checksumError(path: string, stored: number, computed: number): ShardtableError {
  return corruptError(path, `checksum mismatch (stored crc32 ${stored.toString(16).padStart(8, '0')}, computed ${computed.toString(16).padStart(8, '0')})`);
}

/**
 * Checks and parses the bytes of a whole segment file. Order matters: magic, then format version
 * (a future version may lay out its trailer differently, so it is rejected before anything else
 * is read), then end marker and checksum over the whole file, then the footer's structure.
 * Throws `SEGMENT_VERSION` or `SEGMENT_CORRUPT`. With `checksum: false` the CRC-32 is not
 * recomputed: only for bytes that were checked where they were built (see `openBuiltSegment`).
 */
export function checkSegmentBytes(path: string, bytes: Uint8Array, options: { checksum?: boolean } = {}): CheckedSegment {
  const size = bytes.length;
  const { footerOffset, footerLength, storedCrc, version } = checkFrame(path, size, bytes, bytes.subarray(Math.max(0, size - TRAILER_BYTES)));
  if (options.checksum !== false) {
    const computed = crc32(bytes.subarray(0, size - 8));
    if (storedCrc !== computed) throw checksumError(path, storedCrc, computed);
  }
  return parseFooter(path, bytes.subarray(footerOffset, footerOffset + footerLength), footerOffset, version);
}

/**
 * Checks and parses the bytes of a segment file (`checkSegmentBytes`) and returns a segment that
 * reads from those bytes; never a partly valid one. Throws `SEGMENT_VERSION` or `SEGMENT_CORRUPT`.
 */
export function decodeSegmentBytes(path: string, bytes: Uint8Array, zstd: ZstdCodec): SealedSegment {
  return segmentOf(path, new MemorySource(bytes), checkSegmentBytes(path, bytes), zstd);
}

/**
 * The segment of a file this process just built and published: `bytes` are what was written to
 * `path`, already checked by `checkSegmentBytes` (checksum included) where they were built, so
 * only the footer is parsed again. The segment reads the file on demand like any other (the
 * bytes are not kept).
 */
export function openBuiltSegment(path: string, bytes: Uint8Array, zstd: ZstdCodec): SealedSegment {
  return segmentOf(path, new FileSource(path, bytes.length), checkSegmentBytes(path, bytes, { checksum: false }), zstd);
}

function segmentOf(path: string, source: SegmentSource, { footer, schema }: CheckedSegment, zstd: ZstdCodec): SealedSegment {
  const ctx = new ReadContext(path, source, footer.frameRawBytes, footer.docsPerBlock, zstd);
  return new SealedSegment(path, footer, metadataFromFooter(footer, source.size), schema, ctx);
}

export interface OpenSegmentOptions {
  /**
   * `true` (default): the CRC-32 over the whole file is verified, reading the file once in chunks
   * (nothing of it is kept). `false`: only the header, trailer and footer are read — what a server
   * does at start, so thousands of segments open in seconds; every section is still checked by
   * its own CRC-32 when it is first read, and the whole-file checksum can be verified later with
   * {@link verifySegmentChecksum}.
   */
  readonly verifyChecksum?: boolean;
}

/** Bytes read at a time when a whole file is checksummed. */
const CHECKSUM_CHUNK_BYTES = 1024 * 1024;

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.subarray(0, done);
}

async function fileCrc(handle: FileHandle, end: number): Promise<number> {
  let crc = 0;
  const chunk = new Uint8Array(Math.min(CHECKSUM_CHUNK_BYTES, Math.max(1, end)));
  for (let pos = 0; pos < end; ) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - pos), pos);
    if (bytesRead === 0) throw new Error(`file ends at ${pos} while checksumming (expected ${end} bytes)`);
    crc = crc32(chunk.subarray(0, bytesRead), crc);
    pos += bytesRead;
  }
  return crc;
}

/**
 * Opens a published segment file: reads its header, trailer and footer, checks magic, version
 * and footer structure (and, by default, the CRC-32 over the whole file), and returns a segment
 * that keeps only its footer in memory. Column blocks, dictionaries and inverted indexes are read
 * from the file on demand (positioned reads) into the process-wide memory budget
 * (`reader/block-cache.ts`). Usable from any thread: path in, segment out.
 *
 * Errors: `SEGMENT_VERSION` for a file of another format version, `SEGMENT_CORRUPT` for anything
 * damaged or truncated; file-system errors (ENOENT, EACCES) are thrown as they are.
 *
 * @example
 *   const segment = await openSegment('/data/events/events__0__3__20240101T0000Z.seg', { verifyChecksum: false });
 */
export async function openSegment(path: string, options: OpenSegmentOptions = {}): Promise<SealedSegment> {
  const zstd = await getZstdCodec();
  const handle = await open(path, 'r');
  let checked: CheckedSegment;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const head = await readAt(handle, 0, Math.min(size, HEADER_BYTES));
    const trailer = size >= HEADER_BYTES + TRAILER_BYTES ? await readAt(handle, size - TRAILER_BYTES, TRAILER_BYTES) : new Uint8Array(0);
    const { footerOffset, footerLength, storedCrc, version } = checkFrame(path, size, head, trailer);
    if (options.verifyChecksum !== false) {
      const computed = await fileCrc(handle, size - 8);
      if (computed !== storedCrc) throw checksumError(path, storedCrc, computed);
    }
    checked = parseFooter(path, await readAt(handle, footerOffset, footerLength), footerOffset, version);
  } finally {
    await handle.close();
  }
  return segmentOf(path, new FileSource(path, size), checked, zstd);
}

/**
 * Verifies the CRC-32 over a whole segment file, reading it in chunks (nothing kept). Resolves to
 * null when it matches, or the `SEGMENT_CORRUPT` error describing the mismatch; file-system
 * errors are thrown.
 */
export async function verifySegmentChecksum(path: string): Promise<ShardtableError | null> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size < HEADER_BYTES + TRAILER_BYTES) return corruptError(path, `file is ${size} bytes, too short to hold header and trailer (truncated)`);
    const stored = new DataView((await readAt(handle, size - 8, 4)).buffer).getUint32(0, true);
    const computed = await fileCrc(handle, size - 8);
    return computed === stored ? null : checksumError(path, stored, computed);
  } finally {
    await handle.close();
  }
}
