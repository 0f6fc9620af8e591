import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import { ConsumingSegment, llcSegmentName, sealSegment } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import type { DecodedRow, StreamMessageDecoder } from '../spi/decoder.js';
import type { MessageBatch, StreamMessage } from '../spi/message-batch.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { StreamOffset } from '../spi/offset.js';
import { PermanentStreamError, TransientStreamError } from '../spi/partition-consumer.js';
import type { PartitionConsumer } from '../spi/partition-consumer.js';
import { Backoff, sleep } from './backoff.js';
import { sealReason } from './flush-policy.js';
import type { SealReason } from './flush-policy.js';
import { faultPoint } from '../util/fault-points.js';
import { ThrottledLog } from './throttled-log.js';
import { DeadLetterFile } from './dead-letter.js';
import { createRecordPipeline } from './record-pipeline.js';
import type { RecordPipeline } from './record-pipeline.js';
import type { PartitionState, PartitionStatus } from './partition-status.js';

export interface PartitionIngesterOptions {
  readonly tableDir: string;
  readonly schema: TableSchema;
  readonly config: TableConfig;
  readonly partition: PartitionInfo;
  readonly consumer: PartitionConsumer;
  readonly decoder: StreamMessageDecoder;
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
}

/**
 * Consumes one partition (Kinesis shard) into consuming segments and seals them, in its own loop.
 *
 * Exactly-once: a consuming segment is only in memory; the sealed file records the last offset
 * it covers, and a restart resumes after it. Each record goes through the table's record pipeline
 * (decode, flatten/unnest, transforms, filter); a record's rows share its offset and seals happen
 * only between records. Bad records follow the table's policy (`skip`, `deadLetter`: consumed and
 * counted, so not re-read after the next seal; `fail`: the partition stops before consuming it).
 * Filtered records are consumed without a row.
 */
export class PartitionIngester {
  private segment: ConsumingSegment;
  private sequence: number;
  private lastOffset: StreamOffset | null;
  private state: PartitionState = 'CONSUMING';
  private paused = false;
  private resumeWaiter: (() => void) | null = null;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private msBehindLatest: number | null = null;
  private recordsConsumed = 0;
  private bytesConsumed = 0;
  private recordsDropped = 0;
  private lastConsumedAtMs: number | null = null;
  private throttleCount = 0;
  private errorCount = 0;
  /** Open while a fetch runs and its records are indexed: `pause()` waits for it. */
  private busy: Promise<void> | null = null;
  private workDone: (() => void) | null = null;
  /** After a failed seal, no new attempt before this time (a full disk is not hammered). */
  private sealRetryAt = 0;
  private lastError: string | null = null;
  /** Fetch retries; reset by every successful fetch. */
  private readonly backoff: Backoff;
  /** Seal retries, apart from fetches: a successful fetch must not reset a failing disk's backoff. */
  private readonly sealBackoff: Backoff;
  private readonly throttledLog = new ThrottledLog();
  private readonly now: () => number;
  private readonly pipeline: RecordPipeline;
  private recordsFiltered = 0;
  private recordsDeadLettered = 0;
  private deadLetters: DeadLetterFile | null = null;

  constructor(private readonly options: PartitionIngesterOptions) {
    this.pipeline = createRecordPipeline(options.schema, options.config, options.decoder, { shardId: options.partition.shardId });
    this.now = options.now ?? Date.now;
    this.backoff = new Backoff(options.backoff?.baseMs ?? 100, options.backoff?.maxMs ?? 10_000);
    this.sealBackoff = new Backoff(options.backoff?.baseMs ?? 500, options.backoff?.maxMs ?? 30_000);
    this.sequence = options.nextSequence;
    this.lastOffset = options.checkpoint;
    this.segment = this.newSegment();
  }

  get partitionId(): number {
    return this.options.partition.partitionId;
  }

  /** The live consuming segment; queries read a prefix of it. */
  get consumingSegment(): ConsumingSegment | null {
    return this.state === 'ENDED' ? null : this.segment;
  }

  start(): void {
    this.loop ??= this.run()
      .catch((err: unknown) => {
        this.fail(`ingestion loop stopped: ${describe(err)}`);
      })
      .finally(() => this.endWork());
  }

