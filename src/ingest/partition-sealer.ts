import { rm } from 'node:fs/promises';
import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import { ConsumingSegment, llcSegmentName, rolledUpSegment, sealPermutation, sealSegment } from '../segment/index.js';
import type { KeyedRows, UpsertKeyMap } from '../upsert/index.js';
import type { SealedSegment } from '../segment/index.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import { describeError } from '../util/describe-error.js';
import { faultPoint } from '../util/fault-points.js';
import { Backoff, sleep } from './backoff.js';
import { sealReason } from './flush-policy.js';
import type { SealReason } from './flush-policy.js';
import type { PartitionCounters } from './partition-counters.js';
import type { ThrottledLog } from './throttled-log.js';

export interface PartitionSealerOptions {
  readonly tableDir: string;
  readonly schema: TableSchema;
  readonly config: TableConfig;
  readonly partition: PartitionInfo;
  /** LLC sequence number of the partition's next segment. */
  readonly nextSequence: number;
  /**
   * Called synchronously right after a segment file is published and before the next consuming
   * segment replaces the sealed one (`endOfShard`: there is no next one), so a query never sees
   * the rows twice or not at all.
   */
  readonly published: (segment: SealedSegment, endOfShard: boolean) => void;
  /** A failed seal counts as an error and sets `lastError`; a good one clears it. */
  readonly counters: PartitionCounters;
  /** The partition's throttled log, for the seal-worker fallback warning. */
  readonly throttledLog: ThrottledLog;
  readonly logger: Logger;
  readonly now: () => number;
  /** First retry ceiling and cap of the seal backoff, millis (default 500 and 30 000). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Upsert tables: the key map, told the seal's doc order so its doc ids follow the rows. */
  readonly upsert?: UpsertKeyMap;
  /** Upsert and dedup tables: told of each publish in the same step (TTLs are enforced there). */
  readonly keyed?: KeyedRows;
  /**
   * Runs before each seal; a throw fails that seal like any other (nothing lost, retried). The table
   * checks there that its stream is still the one the checkpoints belong to.
   */
  readonly beforeSeal?: () => Promise<void>;
  /**
   * Cluster mode: commits the built file (deep store, then a metadata write fenced by the lease)
   * before it is published. A throw fails the seal: the file is removed and nothing is published.
   */
  readonly commit?: (segment: SealedSegment) => Promise<void>;
}

/**
 * Owns one partition's consuming segment from creation to its sealed file: decides when it is due
 * (flush thresholds), seals it, and rolls the next one. A failed seal loses nothing: the segment
 * stays in memory and is retried with backoff (apart from the fetch backoff, so a successful fetch
 * does not reset a failing disk's) on a later `sealIfDue`, or in `sealUntilDone` at the end of a
 * shard. The fetch loop is the only writer of the segment, and it waits while a seal runs.
 */
export class PartitionSealer {
  private current: ConsumingSegment;
  private sequence: number;
  /** After a failed seal, no new attempt before this time (a full disk is not hammered). */
  private sealRetryAt = 0;
  private readonly backoff: Backoff;

  constructor(private readonly options: PartitionSealerOptions) {
    this.backoff = new Backoff(options.backoff?.baseMs ?? 500, options.backoff?.maxMs ?? 30_000);
    this.sequence = options.nextSequence;
    this.current = this.newSegment();
  }

  /** The segment rows are indexed into now (after the end of the shard: the last, sealed one). */
  get segment(): ConsumingSegment {
    return this.current;
  }

  /** Seals when a threshold is reached (or `forced`); a failed seal is retried on a later call. */
  async sealIfDue(forced: SealReason | null): Promise<void> {
    const { now } = this.options;
    const reason = forced ?? sealReason(this.current, this.options.config.stream.flush, now());
    if (reason === null) {
      const age = now() - this.current.createdAtMs;
      const { timeMs } = this.options.config.stream.flush;
      // An empty segment past its time is not sealed: a fresh one (new name and creation time) replaces it.
      if (this.current.numDocs === 0 && timeMs > 0 && age >= timeMs) this.current = this.newSegment();
      return;
    }
    if (now() < this.sealRetryAt) return;
    await this.seal(reason);
  }

