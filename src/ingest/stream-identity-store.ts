import { join } from 'node:path';
import { readTextIfExists } from '../util/read-optional.js';
import type { StreamIdentity } from '../spi/metadata-provider.js';
import { writeFileAtomic } from '../util/atomic-file.js';

const FILE = 'stream-identity.json';
const VERSION = 1;

/** Where partitions without a checkpoint start after a reset: the stream's oldest or newest record. */
export type ResetStart = 'smallest' | 'largest';

/** What the table recorded about the stream its checkpoints come from. */
export interface RecordedStream {
  readonly id: string;
  readonly createdAtMs: number;
  /** When this identity was first recorded (table start or reset), epoch millis. */
  readonly recordedAtMs: number;
  /** Set by a reset: partitions with no checkpoint start here, whatever `shardIteratorType` says. */
  readonly startFrom?: ResetStart;
}

/** A reset committed but not finished: the data of these partitions is being retired. */
export interface PendingRetirement {
  readonly partitionIds: readonly number[];
}

/** The file's content. Streams are keyed by their index in the table config (`"0"` today). */
interface IdentityFile {
  readonly version: number;
  readonly streams: Readonly<Record<string, RecordedStream>>;
  readonly retiring?: PendingRetirement;
}

/** How the stream reachable now compares with the recorded one. */
export type IdentityCheck =
  | { readonly kind: 'same' }
  | { readonly kind: 'unrecorded' }
  | { readonly kind: 'recreated'; readonly recorded: RecordedStream; readonly current: StreamIdentity };

/**
 * `<tableDir>/stream-identity.json`: the identity (ARN and creation time) of the stream the
 * table's checkpoints belong to, written before the first reader starts, so a stream deleted and
 * created again under the same name is never read from those checkpoints
 * (docs/exactly-once.md, "A recreated stream"). A reset rewrites it with the new identity and the
 * partitions to retire: that write is the reset's commit; retiring is finished on every start
 * until done.
 *
 * @example
 *   const store = await StreamIdentityStore.load(tableDir);
 *   const check = store.check('0', await provider.streamIdentity());
 *   if (check.kind === 'unrecorded') await store.record('0', identity);
 */
export class StreamIdentityStore {
  private constructor(private readonly path: string, private content: IdentityFile) {}

  static async load(tableDir: string): Promise<StreamIdentityStore> {
    const path = join(tableDir, FILE);
    const text = await readTextIfExists(path);
    return new StreamIdentityStore(path, text === null ? { version: VERSION, streams: {} } : parse(text, path));
  }

  recorded(streamKey: string): RecordedStream | undefined {
    return this.content.streams[streamKey];
  }

  all(): Readonly<Record<string, RecordedStream>> {
    return this.content.streams;
  }

  get retiring(): PendingRetirement | undefined {
    return this.content.retiring;
  }

  check(streamKey: string, current: StreamIdentity): IdentityCheck {
    const recorded = this.recorded(streamKey);
    if (recorded === undefined) return { kind: 'unrecorded' };
    if (recorded.id === current.id && recorded.createdAtMs === current.createdAtMs) return { kind: 'same' };
    return { kind: 'recreated', recorded, current };
  }

  /** Records the identity of a stream first seen now (a new table, or one from before this file existed). */
  async record(streamKey: string, identity: StreamIdentity): Promise<void> {
    await this.write({ ...this.content, streams: { ...this.content.streams, [streamKey]: { id: identity.id, createdAtMs: identity.createdAtMs, recordedAtMs: Date.now() } } });
  }

  /** The reset's commit: the new identity, where to start, and the partitions whose data goes. */
  async commitReset(identities: ReadonlyMap<string, StreamIdentity>, startFrom: ResetStart, partitionIds: readonly number[]): Promise<void> {
    const streams = { ...this.content.streams };
    for (const [key, identity] of identities) streams[key] = { id: identity.id, createdAtMs: identity.createdAtMs, recordedAtMs: Date.now(), startFrom };
    await this.write({ version: VERSION, streams, retiring: { partitionIds: [...partitionIds] } });
  }

  /** The retirement is done: forget it. */
  async retired(): Promise<void> {
    if (this.content.retiring === undefined) return;
    await this.write({ version: VERSION, streams: this.content.streams });
  }

  private async write(content: IdentityFile): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(content, null, 1));
    this.content = content;
  }
}

function parse(text: string, path: string): IdentityFile {
  const fail = (why: string): never => {
    throw new Error(`${path}: ${why}`);
  };
  let doc: Partial<IdentityFile>;
  try {
    doc = JSON.parse(text) as Partial<IdentityFile>;
  } catch (err) {
    return fail(`not JSON (${(err as Error).message})`);
  }
  if (doc.version !== VERSION) fail(`unknown version ${String(doc.version)}`);
  if (typeof doc.streams !== 'object' || doc.streams === null) fail('streams is not an object');
  for (const [key, s] of Object.entries(doc.streams!)) {
    if (typeof s?.id !== 'string' || typeof s.createdAtMs !== 'number') fail(`stream ${key} has no id or createdAtMs`);
  }
  if (doc.retiring !== undefined && !Array.isArray(doc.retiring.partitionIds)) fail('retiring.partitionIds is not a list');
  return doc as IdentityFile;
}
