import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { faultPoint } from '../util/fault-points.js';
import { getZstdCodec } from './codecs/registry.js';
import type { ConsumingSegment } from './consuming-segment.js';
import type { UpsertSealInfo } from './format/footer.js';
import type { SegmentFileInfo } from './format/segment-writer.js';
import { openBuiltSegment } from './open-segment.js';
import { buildCheckedSegment } from './seal-worker/build-checked-segment.js';
import type { SealWorker } from './seal-worker/seal-worker.js';
import { defaultSealWorker, SealWorkerUnavailableError } from './seal-worker/seal-worker.js';
import type { SealedSegment } from './sealed-segment.js';

/** Suffix of a published segment file. */
export const SEGMENT_FILE_SUFFIX = '.seg';
/** Suffix of a segment file being written; never served, deleted on recovery. */
export const TEMP_FILE_SUFFIX = '.seg.tmp';

export interface SealOptions {
  /** The table's data directory (`<data-dir>/<table>`); must exist. */
  readonly tableDir: string;
  /** True when the shard has ended and this is its last segment (may be empty). */
  readonly endOfShard: boolean;
  /** Creation time written to the footer; defaults to now. */
  readonly creationTimeMs?: number;
  /**
   * Where the file is built: a `SealWorker` (default: the process's shared one), or `inline` on
   * the calling thread (blocks its event loop for the whole build).
   */
  readonly builder?: SealWorker | 'inline';
  /** Called when the worker was unavailable and the file was built inline instead. */
  readonly onInlineFallback?: (reason: string) => void;
  /** Upsert tables: the footer's commit order, tie losers and replay order. */
  readonly upsert?: UpsertSealInfo;
  /**
   * Suffix of the published file (default `.seg`). Compaction publishes its merged segment as
   * `.seg.merging` first, which recovery does not serve, and renames it once committed.
   */
  readonly fileSuffix?: string;
  /** False: write no column in the paged layout (a format version 2 file, as older builds wrote). Default true. */
  readonly pagedLayout?: boolean;
}

/**
 * Seals a consuming segment into `<tableDir>/<segmentName>.seg` and publishes it atomically:
 * write `<segmentName>.seg.tmp`, fsync it, rename it into place, fsync the directory. The rename
 * is the commit (DESIGN §3): a crash before it leaves only a `.tmp` file, which recovery deletes,
 * and the rows are read again from the stream. An empty segment (0 rows) is valid — with
 * `endOfShard: true` it marks a shard read to its end.
 *
 * The rows sealed are those indexed when `sealSegment` is called (the snapshot is taken before
 * its first await; rows indexed later stay out of the file). The file is built and checked (CRC-32, footer) in the seal worker thread, so
 * the event loop keeps serving meanwhile; if the worker is unavailable it is built on this
 * thread instead. Writing, fsync, the rename and the crash fault points run on this thread. The
 * returned segment reads the bytes that were written; the file is not read back.
 *
 * On any error the temporary file is removed and the error is thrown; nothing is published.
 * The consuming segment is left untouched (still readable) either way.
 *
 * @example
 *   const sealed = await sealSegment(consuming, { tableDir, endOfShard: false });
 */
export async function sealSegment(segment: ConsumingSegment, opts: SealOptions): Promise<SealedSegment> {
  const snapshot = segment.snapshot();
  // Before anything is built or written: a codec that does not load (EMFILE) fails the seal
  // cleanly, with its cause, and the next seal loads it again.
  const zstd = await getZstdCodec();
  const info: SegmentFileInfo = {
    identity: segment.identity,
    schema: segment.schema,
    indexing: segment.indexing,
    timeColumnName: segment.timeColumnName,
    consumingStartTimeMs: segment.createdAtMs,
    creationTimeMs: opts.creationTimeMs ?? Date.now(),
    endOfShard: opts.endOfShard,
    ...(opts.upsert !== undefined ? { upsert: opts.upsert } : {}),
    ...(opts.pagedLayout === false ? { pagedLayout: false } : {}),
  };
  const builder = opts.builder ?? defaultSealWorker();
  let bytes: Uint8Array;
  if (builder === 'inline') {
    bytes = buildCheckedSegment(info, snapshot, zstd);
  } else {
    try {
      bytes = await builder.build(info, snapshot);
    } catch (err) {
      if (!(err instanceof SealWorkerUnavailableError)) throw err;
      opts.onInlineFallback?.(err.message);
      bytes = buildCheckedSegment(info, snapshot, zstd);
    }
  }
  const finalPath = join(opts.tableDir, segment.name + (opts.fileSuffix ?? SEGMENT_FILE_SUFFIX));
  const tmpPath = join(opts.tableDir, segment.name + TEMP_FILE_SUFFIX);
  await writeFileAtomic(finalPath, bytes, {
    tmpPath,
    beforeRename: () => faultPoint('seal:before-rename'),
  });
  return openBuiltSegment(finalPath, bytes, zstd);
}
