import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { describeError } from '../util/describe-error.js';
import type { SealedSegment } from '../segment/index.js';

/** Folder of a table directory that holds the ledger, one file per partition. */
export const LEDGER_DIR = 'sealed-ranges';
const LEDGER_VERSION = 1;

/** One sealed segment as the ledger remembers it: enough to know its rows are missing, and where they were. */
export interface LedgerEntry {
  readonly segmentName: string;
  readonly shardId: string;
  /** First and last offsets the segment covers (persisted form); null for an empty segment. */
  readonly startOffset: string | null;
  readonly endOffset: string | null;
  readonly numDocs: number;
  readonly endOfShard: boolean;
  /**
   * Deleted on purpose (`DELETE /segments/{t}/{segment}`): its rows stay consumed (the shard
   * resumes after it) but it is no gap to repair, and a file of it found at start is removed.
   */
  readonly deleted?: true;
  /** A segment made by compaction: the segments it replaced (they are marked `deleted`). */
  readonly mergedFrom?: readonly string[];
}

/**
 * The durable list of every segment a table has sealed, per partition
 * (`<tableDir>/sealed-ranges/<partitionId>.json`), rewritten atomically (temp file, fsync, rename,
 * fsync of the folder) after each seal. A segment file is the commit; the ledger is what lets
 * recovery see that a committed file has since been deleted or damaged (its footer unreadable),
 * even the first of a partition, and re-read exactly its range (docs/exactly-once.md).
 *
 * Entries are only added after the segment file is renamed into place, so every entry names a
 * segment that was committed. A crash between the rename and the ledger write is healed on the
 * next start, which merges the footers of the loaded files in. A ledger file that cannot be read
 * is logged and treated as absent (recovery then falls back to the LLC sequence numbers).
 *
 * Writes of one partition are serialised; `hold` defers them (for a partition whose ledger is
 * absent and whose gaps are still being repaired, so a crash keeps the fallback evidence).
 */
export class SealedLedger {
  private readonly byPartition = new Map<number, LedgerEntry[]>();
  private readonly writes = new Map<number, Promise<void>>();
  private readonly held = new Set<number>();

  private constructor(private readonly dir: string, private readonly logger: Logger) {}

