import type { Logger } from '../logger.js';
import type { StreamIdentity } from '../spi/metadata-provider.js';
import type { StreamIdentities } from './table-streams.js';
import { retirePartitions } from './partition-retirement.js';
import { StreamIdentityStore } from './stream-identity-store.js';
import type { RecordedStream, ResetStart } from './stream-identity-store.js';

/** `consumingSegmentsInfo` → `shardtableTable.streamIdentity`. */
export interface StreamIdentityStatus {
  /** Per stream (key: its index in the config), the stream the table's checkpoints belong to. */
  readonly recorded: Readonly<Record<string, RecordedStream>>;
  /** The streams found to be another one under the same name: the table reads nothing. Empty otherwise. */
  readonly recreated: readonly RecreatedStream[];
}

export interface RecreatedStream {
  readonly key: string;
  readonly label: string;
  readonly current: StreamIdentity;
  readonly detectedAtMs: number;
  readonly message: string;
}

/** What a reset did, for the API's answer. */
export interface StreamResetResult {
  readonly streams: readonly { readonly label: string; readonly previous: RecordedStream; readonly current: StreamIdentity }[];
  readonly consumeFrom: ResetStart;
  readonly partitionsRetired: readonly number[];
}

/**
 * Keeps a table on the streams its checkpoints belong to (docs/exactly-once.md, "A recreated
 * stream"). `verify` runs after every listing and before any reader starts: the first time it
 * records each stream's identity (ARN and creation time); afterwards another identity under the
 * same name means the stream was deleted and created again, and the table must stop reading —
 * never resume from the old checkpoints, never restart from the horizon on its own. Only an
 * explicit reset (`commitReset`, then a new runtime) moves the table to the new stream.
 *
 * Streams whose type cannot tell its identity (`identity: null`) are never checked.
 */
export class StreamIdentityGuard {
  private recreatedAs: RecreatedStream[] = [];
  private confirming: Promise<boolean> | null = null;

  private constructor(
    private readonly store: StreamIdentityStore,
    private readonly tableDir: string,
    private readonly tableName: string,
    private readonly logger: Logger,
  ) {}

  /** Loads the record and finishes a reset that was committed but not completed (crash, stop). */
  static async open(tableDir: string, tableName: string, logger: Logger): Promise<StreamIdentityGuard> {
    const store = await StreamIdentityStore.load(tableDir);
    const retiring = store.retiring;
    if (retiring !== undefined) {
      const report = await retirePartitions(tableDir, retiring.partitionIds);
      await store.retired();
      logger.info({ partitionIds: retiring.partitionIds, segmentsRemoved: report.segmentsRemoved.length, deadLettersMovedTo: report.deadLettersMovedTo }, 'stream reset: data of the old stream retired');
    }
    return new StreamIdentityGuard(store, tableDir, tableName, logger);
  }

  /** True once a stream was found recreated: no reader may start or run. */
  get halted(): boolean {
    return this.recreatedAs.length > 0;
  }

  /** Where partitions of stream `key` without a checkpoint start after a reset; undefined = the table's own setting. */
  startFrom(key: string): ResetStart | undefined {
    return this.store.recorded(key)?.startFrom;
  }

  status(): StreamIdentityStatus {
    return { recorded: this.store.all(), recreated: this.recreatedAs };
  }

  /** One line for `ingestion.lastError`: every recreated stream and what to do. */
  get message(): string {
    return this.recreatedAs.map((r) => r.message).join(' ');
  }

