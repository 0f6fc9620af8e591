import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { faultPoint } from '../util/fault-points.js';
import { getZstdCodec } from './codecs/registry.js';
import type { ConsumingSegment } from './consuming-segment.js';
import { buildSegmentFile } from './format/segment-writer.js';
import { openSegment } from './open-segment.js';
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
}

/**
 * Seals a consuming segment into `<tableDir>/<segmentName>.seg` and publishes it atomically:
 * write `<segmentName>.seg.tmp`, fsync it, rename it into place, fsync the directory. The rename
 * is the commit (DESIGN §3): a crash before it leaves only a `.tmp` file, which recovery deletes,
 * and the rows are read again from the stream. An empty segment (0 rows) is valid — with
 * `endOfShard: true` it marks a shard read to its end.
 *
 * On any error the temporary file is removed and the error is thrown; nothing is published.
 * The consuming segment is left untouched (still readable) either way.
 *
 * @example
 *   const sealed = await sealSegment(consuming, { tableDir, endOfShard: false });
 */
export async function sealSegment(segment: ConsumingSegment, opts: SealOptions): Promise<SealedSegment> {
  const zstd = await getZstdCodec();
  const file = buildSegmentFile(
    {
      tableName: segment.tableName,
      segmentName: segment.segmentName,
      partitionId: segment.partitionId,
      shardId: segment.shardId,
      schema: segment.schema,
      indexing: segment.indexing,
      timeColumnName: segment.timeColumnName,
      consumingStartTimeMs: segment.createdAtMs,
      creationTimeMs: opts.creationTimeMs ?? Date.now(),
      endOfShard: opts.endOfShard,
    },
    segment.snapshot(),
    zstd,
  );
  const finalPath = join(opts.tableDir, segment.segmentName + SEGMENT_FILE_SUFFIX);
  const tmpPath = join(opts.tableDir, segment.segmentName + TEMP_FILE_SUFFIX);
  await writeFileAtomic(finalPath, file.chunks as Uint8Array[], {
    tmpPath,
    beforeRename: () => faultPoint('seal:before-rename'),
  });
  return openSegment(finalPath);
}