  static async load(tableDir: string, logger: Logger): Promise<SealedLedger> {
    const ledger = new SealedLedger(join(tableDir, LEDGER_DIR), logger);
    let files: string[] = [];
    try {
      files = await readdir(ledger.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const file of files) {
      const m = /^(\d+)\.json$/.exec(file);
      if (!m) continue;
      try {
        const parsed = parseLedger(JSON.parse(await readFile(join(ledger.dir, file), 'utf8')), Number(m[1]));
        ledger.byPartition.set(Number(m[1]), parsed);
      } catch (err) {
        logger.error({ file, err: describeError(err) }, 'sealed-range ledger unreadable; recovery falls back to segment sequence numbers for this partition');
      }
    }
    return ledger;
  }

  /** True when the partition has a (readable) ledger. */
  has(partitionId: number): boolean {
    return this.byPartition.has(partitionId);
  }

  entries(partitionId: number): readonly LedgerEntry[] {
    return this.byPartition.get(partitionId) ?? [];
  }

  partitionIds(): number[] {
    return [...this.byPartition.keys()];
  }

  /** Defers writing the partition's file until `release`. */
  hold(partitionId: number): void {
    this.held.add(partitionId);
  }

  /** Writes the partition's file now (if it has entries) and stops deferring. */
  async release(partitionId: number): Promise<void> {
    this.held.delete(partitionId);
    if (this.byPartition.has(partitionId)) await this.write(partitionId);
  }

  /** Adds the segments the ledger does not list yet, then rewrites the partition's file (unless held). */
  async record(partitionId: number, entries: readonly LedgerEntry[]): Promise<void> {
    const list = this.byPartition.get(partitionId) ?? [];
    const known = new Set(list.map((e) => e.segmentName));
    const added = entries.filter((e) => !known.has(e.segmentName));
    if (added.length === 0 && this.byPartition.has(partitionId)) return;
    this.byPartition.set(partitionId, [...list, ...added]);
    if (!this.held.has(partitionId)) await this.write(partitionId);
  }

  /** Resolves once every write started so far has finished (stop and drop wait for it). */
  async flush(): Promise<void> {
    await Promise.all([...this.writes.values()].map((w) => w.catch(() => undefined)));
  }

  /** True while the partition's writes are deferred (its gaps are being repaired). */
  isHeld(partitionId: number): boolean {
    return this.held.has(partitionId);
  }

  /**
   * Marks a segment deleted on purpose and writes the partition's file now; unlike `record`, a
   * failed write throws (the delete must not go ahead unrecorded, or a restart would repair it).
   * `added` (a rewind's replacement segments) are listed in the same atomic write.
   */
  async markDeleted(partitionId: number, entry: LedgerEntry | readonly LedgerEntry[], added: readonly LedgerEntry[] = []): Promise<void> {
    const entries = Array.isArray(entry) ? (entry as readonly LedgerEntry[]) : [entry as LedgerEntry];
    const names = new Set([...entries, ...added].map((e) => e.segmentName));
    const list = (this.byPartition.get(partitionId) ?? []).filter((e) => !names.has(e.segmentName));
    this.byPartition.set(partitionId, [...list, ...entries.map((e) => ({ ...e, deleted: true as const })), ...added]);
    const previous = this.writes.get(partitionId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.writeFile(partitionId));
    this.writes.set(partitionId, next);
    await next;
  }

  /**
   * Compaction's commit, in one atomic write of the partition's file: `added` (the merged segment)
   * is listed and every entry of `replaced` is marked deleted. Before the write the old segments
   * are the partition's; after it, the merged one is. A failed write throws.
   */
  async replace(partitionId: number, replaced: readonly LedgerEntry[], added: LedgerEntry): Promise<void> {
    const names = new Set([...replaced.map((e) => e.segmentName), added.segmentName]);
    const list = (this.byPartition.get(partitionId) ?? []).filter((e) => !names.has(e.segmentName));
    this.byPartition.set(partitionId, [...list, ...replaced.map((e) => ({ ...e, deleted: true as const })), added]);
    const previous = this.writes.get(partitionId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.writeFile(partitionId));
    this.writes.set(partitionId, next);
    await next;
  }

  private writeFile(partitionId: number): Promise<void> {
    return (async () => {
      await mkdir(this.dir, { recursive: true });
      const segments = this.byPartition.get(partitionId) ?? [];
      await writeFileAtomic(join(this.dir, `${partitionId}.json`), JSON.stringify({ version: LEDGER_VERSION, partitionId, segments }, null, 1));
    })();
  }

  private write(partitionId: number): Promise<void> {
    const previous = this.writes.get(partitionId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.writeFile(partitionId));
    this.writes.set(partitionId, next);
    return next.catch((err: unknown) => {
      // The segment file is committed either way; the next start merges its footer back in.
      this.logger.warn({ partitionId, err: describeError(err) }, 'writing the sealed-range ledger failed');
    });
  }
}

function parseLedger(json: unknown, partitionId: number): LedgerEntry[] {
  const doc = json as { version?: unknown; partitionId?: unknown; segments?: unknown };
  if (doc.version !== LEDGER_VERSION) throw new Error(`unknown ledger version ${String(doc.version)}`);
  if (doc.partitionId !== partitionId) throw new Error(`file of partition ${partitionId} says ${String(doc.partitionId)}`);
  if (!Array.isArray(doc.segments)) throw new Error('segments is not a list');
  return doc.segments.map((raw: unknown, i: number) => {
    const e = raw as Record<string, unknown>;
    const offset = (v: unknown): string | null => (v === null ? null : typeof v === 'string' ? v : bad(i));
    if (typeof e.segmentName !== 'string' || typeof e.shardId !== 'string') bad(i);
    return {
      segmentName: e.segmentName as string,
      shardId: e.shardId as string,
      startOffset: offset(e.startOffset),
      endOffset: offset(e.endOffset),
      numDocs: typeof e.numDocs === 'number' ? e.numDocs : 0,
      endOfShard: e.endOfShard === true,
      ...(e.deleted === true ? { deleted: true as const } : {}),
      ...(Array.isArray(e.mergedFrom) && e.mergedFrom.every((n) => typeof n === 'string') ? { mergedFrom: e.mergedFrom as string[] } : {}),
    };
  });
}

function bad(i: number): never {
  throw new Error(`segment entry ${i} is malformed`);
}

/** The ledger's record of a sealed segment. */
export function ledgerEntryOf(segment: SealedSegment): LedgerEntry {
  const { segmentName, shardId, startOffset, endOffset, numDocs, endOfShard } = segment.metadata;
  return { segmentName, shardId, startOffset, endOffset, numDocs, endOfShard };
}
