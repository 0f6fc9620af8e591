import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import type { ConsumingSegment, SealedSegment } from '../segment/index.js';
import type { MessageBatch } from '../spi/message-batch.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { StreamOffset } from '../spi/offset.js';
import { PermanentStreamError, TransientStreamError } from '../spi/partition-consumer.js';
import type { PartitionConsumer } from '../spi/partition-consumer.js';
import { ABORTED, abortable } from '../util/abortable.js';
import { describeError } from '../util/describe-error.js';
import { Backoff, sleep } from './backoff.js';
import { PartitionCounters } from './partition-counters.js';
import { PartitionSealer } from './partition-sealer.js';
import { RETRYING_AFTER_FAILED_FETCHES } from './partition-status.js';
import type { PartitionState, PartitionStatus } from './partition-status.js';
import { PauseGate } from './pause-gate.js';
import { RecordIndexer } from './record-indexer.js';
import type { KeyedRows, UpsertKeyMap } from '../upsert/index.js';
import type { RecordPipeline } from './record-pipeline.js';
import { ThrottledLog } from './throttled-log.js';
import { applyBound } from './ingest-bound.js';
import type { IngestBound } from './ingest-bound.js';
import type { RewindCursor } from './rewind-cursor.js';

export interface PartitionIngesterOptions {
  readonly tableDir: string;
  readonly schema: TableSchema;
  readonly config: TableConfig;
  readonly partition: PartitionInfo;
  readonly consumer: PartitionConsumer;
  /** The partition's record pipeline (decoder, transforms), from `ResolvedTable.pipelineFor`. */
  readonly pipeline: RecordPipeline;
  readonly fetchTimeoutMs: number;
  /** Resume strictly after this offset (the last sealed segment's end); null = initial position. */
  readonly checkpoint: StreamOffset | null;
  /** For status: where this partition started ("after <seq>" or the initial iterator type). */
  readonly startedFrom: string;
  /** LLC sequence number of the next segment of this partition. */
  readonly nextSequence: number;
  /**
   * Called synchronously right after a segment file is published and before the next consuming
   * segment replaces the sealed one, so a query never sees the rows twice or not at all.
   */
  readonly onSealed: (segment: SealedSegment) => void;
  /** Called once the shard's last segment (marked end of shard) is published. */
  readonly onEnded: () => void;
  readonly logger: Logger;
  readonly now?: () => number;
  /** First retry ceiling and cap of the fetch backoff, millis (default 100 and 10 000; seals: 500 and 30 000). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Upsert or dedup tables: the table's one key map (shared by all its partitions). */
  readonly keyed?: { readonly rows: KeyedRows; readonly upsert?: UpsertKeyMap };
  /** A bounded run: stop at the tip as of `asOfMs`, after sealing what was read (`finished` then true). */
  readonly bound?: IngestBound;
  /** Runs before each seal; a throw fails the seal (see `PartitionSealerOptions.beforeSeal`). */
  readonly beforeSeal?: () => Promise<void>;
  /** Cluster mode: commits each built file before it is published (`PartitionSealerOptions.commit`). */
  readonly commit?: (segment: SealedSegment) => Promise<void>;
  /** A rewound partition: replays into hidden segments swapped in at the old segments' ends (`rewind-cursor.ts`). */
  readonly rewind?: RewindCursor;
}

/**
 * Consumes one partition (Kinesis shard) into consuming segments, in its own fetch loop. Its
 * parts: the `RecordIndexer` puts each record into the segment (pipeline, bad-record policy, dead
 * letters), the `PartitionSealer` seals and rolls segments, `PartitionCounters` keeps what status
 * shows, and the `PauseGate` holds the loop between fetches while the table is paused.
 *
 * Exactly-once: a consuming segment is only in memory; the sealed file records the last offset
 * it covers, and a restart resumes after it. A record's rows share its offset and seals happen
 * only between records. Bad records follow the table's policy (`skip`, `deadLetter`: consumed and
 * counted, so not re-read after the next seal; `fail`: the partition stops before consuming it).
 * Filtered records are consumed without a row.
 */
export class PartitionIngester {
  private lastOffset: StreamOffset | null;
  private state: PartitionState = 'CONSUMING';
  private readonly gate = new PauseGate();
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private done = false;
  private readonly counters = new PartitionCounters();
  private readonly sealer: PartitionSealer;
  /** Fetch retries; reset by every successful fetch. */
  private readonly backoff: Backoff;
  private readonly throttledLog = new ThrottledLog();
  private readonly now: () => number;
  private readonly records: RecordIndexer;
  /** The segment a user asked to seal (`requestSeal`), sealed by the fetch loop between batches. */
  private sealRequested: string | null = null;
  /** Callers of `sealThenStop` waiting for the requested seal. */
  private sealWaiters: (() => void)[] = [];

