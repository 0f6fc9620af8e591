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

export interface LoadTableSegmentsOptions {
  /** The table the directory belongs to: a file whose footer names another table is refused. */
  readonly tableName?: string;
  /**
   * Orders two persisted offsets of the table's stream (negative, zero, positive). With it, a file
   * whose offset range overlaps a segment of the same shard loaded before it is refused.
   */
  readonly compareOffsets?: (a: string, b: string) => number;
  /**
   * `true` (default): each file's whole-file CRC-32 is verified before it is served (every file
   * read once). `false`: only headers, trailers and footers are read (a server's start: ready in
   * seconds however large the table); sections are checked as they are read, and the caller
   * verifies whole files later (`verifySegmentChecksum`).
   */
  readonly verifyChecksum?: boolean;
}

/** Moves a file of the table directory into its quarantine folder (never overwriting an earlier one there). */
export async function quarantine(tableDir: string, file: string): Promise<void> {
  const dir = join(tableDir, QUARANTINE_DIR);
  await mkdir(dir, { recursive: true });
  let target = join(dir, file);
  for (let n = 1; await stat(target).then(() => true, () => false); n++) target = join(dir, `${file}.${n}`);
  await rename(join(tableDir, file), target);
}

/**
 * Recovers a table directory after a restart: deletes leftover `*.seg.tmp` files (seals that
 * never committed), opens every `*.seg` (verifying its checksum), and moves into
 * `<tableDir>/quarantine/` — reported in `quarantined`, never served — any file that
 * - is corrupt or of an unknown format version;
 * - names, in its footer, another segment than its file name or another table than `tableName`
 *   (a copy of a valid file under another name would otherwise be served twice);
 * - covers offsets of its shard that a segment loaded before it (partition, sequence, name order)
 *   already covers (with `compareOffsets`).
 * Other files and folders are ignored. A missing directory holds no segments.
 *
 * @example
 *   const { segments, quarantined } = await loadTableSegments('/data/events', { tableName: 'events', compareOffsets });
 */
export async function loadTableSegments(tableDir: string, options: LoadTableSegmentsOptions = {}): Promise<LoadedSegments> {
  let entries: string[];
  try {
    entries = (await readdir(tableDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { segments: [], quarantined: [] };
    throw err;
  }
  const opened: SealedSegment[] = [];
  const quarantined: QuarantinedFile[] = [];
  const refuse = async (file: string, reason: string): Promise<void> => {
    await quarantine(tableDir, file);
    quarantined.push({ file, reason });
  };
  for (const file of entries.sort()) {
    if (file.endsWith(TEMP_FILE_SUFFIX)) {
      await rm(join(tableDir, file), { force: true });
      continue;
    }
    if (!file.endsWith(SEGMENT_FILE_SUFFIX)) continue;
    let segment: SealedSegment;
    try {
      segment = await openSegment(join(tableDir, file), { verifyChecksum: options.verifyChecksum !== false });
    } catch (err) {
      if (!(err instanceof ShardtableError)) throw err;
      await refuse(file, err.message);
      continue;
    }
    const identity = identityProblem(file, segment, options.tableName);
    if (identity === null) opened.push(segment);
    else {
      segment.close();
      await refuse(file, identity);
    }
  }
  opened.sort(bySequence);
  const segments: SealedSegment[] = [];
  const byShard = new Map<string, SealedSegment[]>();
  for (const segment of opened) {
    const shard = byShard.get(segment.metadata.shardId) ?? [];
    const clash = options.compareOffsets ? shard.find((other) => overlaps(segment, other, options.compareOffsets!)) : undefined;
    if (clash !== undefined) {
      segment.close();
      const { startOffset, endOffset, shardId } = segment.metadata;
      await refuse(fileOf(segment), `offsets ${startOffset}..${endOffset} of shard ${shardId} overlap segment ${clash.name} (${clash.metadata.startOffset}..${clash.metadata.endOffset}), already loaded: its rows would be served twice`);
      continue;
    }
    shard.push(segment);
    byShard.set(segment.metadata.shardId, shard);
    segments.push(segment);
  }
  return { segments, quarantined };
}

/** Why the footer's identity does not match the file, or null when it does. */
function identityProblem(file: string, segment: SealedSegment, tableName: string | undefined): string | null {
  const { segmentName, tableName: footerTable, partitionId } = segment.metadata;
  if (file !== segmentName + SEGMENT_FILE_SUFFIX) {
    return `footer names segment ${segmentName}, not the file name ${file} (a copied or renamed file): refused so its rows are not served twice`;
  }
  if (tableName !== undefined && footerTable !== tableName) return `footer names table ${footerTable}, not ${tableName}`;
  const parsed = parseLlcSegmentName(segmentName);
  if (parsed !== null && parsed.partitionId !== partitionId) return `segment name says partition ${parsed.partitionId}, footer says ${partitionId}`;
  return null;
}

function overlaps(a: SealedSegment, b: SealedSegment, compare: (x: string, y: string) => number): boolean {
  const { startOffset: as, endOffset: ae } = a.metadata;
  const { startOffset: bs, endOffset: be } = b.metadata;
  if (as === null || ae === null || bs === null || be === null) return false;
  return compare(as, be) <= 0 && compare(bs, ae) <= 0;
}

function fileOf(segment: SealedSegment): string {
  return segment.metadata.segmentName + SEGMENT_FILE_SUFFIX;
}

function bySequence(a: SealedSegment, b: SealedSegment): number {
  const sa = parseLlcSegmentName(a.name)?.sequence ?? 0;
  const sb = parseLlcSegmentName(b.name)?.sequence ?? 0;
  return a.metadata.partitionId - b.metadata.partitionId || sa - sb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
