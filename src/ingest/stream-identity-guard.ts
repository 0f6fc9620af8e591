import type { Logger } from '../logger.js';
import type { StreamIdentity, StreamMetadataProvider } from '../spi/metadata-provider.js';
import { retirePartitions } from './partition-retirement.js';
import { StreamIdentityStore } from './stream-identity-store.js';
import type { RecordedStream, ResetStart } from './stream-identity-store.js';

/** The key of a table's one stream in `stream-identity.json` (its index among the table's streams). */
const STREAM_KEY = '0';

/** `consumingSegmentsInfo` → `shardtableTable.streamIdentity`. */
export interface StreamIdentityStatus {
  /** The stream the table's checkpoints belong to; null before it was first described. */
  readonly recorded: RecordedStream | null;
  /** Set once the stream reachable under the same name is another one: the table reads nothing. */
  readonly recreated: { readonly current: StreamIdentity; readonly detectedAtMs: number; readonly message: string } | null;
}

/** What a reset did, for the API's answer. */
export interface StreamResetResult {
  readonly previous: RecordedStream;
  readonly current: StreamIdentity;
  readonly consumeFrom: ResetStart;
  readonly partitionsRetired: readonly number[];
}

/**
 * Keeps a table on the stream its checkpoints belong to (docs/exactly-once.md, "A recreated
 * stream"). `verify` runs after every listing and before any reader starts: the first time it
 * records the stream's identity (ARN and creation time); afterwards another identity under the
 * same name means the stream was deleted and created again, and the table must stop reading —
 * never resume from the old checkpoints, never restart from the horizon on its own. Only an
 * explicit reset (`commitReset`, then a new runtime) moves the table to the new stream.
 *
 * Stream types whose metadata provider has no `streamIdentity` are never checked.
 */
export class StreamIdentityGuard {
  private recreatedAs: StreamIdentityStatus['recreated'] = null;

  private constructor(
    private readonly store: StreamIdentityStore,
    private readonly tableDir: string,
    private readonly describe: { readonly stream: string; readonly table: string },
    private readonly logger: Logger,
  ) {}

  /** Loads the record and finishes a reset that was committed but not completed (crash, stop). */
  static async open(tableDir: string, describe: { readonly stream: string; readonly table: string }, logger: Logger): Promise<StreamIdentityGuard> {
    const store = await StreamIdentityStore.load(tableDir);
    const retiring = store.retiring;
    if (retiring !== undefined) {
      const report = await retirePartitions(tableDir, retiring.partitionIds);
      await store.retired();
      logger.info({ partitionIds: retiring.partitionIds, segmentsRemoved: report.segmentsRemoved.length, deadLettersMovedTo: report.deadLettersMovedTo }, 'stream reset: data of the old stream retired');
    }
    return new StreamIdentityGuard(store, tableDir, describe, logger);
  }

  /** True once the stream was found recreated: no reader may start or run. */
  get halted(): boolean {
    return this.recreatedAs !== null;
  }

  /** Where partitions without a checkpoint start after a reset; undefined = the table's own setting. */
  get startFrom(): ResetStart | undefined {
    return this.store.recorded(STREAM_KEY)?.startFrom;
  }

  status(): StreamIdentityStatus {
    return { recorded: this.store.recorded(STREAM_KEY) ?? null, recreated: this.recreatedAs };
  }

  /**
   * Compares the stream reachable now with the record (recording it when there is none). False
   * when it is another stream: the guard is halted and `status()` says what to do. Errors of the
   * describe call are thrown as the provider threw them.
   */
  async verify(provider: StreamMetadataProvider): Promise<boolean> {
    if (this.recreatedAs !== null) return false;
    if (provider.streamIdentity === undefined) return true;
    const current = await provider.streamIdentity();
    const check = this.store.check(STREAM_KEY, current);
    if (check.kind === 'same') return true;
    if (check.kind === 'unrecorded') {
      await this.store.record(STREAM_KEY, current);
      this.logger.info({ streamId: current.id, createdAtMs: current.createdAtMs }, 'stream identity recorded with the checkpoints');
      return true;
    }
    const message = recreatedMessage(this.describe, check.recorded, current);
    this.recreatedAs = { current, detectedAtMs: Date.now(), message };
    this.logger.error({ recordedId: check.recorded.id, recordedCreatedAtMs: check.recorded.createdAtMs, currentId: current.id, currentCreatedAtMs: current.createdAtMs }, message);
    return false;
  }

  /**
   * The reset's commit, with the runtime's readers stopped: the stream reachable now becomes the
   * recorded one, and these partitions' data is retired (now, and again on start if this process
   * dies first). `committed` runs right after the commit, before any file is removed (the runtime
   * stops serving the old segments there). Returns null when the stream is the recorded one.
   */
  async commitReset(provider: StreamMetadataProvider, consumeFrom: ResetStart, partitionIds: readonly number[], committed: () => void): Promise<StreamResetResult | null> {
    if (provider.streamIdentity === undefined) return null;
    const current = await provider.streamIdentity();
    const check = this.store.check(STREAM_KEY, current);
    if (check.kind !== 'recreated') return null;
    await this.store.commitReset(STREAM_KEY, current, consumeFrom, partitionIds);
    committed();
    this.logger.warn({ previousId: check.recorded.id, currentId: current.id, consumeFrom, partitionIds }, 'stream reset committed: retiring the old stream\'s segments');
    const report = await retirePartitions(this.tableDir, partitionIds);
    await this.store.retired();
    this.logger.info({ segmentsRemoved: report.segmentsRemoved.length, deadLettersMovedTo: report.deadLettersMovedTo }, 'stream reset: data of the old stream retired');
    return { previous: check.recorded, current, consumeFrom, partitionsRetired: [...partitionIds] };
  }
}

function recreatedMessage(describe: { stream: string; table: string }, recorded: RecordedStream, current: StreamIdentity): string {
  const when = (ms: number): string => new Date(ms).toISOString();
  return `stream ${describe.stream} was deleted and created again: this table's checkpoints belong to ${recorded.id} created ${when(recorded.createdAtMs)}, ` +
    `the stream now is ${current.id} created ${when(current.createdAtMs)}. Nothing is read from the new stream and the sealed rows of the old one are still served. ` +
    `To drop the old stream's rows and read the new stream: POST /tables/${describe.table}/resetStream?consumeFrom=smallest (or largest), ` +
    `or npx shardtable reset-stream ${describe.table}`;
}