  /**
   * Compares the streams reachable now with the record (recording those without one). False when
   * any is another stream: the guard is halted and `status()` says what to do. Errors of the
   * describe calls are thrown as the providers threw them.
   */
  async verify(source: StreamIdentities): Promise<boolean> {
    if (this.halted) return false;
    const found: RecreatedStream[] = [];
    for (const { key, label, identity } of await source.identities()) {
      if (identity === null) continue;
      const check = this.store.check(key, identity);
      if (check.kind === 'unrecorded') {
        await this.store.record(key, identity);
        this.logger.info({ stream: label, streamId: identity.id, createdAtMs: identity.createdAtMs }, 'stream identity recorded with the checkpoints');
      } else if (check.kind === 'recreated') {
        const message = recreatedMessage(label, this.tableName, check.recorded, identity);
        found.push({ key, label, current: identity, detectedAtMs: Date.now(), message });
        this.logger.error({ stream: label, recordedId: check.recorded.id, recordedCreatedAtMs: check.recorded.createdAtMs, currentId: identity.id, currentCreatedAtMs: identity.createdAtMs }, message);
      }
    }
    this.recreatedAs = found;
    return found.length === 0;
  }

  /**
   * Before a seal: is every stream still the recorded one? Like `verify`, but a describe call that
   * fails counts as yes (seals do not depend on the control plane answering; the listings keep
   * checking), and concurrent calls share one round of calls. Closes the window between a
   * recreation and the next listing, in which a shard iterator that still answers (kinesalite
   * keeps old iterators working on the new stream) could deliver the new stream's records.
   */
  confirm(source: StreamIdentities): Promise<boolean> {
    if (this.halted) return Promise.resolve(false);
    this.confirming ??= this.verify(source)
      .catch((err: unknown) => {
        this.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'stream identity not checked before a seal (describe failed); sealing');
        return true;
      })
      .finally(() => (this.confirming = null));
    return this.confirming;
  }

  /**
   * The reset's commit, with the runtime's readers stopped: every stream reachable now that is
   * another one than recorded becomes the recorded one, and the partitions `partitionsOf` gives for
   * those streams' keys are retired (now, and again on start if this process dies first).
   * `committed` runs right after the commit, before any file is removed (the runtime stops serving
   * the old segments there). Returns null when no stream was recreated.
   */
  async commitReset(source: StreamIdentities, consumeFrom: ResetStart, partitionsOf: (keys: ReadonlySet<string>) => number[], committed: (partitionIds: readonly number[]) => void): Promise<StreamResetResult | null> {
    const changed: { key: string; label: string; previous: RecordedStream; current: StreamIdentity }[] = [];
    for (const { key, label, identity } of await source.identities()) {
      if (identity === null) continue;
      const check = this.store.check(key, identity);
      if (check.kind === 'recreated') changed.push({ key, label, previous: check.recorded, current: identity });
    }
    if (changed.length === 0) return null;
    const partitionIds = partitionsOf(new Set(changed.map((c) => c.key)));
    await this.store.commitReset(new Map(changed.map((c) => [c.key, c.current])), consumeFrom, partitionIds);
    committed(partitionIds);
    this.logger.warn({ streams: changed.map((c) => c.label), consumeFrom, partitionIds }, 'stream reset committed: retiring the old streams\' segments');
    const report = await retirePartitions(this.tableDir, partitionIds);
    await this.store.retired();
    this.logger.info({ segmentsRemoved: report.segmentsRemoved.length, deadLettersMovedTo: report.deadLettersMovedTo }, 'stream reset: data of the old stream retired');
    return { streams: changed.map(({ label, previous, current }) => ({ label, previous, current })), consumeFrom, partitionsRetired: partitionIds };
  }
}

function recreatedMessage(stream: string, table: string, recorded: RecordedStream, current: StreamIdentity): string {
  const when = (ms: number): string => new Date(ms).toISOString();
  return `stream ${stream} was deleted and created again: this table's checkpoints belong to ${recorded.id} created ${when(recorded.createdAtMs)}, ` +
    `the stream now is ${current.id} created ${when(current.createdAtMs)}. Nothing is read from the new stream and the sealed rows of the old one are still served. ` +
    `To drop the old stream's rows and read the new stream: POST /tables/${table}/resetStream?consumeFrom=smallest (or largest), ` +
    `or npx shardtable reset-stream ${table}.`;
}