  constructor(private readonly options: PartitionIngesterOptions) {
    this.now = options.now ?? Date.now;
    const { tableDir, schema, config, partition, pipeline, logger } = options;
    const { counters, throttledLog, now } = this;
    const keyed = options.keyed;
    this.records = new RecordIndexer({ tableDir, schema, config, partition, pipeline, counters, throttledLog, logger, now, ...(keyed ? { keyed: keyed.rows } : {}) });
    this.backoff = new Backoff(options.backoff?.baseMs ?? 100, options.backoff?.maxMs ?? 10_000);
    this.lastOffset = options.checkpoint;
    this.sealer = new PartitionSealer({
      tableDir,
      schema,
      config,
      partition,
      nextSequence: options.nextSequence,
      published: (sealed, endOfShard) => {
        options.onSealed(sealed);
        if (endOfShard) this.state = 'ENDED';
      },
      counters,
      throttledLog,
      logger,
      now,
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
      ...(keyed?.upsert ? { upsert: keyed.upsert } : {}),
      ...(keyed ? { keyed: keyed.rows } : {}),
      ...(options.beforeSeal ? { beforeSeal: options.beforeSeal } : {}),
      ...(options.commit ? { commit: options.commit } : {}),
    });
  }

  get partitionId(): number {
    return this.options.partition.partitionId;
  }

  /** The live consuming segment; queries read a prefix of it. */
  get consumingSegment(): ConsumingSegment | null {
    return this.state === 'ENDED' ? null : this.sealer.segment;
  }

  start(): void {
    this.loop ??= this.run()
      .catch((err: unknown) => {
        this.fail(`ingestion loop stopped: ${describeError(err)}`);
      })
      .finally(() => {
        this.done = true;
        this.gate.endWork();
        this.wakeSealWaiters();
      });
  }

  /** True once the fetch loop has returned: ended, stopped on an error, at its bound, or stopped. */
  get finished(): boolean {
    return this.done;
  }

  /** Stops fetching; the consuming segment is abandoned (its rows are re-read after a restart). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.gate.release();
    await this.loop;
    if (this.state !== 'ENDED' && this.state !== 'ERROR') this.state = 'STOPPED';
    await this.options.consumer.close();
    await this.records.close();
  }

  /**
   * Seals the consuming segment (as `requestSeal`), waits until it is published (or the loop ended),
   * then stops: every row it held is in a committed file. A rewind starts from there.
   */
  async sealThenStop(): Promise<void> {
    const name = this.requestSeal();
    if (name !== null && !this.done) await new Promise<void>((resolve) => this.sealWaiters.push(resolve));
    await this.stop();
  }

  private wakeSealWaiters(): void {
    const waiters = this.sealWaiters;
    this.sealWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Stops fetching without sealing or dropping anything; `resume()` continues where it was.
   * Resolves once no fetch is in flight (one already running finishes and its records are
   * indexed, so status stands still); no fetch starts until `resume()`.
   */
  async pause(): Promise<void> {
    await this.gate.pause();
  }

  resume(): void {
    this.gate.resume();
  }

  /**
   * Seal now (Pinot's force commit): asks the fetch loop, the segment's only writer, to seal the
   * consuming segment through the partition sealer once the batch in hand is indexed (at once when
   * paused or idle; after the fetch in flight otherwise). Returns the name of the segment that
   * will be sealed, or null when there is nothing to seal: the segment is empty, or the loop no
   * longer runs (shard ended, stopped, failed).
   */
  requestSeal(): string | null {
    if (this.loop === null || this.state === 'ENDED' || this.state === 'ERROR' || this.state === 'STOPPED') return null;
    const segment = this.sealer.segment;
    if (segment.numDocs === 0) return null;
    this.sealRequested = segment.name;
    // A paused loop waits in the gate: wake it to seal; it goes back to waiting afterwards.
    if (this.gate.paused) this.gate.release();
    return segment.name;
  }

  status(): PartitionStatus {
    const ended = this.state === 'ENDED';
    const readMode = this.options.consumer.readMode?.();
    const status = this.counters.status({
      partition: this.options.partition,
      state: this.gate.paused && !ended && this.state !== 'ERROR' ? 'PAUSED' : this.state,
      segment: ended ? null : this.sealer.segment,
      currentOffset: this.lastOffset?.toString() ?? null,
      startedFrom: this.options.startedFrom,
      errorPolicy: this.records.errorPolicy,
    });
    return readMode === undefined ? status : { ...status, readMode };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      // A failed seal stays requested and is tried again after the sealer's backoff.
      if (this.sealRequested !== null && (await this.sealer.sealNow(this.sealRequested))) {
        this.sealRequested = null;
        this.wakeSealWaiters();
      }
      if (this.gate.paused) {
        await this.gate.whilePaused();
        continue;
      }
      // From the fetch until its records are indexed, `pause()` waits: once it returns, status is
      // still and no GetRecords call runs until `resume()`.
      this.gate.beginWork();
      let fetched: MessageBatch | typeof ABORTED;
      try {
        fetched = await abortable(this.options.consumer.fetchMessages(this.lastOffset, this.options.fetchTimeoutMs), signal);
        this.backoff.reset();
      } catch (err) {
        this.gate.endWork();
        if (err instanceof PermanentStreamError) {
          this.fail(err.message);
          return;
        }
        this.transientError(err);
        await sleep(this.backoff.next(), signal);
        continue;
      }
      if (fetched === ABORTED) return;
      const bounded = this.options.bound ? applyBound(fetched, this.options.bound, this.options.partition.closed) : null;
      const batch = bounded?.batch ?? fetched;
      if (batch.timedOut === true) {
        const note = batch.note === undefined ? '' : ` (${batch.note})`;
        this.transientError(new Error(`fetch timed out after ${this.options.fetchTimeoutMs} ms; retrying from the same position${note}`));
      } else if (this.state === 'RETRYING') {
        this.options.logger.info({ shardId: this.options.partition.shardId, failedFetches: this.counters.consecutiveFailedFetches }, 'fetches answer again; partition no longer RETRYING');
      }
      if (!(await this.ingest(batch))) {
        this.gate.endWork();
        return;
      }
      if (signal.aborted) return;
      if (batch.endOfPartition) {
        this.gate.endWork();
        await this.sealer.sealUntilDone('endOfShard', signal);
        // A rewound closed shard: its end passes every old segment left.
        if (this.state === 'ENDED' && this.options.rewind?.active) await this.options.rewind.swapThrough(null, true);
        if (this.state === 'ENDED') this.options.onEnded();
        return;
      }
      if (bounded?.reached === true) {
        this.gate.endWork();
        // The bound is a seal point like the end of a shard: what was read is committed now.
        if (this.sealer.segment.numDocs > 0) await this.sealer.sealUntilDone('bound', signal);
        if (!signal.aborted) this.state = 'STOPPED';
        return;
      }
      // A fetch that timed out says nothing about lag: keep the last known state (or RETRYING).
      if (batch.timedOut !== true) this.state = batch.messages.length === 0 || batch.millisBehindLatest === 0 ? 'CAUGHT_UP' : 'CONSUMING';
      await this.sealer.sealIfDue(null);
      this.gate.endWork();
    }
  }