  /** Stops fetching; the consuming segment is abandoned (its rows are re-read after a restart). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.resumeWaiter?.();
    await this.loop;
    if (this.state !== 'ENDED' && this.state !== 'ERROR') this.state = 'STOPPED';
    await this.options.consumer.close();
    await this.deadLetters?.close();
  }

  /**
   * Stops fetching without sealing or dropping anything; `resume()` continues where it was.
   * Resolves once no fetch is in flight (one already running finishes and its records are
   * indexed, so status stands still); no fetch starts until `resume()`.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.busy;
  }

  resume(): void {
    this.paused = false;
    this.resumeWaiter?.();
  }

  status(): PartitionStatus {
    const { partition } = this.options;
    const ended = this.state === 'ENDED';
    return {
      partitionId: partition.partitionId,
      shardId: partition.shardId,
      state: this.paused && !ended && this.state !== 'ERROR' ? 'PAUSED' : this.state,
      consumingSegmentName: ended ? null : this.segment.segmentName,
      rowsInConsumingSegment: ended ? 0 : this.segment.numDocs,
      currentOffset: this.lastOffset?.toString() ?? null,
      startedFrom: this.options.startedFrom,
      msBehindLatest: this.msBehindLatest,
      recordsConsumed: this.recordsConsumed,
      bytesConsumed: this.bytesConsumed,
      recordsDropped: this.recordsDropped,
      recordsFiltered: this.recordsFiltered,
      recordsDeadLettered: this.recordsDeadLettered,
      errorPolicy: this.options.config.ingestion?.errorPolicy ?? 'skip',
      lastConsumedTimestampMs: this.lastConsumedAtMs,
      throttleCount: this.throttleCount,
      errorCount: this.errorCount,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.paused) {
        await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
        this.resumeWaiter = null;
        continue;
      }
      // From the fetch until its records are indexed, `pause()` waits: once it returns, status is
      // still and no GetRecords call runs until `resume()`.
      this.beginWork();
      let fetched: MessageBatch | typeof ABORTED;
      try {
        fetched = await abortable(this.options.consumer.fetchMessages(this.lastOffset, this.options.fetchTimeoutMs), signal);
        this.backoff.reset();
      } catch (err) {
        this.endWork();
        if (err instanceof PermanentStreamError) {
          this.fail(err.message);
          return;
        }
        this.transientError(err);
        await sleep(this.backoff.next(), signal);
        continue;
      }
      if (fetched === ABORTED) return;
      const batch = fetched;
      if (batch.timedOut === true) this.transientError(new Error(`fetch timed out after ${this.options.fetchTimeoutMs} ms; retrying from the same position`));
      if (!(await this.ingest(batch))) {
        this.endWork();
        return;
      }
      if (signal.aborted) return;
      if (batch.endOfPartition) {
        this.endWork();
        await this.sealUntilDone('endOfShard', signal);
        if (this.state === 'ENDED') this.options.onEnded();
        return;
      }
      // A fetch that timed out says nothing about lag: keep the last known state.
      if (batch.timedOut !== true) this.state = batch.messages.length === 0 || batch.millisBehindLatest === 0 ? 'CAUGHT_UP' : 'CONSUMING';
      await this.sealIfDue(null);
      this.endWork();
    }
  }

  private beginWork(): void {
    this.busy = new Promise<void>((resolve) => (this.workDone = resolve));
  }

  /** Lets a waiting `pause()` return; safe to call when no work is open. */
  private endWork(): void {
    this.workDone?.();
    this.workDone = null;
    this.busy = null;
  }

