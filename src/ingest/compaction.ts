import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import { ConsumingSegment, openSegment, sealSegment, segmentRows, SEGMENT_FILE_SUFFIX } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import { fsyncDir } from '../util/atomic-file.js';
import { faultPoint } from '../util/fault-points.js';
import type { CompactionSettings } from './compaction-config.js';
import type { SealedLedger } from './sealed-ledger.js';
import type { SealedSegmentsHolder } from './segment-retirement.js';
import { ledgerEntryOf } from './sealed-ledger.js';

/** Suffix of a merged segment written but not yet committed (never served; recovery settles it). */
export const MERGING_FILE_SUFFIX = '.seg.merging';

/** What one merge needs from its table. */
export interface CompactionContext {
  readonly holder: SealedSegmentsHolder & { readonly ledger: SealedLedger };
  readonly tableDir: string;
  readonly schema: TableSchema;
  readonly config: TableConfig;
  readonly settings: CompactionSettings;
  /** Orders two persisted offsets of the table's stream. */
  readonly compareOffsets: (a: string, b: string) => number;
  /** Creation time of merged segments (unique per partition: each merge takes a later one). */
  readonly now: () => number;
}

/**
 * Runs of adjacent small segments of one shard to merge, each of at least `minSegments` and at
 * most `maxRowsPerSegment` rows. Adjacent = consecutive in offset order among the shard's served
 * segments, so a merged segment covers exactly its inputs' offset range and never overlaps another
 * segment. Empty segments (no rows: an end-of-shard marker, or records that all failed) end a run,
 * and so does a hole: a segment the `ledger` lists (not deleted) but the table no longer serves
 * (quarantined, its rows being re-read) — a merge across it would overlap its repair segment.
 */
export function planMerges(
  segments: readonly SealedSegment[],
  settings: CompactionSettings,
  compareOffsets: (a: string, b: string) => number,
  ledger?: Pick<SealedLedger, 'entries'>,
): SealedSegment[][] {
  const served = new Set(segments.map((s) => s.name));
  const holeBetween = (a: SealedSegment, b: SealedSegment): boolean =>
    ledger !== undefined &&
    ledger.entries(a.metadata.partitionId).some((e) =>
      e.deleted !== true && !served.has(e.segmentName) && e.shardId === a.metadata.shardId && e.startOffset !== null &&
      compareOffsets(e.startOffset, a.metadata.startOffset!) > 0 && compareOffsets(e.startOffset, b.metadata.startOffset!) < 0);
  const byShard = new Map<string, SealedSegment[]>();
  for (const s of segments) if (s.metadata.startOffset !== null) byShard.set(s.metadata.shardId, [...(byShard.get(s.metadata.shardId) ?? []), s]);
  const runs: SealedSegment[][] = [];
  for (const list of byShard.values()) {
    list.sort((a, b) => compareOffsets(a.metadata.startOffset!, b.metadata.startOffset!));
    let run: SealedSegment[] = [];
    let rows = 0;
    const close = (): void => {
      if (run.length >= settings.minSegments) runs.push(run);
      run = [];
      rows = 0;
    };
    for (const s of list) {
      const small = s.numDocs > 0 && s.numDocs < settings.smallSegmentRows && !s.metadata.endOfShard;
      if (!small) {
        close();
        continue;
      }
      if (rows + s.numDocs > settings.maxRowsPerSegment || (run.length > 0 && holeBetween(run[run.length - 1]!, s))) close();
      run.push(s);
      rows += s.numDocs;
    }
    close();
  }
  return runs;
}


/**
 * Merges one run of adjacent segments into one, atomically for readers and for crashes:
 * 1. the merged file is built (seal worker) and published as `<name>.seg.merging` — not served,
 *    and deleted by recovery if the process dies now (the inputs still answer);
 * 2. **commit**: one atomic write of the partition's ledger lists the merged segment (with
 *    `mergedFrom`) and marks the inputs deleted — recovery from then on rolls forward: renames the
 *    `.merging` file and removes the inputs' files, so the table answers the same either way;
 * 3. the file is renamed to `<name>.seg`;
 * 4. in one tick the served list loses the inputs and gains the merged segment (readers see the
 *    old set or the new one); the inputs are retired, then their files removed.
 * The merged segment keeps the shard checkpoint: its offsets run from the first input's start to
 * the last input's end. Returns the merged segment, or null when an input stopped being served
 * (deleted, dropped, quarantined) before the commit — then nothing changed.
 */
