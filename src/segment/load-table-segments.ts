import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ShardtableError } from '../errors.js';
import { openSegment } from './open-segment.js';
import { SEGMENT_FILE_SUFFIX, TEMP_FILE_SUFFIX } from './seal-segment.js';
import type { SealedSegment } from './sealed-segment.js';
import { parseLlcSegmentName } from './segment-name.js';

/** Name of the folder (inside a table directory) that holds files that failed to open. */
export const QUARANTINE_DIR = 'quarantine';

export interface QuarantinedFile {
  /** File name as it was in the table directory. */
  readonly file: string;
  readonly reason: string;
}

export interface LoadedSegments {
  /** Opened segments, ordered by partition id, then sequence, then name. */
  readonly segments: SealedSegment[];
  readonly quarantined: QuarantinedFile[];
}

async function quarantine(tableDir: string, file: string): Promise<void> {
  const dir = join(tableDir, QUARANTINE_DIR);
  await mkdir(dir, { recursive: true });
  let target = join(dir, file);
  for (let n = 1; await stat(target).then(() => true, () => false); n++) target = join(dir, `${file}.${n}`);
  await rename(join(tableDir, file), target);
}

/**
 * Recovers a table directory after a restart: deletes leftover `*.seg.tmp` files (seals that
 * never committed), opens every `*.seg` (verifying its checksum), and moves any file that is
 * corrupt or of an unknown format version into `<tableDir>/quarantine/` — reported in
 * `quarantined`, never served. Other files and folders are ignored. A missing directory holds no
 * segments.
 *
 * @example
 *   const { segments, quarantined } = await loadTableSegments('/data/events');
 */
export async function loadTableSegments(tableDir: string): Promise<LoadedSegments> {
  let entries: string[];
  try {
    entries = (await readdir(tableDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { segments: [], quarantined: [] };
    throw err;
  }
  const segments: SealedSegment[] = [];
  const quarantined: QuarantinedFile[] = [];
  for (const file of entries.sort()) {
    if (file.endsWith(TEMP_FILE_SUFFIX)) {
      await rm(join(tableDir, file), { force: true });
      continue;
    }
    if (!file.endsWith(SEGMENT_FILE_SUFFIX)) continue;
    try {
      segments.push(await openSegment(join(tableDir, file)));
    } catch (err) {
      if (!(err instanceof ShardtableError)) throw err;
      await quarantine(tableDir, file);
      quarantined.push({ file, reason: err.message });
    }
  }
  const key = (s: SealedSegment): [number, number] => {
    const parsed = parseLlcSegmentName(s.name);
    return [s.metadata.partitionId, parsed?.sequence ?? 0];
  };
  segments.sort((a, b) => {
    const [pa, sa] = key(a);
    const [pb, sb] = key(b);
    return pa - pb || sa - sb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
  return { segments, quarantined };
}