  /** Indexes a batch; false when the `fail` policy stopped the partition at a bad record. */
  private async ingest(batch: MessageBatch): Promise<boolean> {
    if (batch.millisBehindLatest !== undefined) this.msBehindLatest = batch.millisBehindLatest;
    if (batch.messages.length > 0) this.lastConsumedAtMs = this.now();
    const { config } = this.options;
    for (const message of batch.messages) {
      const offset = message.offset.toString();
      const outcome = this.pipeline.process(message);
      const error = outcome.ok ? this.tryIndexAll(outcome.rows, offset, message.arrivalTimeMs) : outcome.error;
      if (error !== null) {
        if (!(await this.badRecord(message, error))) return false;
      } else if (outcome.ok && outcome.rows.length === 0) {
        this.recordsFiltered++;
        this.segment.markConsumed(offset);
      }
      this.recordsConsumed++;
      this.bytesConsumed += message.serializedSize;
      this.lastOffset = message.offset;
      const { rows, segmentSizeBytes } = config.stream.flush;
      const docs = this.segment.numDocs;
      if (docs >= rows) {
        await this.sealIfDue('rows');
      } else if (segmentSizeBytes > 0 && (docs & 15) === 0 && this.segment.estimatedSizeBytes >= segmentSizeBytes) {
        // The size estimate walks every column, so it is checked every 16 rows, not every row.
        await this.sealIfDue('size');
      }
    }
    return true;
  }

  /**
   * Applies the table's bad-record policy. `skip`: counted, consumed. `deadLetter`: appended
   * (fsync'd) to the shard's dead-letter file, then counted and consumed. `fail`: the partition
   * stops in ERROR without consuming the record, so a restart (`PUT /tables/{t}`) reads it again.
   * Returns false when the partition stopped.
   */
  private async badRecord(message: StreamMessage, error: string): Promise<boolean> {
    const policy = this.options.config.ingestion?.errorPolicy ?? 'skip';
    const { shardId } = this.options.partition;
    const sequenceNumber = message.offset.toString();
    if (policy === 'fail') {
      this.fail(
        `record ${sequenceNumber} of shard ${shardId} failed: ${error}. Partition stopped (errorPolicy fail); nothing after it is indexed. ` +
          'Fix the table config (PUT /tables/{name}) to resume at this record.',
      );
      return false;
    }
    if (policy === 'deadLetter') {
      try {
        this.deadLetters ??= await DeadLetterFile.open(this.options.tableDir, shardId);
        await this.deadLetters.append({
          shardId,
          sequenceNumber,
          partitionKey: message.key,
          reason: error,
          arrivalTimeMs: message.arrivalTimeMs,
          deadLetteredAtMs: this.now(),
          sizeBytes: message.value.length,
          valueBase64: Buffer.from(message.value).toString('base64'),
        });
      } catch (err) {
        // The record is not consumed unless its dead letter is on disk: stop here, visibly.
        this.fail(`record ${sequenceNumber} of shard ${shardId} could not be dead-lettered: ${describe(err)}; partition stopped`);
        return false;
      }
      this.recordsDeadLettered++;
    }
    this.recordsDropped++;
    this.segment.markConsumed(sequenceNumber);
    this.logRecordError(message.offset, error);
    return true;
  }

  /** Indexes every row of one record, or none: a refused row rolls back the record's earlier rows. */
  private tryIndexAll(rows: readonly DecodedRow[], offset: string, arrivalTimeMs: number): string | null {
    if (rows.length === 1) return this.tryIndex(rows[0]!, offset, arrivalTimeMs);
    const before = this.segment.numDocs;
    for (const row of rows) {
      const error = this.tryIndex(row, offset, arrivalTimeMs);
      if (error !== null) {
        if (this.segment.numDocs > before) return `unnested row ${this.segment.numDocs - before + 1} of ${rows.length}: ${error} (earlier rows of the record stay indexed)`;
        return error;
      }
    }
    return null;
  }

  /** Indexes a row; a row the segment refuses is reported like a decode error, never thrown. */
  private tryIndex(row: DecodedRow, offset: string, arrivalTimeMs: number): string | null {
    try {
      this.segment.index(row, offset, arrivalTimeMs);
      return null;
    } catch (err) {
      return describe(err);
    }
  }

  /** Seals when a threshold is reached (or `forced`); a failed seal is retried on a later call. */
  private async sealIfDue(forced: SealReason | null): Promise<void> {
    const reason = forced ?? sealReason(this.segment, this.options.config.stream.flush, this.now());
    if (reason === null) {
      const age = this.now() - this.segment.createdAtMs;
      const { timeMs } = this.options.config.stream.flush;
      if (this.segment.numDocs === 0 && timeMs > 0 && age >= timeMs) this.segment = this.newSegment();
      return;
    }
    if (this.now() < this.sealRetryAt) return;
    await this.seal(reason);
  }