export async function mergeSegments(ctx: CompactionContext, inputs: readonly SealedSegment[]): Promise<SealedSegment | null> {
  const first = inputs[0]!;
  const last = inputs[inputs.length - 1]!;
  const { partitionId, shardId, tableName } = first.metadata;
  const createdAtMs = ctx.now();
  const segmentName = `${tableName}__${partitionId}__merged__${createdAtMs}`;
  const building = new ConsumingSegment({
    identity: { tableName, segmentName, partitionId, shardId },
    schema: ctx.schema,
    indexing: ctx.config.indexing,
    ...(ctx.config.timeColumnName !== undefined ? { timeColumnName: ctx.config.timeColumnName } : {}),
    ...(ctx.config.rollup ? { rollup: ctx.config.rollup } : {}),
    createdAtMs: Math.min(...inputs.map((s) => s.metadata.consumingStartTimeMs)),
  });
  // A rollup table's merged segment rolls rows of equal dimensions up across its inputs too, as
  // they are added (no list of every input row in memory).
  for (const input of inputs) {
    for (const row of segmentRows(input)) building.index(row, input.metadata.startOffset!, input.metadata.creationTimeMs);
  }
  building.markConsumed(last.metadata.endOffset!);
  const merging = await sealSegment(building, { tableDir: ctx.tableDir, endOfShard: false, creationTimeMs: createdAtMs, fileSuffix: MERGING_FILE_SUFFIX });
  merging.close();
  faultPoint('compaction:after-merging-file');
  const served = new Set(ctx.holder.get());
  if (!inputs.every((s) => served.has(s)) || ctx.holder.ledger.isHeld(partitionId)) {
    await unlink(merging.path).catch(() => undefined);
    return null;
  }
  const finalPath = join(ctx.tableDir, segmentName + SEGMENT_FILE_SUFFIX);
  await ctx.holder.ledger.replace(partitionId, inputs.map(ledgerEntryOf), { ...ledgerEntryOf(merging), mergedFrom: inputs.map((s) => s.name) });
  faultPoint('compaction:after-ledger');
  await rename(merging.path, finalPath);
  await fsyncDir(ctx.tableDir);
  faultPoint('compaction:after-rename');
  const merged = await openSegment(finalPath, { verifyChecksum: false });
  const going = new Set(inputs);
  ctx.holder.set([...ctx.holder.get().filter((s) => !going.has(s)), merged]);
  for (const s of inputs) s.retire();
  for (const s of inputs) await unlink(s.path).catch(() => undefined);
  ctx.holder.logger.info({ merged: segmentName, mergedFrom: inputs.map((s) => s.name), rows: merged.numDocs }, `compaction merged ${inputs.length} segments`);
  return merged;
}

/**
 * Recovery's half of compaction, before segment files are loaded: a `.seg.merging` file whose
 * segment the ledger lists (the merge committed) is renamed into place; any other is deleted (the
 * merge never committed: its inputs answer). Files of segments the ledger marks deleted (merge
 * inputs, deleted and retired segments) are removed first, so they never meet their merged
 * segment as an overlap.
 */
export async function settleCompactions(tableDir: string, ledger: SealedLedger): Promise<void> {
  let files: string[];
  try {
    files = await readdir(tableDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const live = new Set<string>();
  const deleted = new Set<string>();
  for (const p of ledger.partitionIds()) for (const e of ledger.entries(p)) (e.deleted ? deleted : live).add(e.segmentName);
  for (const file of files) {
    if (file.endsWith(MERGING_FILE_SUFFIX)) {
      const name = file.slice(0, -MERGING_FILE_SUFFIX.length);
      if (live.has(name)) await rename(join(tableDir, file), join(tableDir, name + SEGMENT_FILE_SUFFIX));
      else await unlink(join(tableDir, file));
    } else if (file.endsWith(SEGMENT_FILE_SUFFIX) && deleted.has(file.slice(0, -SEGMENT_FILE_SUFFIX.length))) {
      await unlink(join(tableDir, file));
    }
  }
  await fsyncDir(tableDir);
}
