import { mkdir, open, readdir, readFile, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists } from '../util/read-optional.js';

/** Folder under a table's data dir that holds one `<shardId>.jsonl` file per shard. */
export const DEAD_LETTER_DIR = 'dead-letter';

/** One dead-lettered record: a JSON line of `<tableDir>/dead-letter/<shard>.jsonl`. */
export interface DeadLetterEntry {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** Why the record has no row. */
  readonly reason: string;
  readonly arrivalTimeMs: number;
  readonly deadLetteredAtMs: number;
  readonly sizeBytes: number;
  /** The record's bytes, base64. */
  readonly valueBase64: string;
}

const fileName = (shardId: string): string => `${shardId.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`;

/**
 * Appends one shard's dead letters. Each line is fsync'd before `append` resolves, so a record is
 * only counted consumed once its dead letter is on disk. A record read again after a restart (its
 * segment was not sealed) is not written twice: sequence numbers of a shard only grow, so an entry
 * at or below the last one in the file is a duplicate. A torn last line (crash mid-write) is cut
 * off when the file is opened.
 *
 * @example
 *   const file = await DeadLetterFile.open(tableDir, 'shardId-000000000000');
 *   await file.append(entry); // false when it was already there
 */
export class DeadLetterFile {
  private constructor(
    private readonly handle: FileHandle,
    private last: bigint | null,
  ) {}

  static async open(tableDir: string, shardId: string): Promise<DeadLetterFile> {
    const dir = join(tableDir, DEAD_LETTER_DIR);
    await mkdir(dir, { recursive: true });
    const path = join(dir, fileName(shardId));
    let last: bigint | null = null;
    const text = (await readTextIfExists(path)) ?? '';
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) await truncate(path, Buffer.byteLength(text.slice(0, end)));
    for (const line of text.slice(0, end).split('\n')) {
      if (line === '') continue;
      const seq = BigInt((JSON.parse(line) as DeadLetterEntry).sequenceNumber);
      if (last === null || seq > last) last = seq;
    }
    return new DeadLetterFile(await open(path, 'a'), last);
  }

  /** Appends and fsyncs; false (nothing written) when the record is already in the file. */
  async append(entry: DeadLetterEntry): Promise<boolean> {
    const seq = BigInt(entry.sequenceNumber);
    if (this.last !== null && seq <= this.last) return false;
    await this.handle.write(`${JSON.stringify(entry)}\n`);
    await this.handle.sync();
    this.last = seq;
    return true;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * A table's dead letters, oldest first across shards (by dead-letter time), the last `limit` of
 * them, and how many there are in all.
 */
export async function readDeadLetters(tableDir: string, options: { limit: number; shardId?: string }): Promise<{ total: number; entries: DeadLetterEntry[] }> {
  const dir = join(tableDir, DEAD_LETTER_DIR);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { total: 0, entries: [] };
    throw err;
  }
  if (options.shardId !== undefined) files = files.filter((f) => f === fileName(options.shardId!));
  const all: DeadLetterEntry[] = [];
  for (const f of files.sort()) {
    const text = await readFile(join(dir, f), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        all.push(JSON.parse(line) as DeadLetterEntry);
      } catch {
        // A torn last line (crash mid-append) is cut off on the next open; skip it here.
      }
    }
  }
  all.sort((a, b) => a.deadLetteredAtMs - b.deadLetteredAtMs);
  return { total: all.length, entries: all.slice(Math.max(0, all.length - options.limit)) };
}