  private async sealUntilDone(reason: SealReason, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !(await this.seal(reason))) {
      await sleep(Math.max(0, this.sealRetryAt - this.now()), signal);
    }
  }

  private async seal(reason: SealReason): Promise<boolean> {
    const endOfShard = reason === 'endOfShard';
    const segment = this.segment;
    let sealed: SealedSegment;
    try {
      // sealSegment snapshots the rows before it awaits, and nothing indexes into `segment` until
      // it returns: this loop is the only writer and it is waiting here. So the file holds every
      // row of the segment, and the swap below drops none.
      sealed = await sealSegment(segment, {
        tableDir: this.options.tableDir,
        endOfShard,
        onInlineFallback: (why) => this.logSealFallback(segment.segmentName, why),
      });
    } catch (err) {
      this.errorCount++;
      this.lastError = `sealing ${segment.segmentName} failed (will retry; no rows lost): ${describe(err)}`;
      this.options.logger.error({ segment: segment.segmentName, err: describe(err) }, 'seal failed');
      this.sealRetryAt = this.now() + this.sealBackoff.next();
      return false;
    }
    faultPoint('seal:after-publish');
    // No await between publishing and swapping: queries see the rows exactly once.
    this.options.onSealed(sealed);
    this.sequence++;
    this.sealBackoff.reset();
    this.sealRetryAt = 0;
    if (endOfShard) {
      this.state = 'ENDED';
    } else {
      this.segment = this.newSegment();
    }
    this.lastError = null;
    this.options.logger.info(
      { segment: segment.segmentName, rows: segment.numDocs, reason, shardId: this.options.partition.shardId },
      'segment sealed',
    );
    return true;
  }

  private newSegment(): ConsumingSegment {
    const { config, schema, partition } = this.options;
    return new ConsumingSegment({
      tableName: config.tableName,
      segmentName: llcSegmentName(config.tableName, partition.partitionId, this.sequence, new Date(this.now())),
      partitionId: partition.partitionId,
      shardId: partition.shardId,
      schema,
      indexing: config.indexing,
      ...(config.timeColumnName !== undefined ? { timeColumnName: config.timeColumnName } : {}),
      createdAtMs: this.now(),
    });
  }

  private fail(message: string): void {
    this.state = 'ERROR';
    this.errorCount++;
    this.lastError = message;
    this.options.logger.error({ shardId: this.options.partition.shardId }, message);
  }

  private transientError(err: unknown): void {
    const throttled = err instanceof TransientStreamError && err.throttled;
    if (throttled) this.throttleCount++;
    else this.errorCount++;
    this.lastError = describe(err);
    // One line per kind per interval, with how many were suppressed: minutes of throttling or
    // an unreachable endpoint write a handful of lines, not thousands.
    const suppressed = this.throttledLog.admit(throttled ? 'throttled' : 'fetch');
    if (suppressed !== null) {
      this.options.logger.warn(
        { shardId: this.options.partition.shardId, suppressed, throttleCount: this.throttleCount, errorCount: this.errorCount },
        `${throttled ? 'fetch throttled' : 'fetch failed'}, retrying with backoff: ${this.lastError}`,
      );
    }
  }

  /** One line per interval while the seal worker is unavailable (every seal falls back then). */
  private logSealFallback(segmentName: string, reason: string): void {
    const suppressed = this.throttledLog.admit('sealFallback');
    if (suppressed !== null) {
      this.options.logger.warn({ segment: segmentName, reason, suppressed }, 'seal worker unavailable: segment file built on the main thread');
    }
  }

  private logRecordError(offset: StreamOffset, error: string): void {
    const suppressed = this.throttledLog.admit('decode');
    if (suppressed !== null) {
      this.options.logger.warn(
        { shardId: this.options.partition.shardId, sequenceNumber: offset.toString(), suppressed },
        `record skipped: ${error}`,
      );
    }
  }
}

const ABORTED = Symbol('aborted');

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
