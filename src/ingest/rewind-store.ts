import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists } from '../util/read-optional.js';
import type { Logger } from '../logger.js';
import { parseLlcSegmentName } from '../segment/index.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { SealedLedger } from './sealed-ledger.js';

const FILE = 'rewind.json';
const VERSION = 1;

/**
 * Where a table is rewound to: the first record that arrived at or after `ms` (`timestamp`), the
 * oldest record the stream holds (`trimHorizon`, also `resumeConsumption?consumeFrom=smallest`),
 * or the records arriving from `ms` on with nothing replaced (`latest`, `consumeFrom=largest`).
 */
export type RewindTarget = { readonly kind: 'timestamp'; readonly ms: number } | { readonly kind: 'trimHorizon' } | { readonly kind: 'latest'; readonly ms: number };

/** Where a rewound partition's reader starts while none of the rewind's own segments is committed. */
export type RewindStart = { readonly after: string } | { readonly oldest: true } | { readonly atTimestampMs: number };

/** One partition's part of a rewind, durable from the rewind's commit until its last old segment is replaced. */
export interface RewindPartition {
  readonly shardId: string;
  readonly partitionId: number;
  /** LLC sequence number of the rewind's first segment; the rewind's segments are numbered from here. */
  readonly firstSequence: number;
  readonly start: RewindStart;
  /** The old sealed segments the rewind replaces, in offset order; each is retired when the replacements reach its end. */
  readonly replaces: readonly string[];
  /** Records below this offset (persisted form) are indexed only when they arrived at or after `keepFromMs`. */
  readonly skipBelow: string | null;
  readonly keepFromMs: number | null;
}

/** `<tableDir>/rewind.json`. */
export interface RewindRecord {
  readonly version: number;
  readonly target: RewindTarget;
  readonly requestedAtMs: number;
  /** Partitions still replacing; empty once done. */
  readonly partitions: Readonly<Record<string, RewindPartition>>;
  readonly doneAtMs?: number;
  /** Why a rewind that planned no partition was done at once (nothing was replayed). */
  readonly note?: string;
}

/**
 * The durable intent of a rewind (docs/exactly-once.md, "Rewind"): written before any rewound
 * reader starts — **this write is the rewind's commit** — and shrunk as partitions finish. On start,
 * `open` removes the segment files of unfinished partitions that the rewind sealed but had not yet
 * swapped in (not live in the ledger): their rows are read again, as any uncommitted row is.
 */
export class RewindStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string, private content: RewindRecord | null) {}

  static async open(tableDir: string, tableName: string, logger: Logger): Promise<RewindStore> {
    const path = join(tableDir, FILE);
    const text = await readTextIfExists(path);
    const store = new RewindStore(path, text === null ? null : parse(text, path));
    const unfinished = Object.values(store.content?.partitions ?? {});
    if (unfinished.length > 0) await removeUnswapped(tableDir, tableName, unfinished, logger);
    return store;
  }

  get record(): RewindRecord | null {
    return this.content;
  }

  /** The unfinished part of the rewind for this shard, if any. */
  partition(shardId: string): RewindPartition | undefined {
    return this.content?.partitions[shardId];
  }

  get unfinished(): string[] {
    return Object.keys(this.content?.partitions ?? {});
  }

  /** The rewind's commit. */
  async begin(target: RewindTarget, partitions: readonly RewindPartition[], note?: string): Promise<void> {
    const done = partitions.length === 0 ? { doneAtMs: Date.now(), ...(note !== undefined ? { note } : {}) } : {};
    await this.write({ version: VERSION, target, requestedAtMs: Date.now(), partitions: Object.fromEntries(partitions.map((p) => [p.shardId, p])), ...done });
  }

  /** A partition replaced its last old segment (or committed its first segment when it replaced none). */
  finished(shardId: string): Promise<void> {
    // Serialised: partitions finishing at once must each see the others' removals.
    const run = this.writing.catch(() => undefined).then(async () => {
      const current = this.content;
      if (current?.partitions[shardId] === undefined) return;
      const partitions = { ...current.partitions };
      delete partitions[shardId];
      await this.write({ version: VERSION, target: current.target, requestedAtMs: current.requestedAtMs, partitions, ...(Object.keys(partitions).length === 0 ? { doneAtMs: Date.now() } : {}) });
    });
    this.writing = run;
    return run;
  }

  private async write(content: RewindRecord): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(content, null, 1));
    this.content = content;
  }
}

/** Before recovery loads any file: a rewind's sealed segment that was never swapped in is not committed. */
async function removeUnswapped(tableDir: string, tableName: string, partitions: readonly RewindPartition[], logger: Logger): Promise<void> {
  const ledger = await SealedLedger.load(tableDir, logger);
  const byPartition = new Map(partitions.map((p) => [p.partitionId, p]));
  for (const file of await readdir(tableDir)) {
    if (!file.endsWith('.seg')) continue;
    const name = file.slice(0, -'.seg'.length);
    const llc = parseLlcSegmentName(name);
    const plan = llc === null || llc.tableName !== tableName ? undefined : byPartition.get(llc.partitionId);
    if (plan === undefined || llc!.sequence < plan.firstSequence) continue;
    const live = ledger.entries(plan.partitionId).some((e) => e.segmentName === name && e.deleted !== true);
    if (live) continue;
    await unlink(join(tableDir, file));
    logger.info({ segment: name, shardId: plan.shardId }, 'rewind: a replacement segment sealed but not swapped in before the stop is removed; its records are read again');
  }
}

function parse(text: string, path: string): RewindRecord {
  let doc: Partial<RewindRecord>;
  try {
    doc = JSON.parse(text) as Partial<RewindRecord>;
  } catch (err) {
    throw new Error(`${path}: not JSON (${(err as Error).message})`);
  }
  if (doc.version !== VERSION) throw new Error(`${path}: unknown version ${String(doc.version)}`);
  if (typeof doc.partitions !== 'object' || doc.partitions === null || typeof doc.target !== 'object') throw new Error(`${path}: no target or partitions`);
  for (const [shardId, p] of Object.entries(doc.partitions)) {
    if (typeof p?.partitionId !== 'number' || typeof p.firstSequence !== 'number' || !Array.isArray(p.replaces) || typeof p.start !== 'object') throw new Error(`${path}: partition ${shardId} is malformed`);
  }
  return doc as RewindRecord;
}