  /** Indexes a batch; false when the partition stopped at a bad record (errorPolicy `fail`, or no dead letter). */
  private async ingest(batch: MessageBatch): Promise<boolean> {
    this.counters.fetched(batch, this.now);
    const { rows, segmentSizeBytes } = this.options.config.stream.flush;
    const rewind = this.options.rewind;
    for (const message of batch.messages) {
      const skip = rewind?.decide(message) === 'skip';
      if (rewind?.mustSwapBefore(message.offset)) await this.swapRewound(message.offset, false);
      const stop = skip ? null : await this.records.index(message, this.sealer.segment);
      if (stop !== null) {
        this.fail(stop);
        return false;
      }
      this.counters.consumed(message);
      this.lastOffset = message.offset;
      if (rewind?.mustSwapAfter(message.offset)) {
        await this.swapRewound(message.offset, true);
        continue;
      }
      const segment = this.sealer.segment;
      const docs = segment.numDocs;
      if (docs >= rows) {
        await this.sealer.sealIfDue('rows');
      } else if (segmentSizeBytes > 0 && (docs & 15) === 0 && segment.estimatedSizeBytes >= segmentSizeBytes) {
        // The size estimate walks every column, so it is checked every 16 rows, not every row.
        await this.sealer.sealIfDue('size');
      }
    }
    return true;
  }

  /** A rewind reached an old segment's end: seal what the replay holds, then swap (`RewindCursor.swapThrough`). */
  private async swapRewound(offset: StreamOffset, inclusive: boolean): Promise<void> {
    if (this.sealer.segment.numDocs > 0) await this.sealer.sealUntilDone('rewind', this.abort.signal);
    if (this.abort.signal.aborted) return;
    await this.options.rewind!.swapThrough(offset, inclusive);
  }

  private fail(message: string): void {
    this.state = 'ERROR';
    this.counters.error(message);
    this.options.logger.error({ shardId: this.options.partition.shardId }, message);
  }

  /**
   * A fetch failed or timed out: counted, logged (throttled), and after
   * `RETRYING_AFTER_FAILED_FETCHES` in a row the partition shows `RETRYING` until one answers.
   */
  private transientError(err: unknown): void {
    const throttled = err instanceof TransientStreamError && err.throttled;
    const message = describeError(err);
    if (throttled) this.counters.throttled(message);
    else this.counters.error(message);
    this.counters.fetchFailed();
    const failed = this.counters.consecutiveFailedFetches;
    if (failed >= RETRYING_AFTER_FAILED_FETCHES && this.state !== 'RETRYING') {
      this.state = 'RETRYING';
      this.options.logger.warn({ shardId: this.options.partition.shardId, failedFetches: failed }, `partition RETRYING: ${failed} fetches in a row failed or timed out; last: ${message}`);
    }
    // One line per kind per interval, with how many were suppressed: minutes of throttling or
    // an unreachable endpoint write a handful of lines, not thousands.
    const suppressed = this.throttledLog.admit(throttled ? 'throttled' : 'fetch');
    if (suppressed !== null) {
      const { throttleCount, errorCount } = this.counters;
      this.options.logger.warn(
        { shardId: this.options.partition.shardId, suppressed, throttleCount, errorCount },
        `${throttled ? 'fetch throttled' : 'fetch failed'}, retrying with backoff: ${message}`,
      );
    }
  }
}
