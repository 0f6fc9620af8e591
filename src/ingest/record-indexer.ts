import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import type { ConsumingSegment } from '../segment/index.js';
import type { DecodedRow } from '../spi/decoder.js';
import type { StreamMessage } from '../spi/message-batch.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import { describeError } from '../util/describe-error.js';
import { DeadLetterFile } from './dead-letter.js';
import type { PartitionCounters } from './partition-counters.js';
import type { RecordPipeline } from './record-pipeline.js';
import type { ThrottledLog } from './throttled-log.js';
import type { KeyedRows } from '../upsert/keyed-rows.js';

export interface RecordIndexerOptions {
  readonly tableDir: string;
  readonly schema: TableSchema;
  readonly config: TableConfig;
  readonly partition: PartitionInfo;
  readonly pipeline: RecordPipeline;
  /** Filtered, skipped and dead-lettered records are counted here. */
  readonly counters: PartitionCounters;
  /** The partition's throttled log, for the skipped-record warning. */
  readonly throttledLog: ThrottledLog;
  readonly logger: Logger;
  readonly now: () => number;
  /** Upsert and dedup tables: the table's key map, which decides each row before it is indexed. */
  readonly keyed?: KeyedRows;
}

/**
 * Puts one stream record into the consuming segment: the table's record pipeline (decode,
 * flatten/unnest, transforms, filter), then its rows, and for a record that has none the table's
 * bad-record policy. `skip`: counted, consumed. `deadLetter`: appended (fsync'd) to the shard's
 * dead-letter file, then counted and consumed. `fail`: not consumed, so a restart
 * (`PUT /tables/{t}`) reads it again. A filtered record is consumed without a row.
 *
 * A record whose rows hold a lossy coercion (`RecordOutcome.lossy`: `1.5` stored as INT 1...) is
 * a bad record under `fail` only; `skip` and `deadLetter` index it as Pinot would and count it in
 * `recordsWithLossyCoercion`.
 *
 * @example
 *   const stop = await indexer.index(message, segment);
 *   if (stop !== null) fail(stop); // else the record is consumed: its offset may be checkpointed
 */
export class RecordIndexer {
  private readonly pipeline: RecordPipeline;
  private deadLetters: DeadLetterFile | null = null;

  constructor(private readonly options: RecordIndexerOptions) {
    this.pipeline = options.pipeline;
  }

  /** The table's bad-record policy: `skip`, `fail` or `deadLetter`. */
  get errorPolicy(): string {
    return this.options.config.ingestion?.errorPolicy ?? 'skip';
  }

  /**
   * Indexes one record into `segment`. Null when the record is consumed (indexed, filtered,
   * skipped or dead-lettered); otherwise why the partition must stop before it.
   */
  async index(message: StreamMessage, segment: ConsumingSegment): Promise<string | null> {
    const offset = message.offset.toString();
    const outcome = this.pipeline.process(message);
    if (!outcome.ok) return this.badRecord(message, outcome.error, segment);
    const lossy = outcome.lossy;
    if (lossy !== undefined && this.errorPolicy === 'fail') return this.badRecord(message, lossy, segment);
    const error = tryIndexAll(segment, outcome.rows, offset, message.arrivalTimeMs, this.options.keyed);
    if (error !== null) return this.badRecord(message, error, segment);
    if (lossy !== undefined) this.options.counters.coerced();
    if (outcome.rows.length === 0) {
      this.options.counters.filtered();
      segment.markConsumed(offset);
    } else if (segment.lastOffset !== offset) {
      // Every row was dropped by the key map (duplicate, out of order): consumed, counted there.
      segment.markConsumed(offset);
    }
    return null;
  }

  /** Closes the dead-letter file, if one was opened. */
  async close(): Promise<void> {
    await this.deadLetters?.close();
  }

  private async badRecord(message: StreamMessage, error: string, segment: ConsumingSegment): Promise<string | null> {
    const policy = this.errorPolicy;
    const { shardId } = this.options.partition;
    const sequenceNumber = message.offset.toString();
    if (policy === 'fail') {
      return (
        `record ${sequenceNumber} of shard ${shardId} failed: ${error}. Partition stopped (errorPolicy fail); nothing after it is indexed. ` +
        'Fix the table config (PUT /tables/{name}) to resume at this record.'
      );
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
          deadLetteredAtMs: this.options.now(),
          sizeBytes: message.value.length,
          valueBase64: Buffer.from(message.value).toString('base64'),
        });
      } catch (err) {
        // The record is not consumed unless its dead letter is on disk: stop here, visibly.
        return `record ${sequenceNumber} of shard ${shardId} could not be dead-lettered: ${describeError(err)}; partition stopped`;
      }
    }
    this.options.counters.dropped(policy === 'deadLetter');
    segment.markConsumed(sequenceNumber);
    this.logSkipped(sequenceNumber, error);
    return null;
  }

  private logSkipped(sequenceNumber: string, error: string): void {
    const suppressed = this.options.throttledLog.admit('decode');
    if (suppressed !== null) {
      this.options.logger.warn({ shardId: this.options.partition.shardId, sequenceNumber, suppressed }, `record skipped: ${error}`);
    }
  }
}

/** Indexes every row of one record, or none: a refused row rolls back the record's earlier rows. */
function tryIndexAll(segment: ConsumingSegment, rows: readonly DecodedRow[], offset: string, arrivalTimeMs: number, keyed: KeyedRows | undefined): string | null {
  if (rows.length === 1) return tryIndex(segment, rows[0]!, offset, arrivalTimeMs, keyed);
  const before = segment.numDocs;
  for (const row of rows) {
    const error = tryIndex(segment, row, offset, arrivalTimeMs, keyed);
    if (error !== null) {
      if (segment.numDocs > before) return `unnested row ${segment.numDocs - before + 1} of ${rows.length}: ${error} (earlier rows of the record stay indexed)`;
      return error;
    }
  }
  return null;
}

/**
 * Indexes a row; a row the segment refuses is reported like a decode error, never thrown. A keyed
 * table's key map admits the row first and records it right after, in the same synchronous step.
 */
function tryIndex(segment: ConsumingSegment, row: DecodedRow, offset: string, arrivalTimeMs: number, keyed: KeyedRows | undefined): string | null {
  try {
    if (keyed === undefined) {
      segment.index(row, offset, arrivalTimeMs);
      return null;
    }
    const admitted = keyed.admit(row, segment);
    if (admitted === null) return null;
    segment.index(admitted, offset, arrivalTimeMs);
    keyed.commit(segment.numDocs - 1);
    return null;
  } catch (err) {
    return describeError(err);
  }
}