  /**
   * Seals the consuming segment now if it is still `segmentName` (a user's force commit), outside
   * the flush thresholds. True when that segment is sealed or no longer the consuming one (sealed
   * meanwhile); false when the seal failed or is waiting out a failed seal's backoff (ask again).
   * Only the fetch loop calls this, between batches, as for every seal.
   */
  async sealNow(segmentName: string): Promise<boolean> {
    if (this.current.name !== segmentName) return true;
    if (this.options.now() < this.sealRetryAt) return false;
    return this.seal('forceCommit');
  }

  /** Seals, retrying after each failure's backoff, until it succeeds or `signal` aborts. */
  async sealUntilDone(reason: SealReason, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !(await this.seal(reason))) {
      await sleep(Math.max(0, this.sealRetryAt - this.options.now()), signal);
    }
  }

  private async seal(reason: SealReason): Promise<boolean> {
    const { logger, counters } = this.options;
    const endOfShard = reason === 'endOfShard';
    const segment = this.current;
    let sealed: SealedSegment;
    const { upsert } = this.options;
    // Upsert: the file's doc order (stable sort by the sorted column), computed here from the same
    // rows the seal snapshots, so the key map can follow its rows into the file.
    const perm = upsert ? sealPermutation(segment.snapshot(), segment.indexing) : null;
    try {
      // sealSegment snapshots the rows before it awaits, and nothing indexes into `segment` until
      // it returns: the fetch loop is the only writer and it is waiting here. So the file holds
      // every row of the segment, and the swap below drops none.
      await this.options.beforeSeal?.();
      // A rollup table's segment rolls rows up as they arrive; one made without (none today) is rolled up here.
      const rollup = this.options.config.rollup;
      sealed = await sealSegment(rollup && segment.rollup === null ? rolledUpSegment(segment, rollup) : segment, {
        tableDir: this.options.tableDir,
        endOfShard,
        ...(upsert ? { upsert: upsert.footerFor(segment, perm) } : {}),
        onInlineFallback: (why) => this.logSealFallback(segment.name, why),
      });
      if (this.options.commit) await this.commitOrDiscard(sealed);
    } catch (err) {
      counters.error(`sealing ${segment.name} failed (will retry; no rows lost): ${describeError(err)}`);
      logger.error({ segment: segment.name, err: describeError(err) }, 'seal failed');
      this.sealRetryAt = this.options.now() + this.backoff.next();
      return false;
    }
    faultPoint('seal:after-publish');
    // No await between publishing and swapping: queries see the rows exactly once, and each key
    // its live row once (the key map moves to the file in the same step).
    this.options.keyed?.sealed(segment, sealed, perm);
    this.options.published(sealed, endOfShard);
    this.sequence++;
    this.backoff.reset();
    this.sealRetryAt = 0;
    if (!endOfShard) this.current = this.newSegment();
    counters.clearError();
    logger.info({ segment: segment.name, rows: segment.numDocs, reason, shardId: this.options.partition.shardId }, 'segment sealed');
    return true;
  }

  /** Cluster mode: a file the cluster did not commit is never published nor left behind to load. */
  private async commitOrDiscard(sealed: SealedSegment): Promise<void> {
    try {
      await this.options.commit!(sealed);
    } catch (err) {
      sealed.close();
      await rm(sealed.path, { force: true });
      throw err;
    }
  }

  private newSegment(): ConsumingSegment {
    const { config, schema, partition, now } = this.options;
    return new ConsumingSegment({
      identity: {
        tableName: config.tableName,
        segmentName: llcSegmentName(config.tableName, partition.partitionId, this.sequence, new Date(now())),
        partitionId: partition.partitionId,
        shardId: partition.shardId,
      },
      schema,
      indexing: config.indexing,
      ...(config.timeColumnName !== undefined ? { timeColumnName: config.timeColumnName } : {}),
      ...(config.rollup ? { rollup: config.rollup } : {}),
      createdAtMs: now(),
    });
  }

  /** One line per interval while the seal worker is unavailable (every seal falls back then). */
  private logSealFallback(segmentName: string, reason: string): void {
    const suppressed = this.options.throttledLog.admit('sealFallback');
    if (suppressed !== null) {
      this.options.logger.warn({ segment: segmentName, reason, suppressed }, 'seal worker unavailable: segment file built on the main thread');
    }
  }
}
