import { rename, rm } from 'node:fs/promises';
import type { IndexingConfig, TableConfig } from '../config/table-config.js';
import { buildReindexedFile, openSegment } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import { fsyncDir } from '../util/atomic-file.js';
import { faultPoint } from '../util/fault-points.js';
import type { SealedSegmentsHolder } from './segment-retirement.js';

/** What a reload needs to rebuild segments with a table's current indexes. */
export interface ReindexOptions {
  readonly indexing: IndexingConfig;
  readonly tableDir: string;
  /**
   * Keep a replaced segment's file open until the old object is garbage-collected, not only for
   * the usual grace period: an upsert or dedup key map keeps reading the object it applied.
   */
  readonly holdReplaced: boolean;
}

/** A table's reindex options: its config's indexes; replaced files held open for key maps. */
export function reindexOptions(config: TableConfig, tableDir: string): ReindexOptions {
  return { indexing: config.indexing, tableDir, holdReplaced: config.upsert !== undefined || config.dedup !== undefined };
}

/**
 * Builds one served segment again with the table config's indexes and swaps it in, atomically
 * for readers and for crashes (Pinot's reload after an index is added to `tableIndexConfig`):
 * 1. the new file is built off the event loop (seal worker) as `<name>.reindex.seg.tmp`, fsynced —
 *    never served, and deleted by the next start if the process dies now (the old file answers);
 * 2. if the segment is no longer served (deleted, merged, dropped meanwhile) the new file is
 *    deleted and null returned;
 * 3. the old segment pins its open descriptor (queries that took it keep reading the old bytes),
 *    the new file is renamed over `<name>.seg` and the directory fsynced: the rename is the commit;
 * 4. in one tick the served list has the new segment in the old one's place.
 * Same rows, order, offsets and times: the ledger, checkpoints and upsert doc ids stay valid.
 * The caller runs it in the table's upkeep queue, so compaction and retention do not race it.
 */
export async function reindexSegment(holder: SealedSegmentsHolder, segment: SealedSegment, options: ReindexOptions): Promise<SealedSegment | null> {
  const tmpPath = await buildReindexedFile(segment, options.indexing, options.tableDir);
  try {
    if (!holder.get().includes(segment)) {
      await rm(tmpPath, { force: true });
      return null;
    }
    faultPoint('reindex:before-rename');
    segment.retire(options.holdReplaced ? null : undefined);
    await rename(tmpPath, segment.path);
  } catch (err) {
    await rm(tmpPath, { force: true });
    throw err;
  }
  await fsyncDir(options.tableDir);
  const rebuilt = await openSegment(segment.path, { verifyChecksum: false });
  holder.set(holder.get().map((s) => (s === segment ? rebuilt : s)));
  return rebuilt;
}
