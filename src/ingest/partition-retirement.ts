import { readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLlcSegmentName, SEGMENT_FILE_SUFFIX } from '../segment/index.js';
import { fsyncDir } from '../util/atomic-file.js';
import { DEAD_LETTER_DIR } from './dead-letter.js';
import { LEDGER_DIR } from './sealed-ledger.js';

/** What one retirement removed. */
export interface RetirementReport {
  readonly segmentsRemoved: readonly string[];
  /** Where the dead letters of the retired stream were moved, or null when there were none. */
  readonly deadLettersMovedTo: string | null;
}

/**
 * Retires everything a table consumed into these partitions, for a stream reset
 * (docs/exactly-once.md, "A recreated stream"): the partitions' sealed-range ledgers first (so
 * no checkpoint of them survives), then their segment files, and the dead-letter folder moved
 * aside to `dead-letter-before-reset-<ms>` (its files are keyed by shard id, which a new stream
 * reuses). Idempotent: the caller commits the retirement before (stream-identity.json) and calls
 * this again on every start until it returns, so a crash in the middle only leaves less to do.
 * The table's runtime must not be running: nothing may seal into these partitions meanwhile.
 */
export async function retirePartitions(tableDir: string, partitionIds: readonly number[], nowMs: number = Date.now()): Promise<RetirementReport> {
  const retired = new Set(partitionIds);
  const ledgerDir = join(tableDir, LEDGER_DIR);
  for (const partitionId of retired) await rm(join(ledgerDir, `${partitionId}.json`), { force: true });
  await fsyncDir(ledgerDir).catch(() => undefined);

  const segmentsRemoved: string[] = [];
  for (const file of await readdir(tableDir)) {
    if (!file.endsWith(SEGMENT_FILE_SUFFIX)) continue;
    const name = parseLlcSegmentName(file.slice(0, -SEGMENT_FILE_SUFFIX.length));
    if (name === null || !retired.has(name.partitionId)) continue;
    await unlink(join(tableDir, file));
    segmentsRemoved.push(file.slice(0, -SEGMENT_FILE_SUFFIX.length));
  }
  await fsyncDir(tableDir);

  let deadLettersMovedTo: string | null = `${DEAD_LETTER_DIR}-before-reset-${nowMs}`;
  try {
    await rename(join(tableDir, DEAD_LETTER_DIR), join(tableDir, deadLettersMovedTo));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    deadLettersMovedTo = null;
  }
  return { segmentsRemoved, deadLettersMovedTo };
}
