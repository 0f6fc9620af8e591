import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import { ConsumingSegment, llcSegmentName, sealSegment } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import type { MessageBatch } from '../spi/message-batch.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { StreamOffset } from '../spi/offset.js';
import { PermanentStreamError } from '../spi/partition-consumer.js';
import type { StreamConsumerFactory } from '../spi/stream-consumer-factory.js';
import { repairSealInfo } from '../upsert/index.js';
import { ABORTED, abortable } from '../util/abortable.js';
import { describeError } from '../util/describe-error.js';
import { faultPoint } from '../util/fault-points.js';
import { Backoff, sleep } from './backoff.js';
import { PartitionCounters } from './partition-counters.js';
import { RecordIndexer } from './record-indexer.js';
import type { RecordPipeline } from './record-pipeline.js';
import type { SegmentGap } from './segment-gaps.js';
import type { DataLossEntry, GapRepairStatus } from './table-ingestion-status.js';
import { ThrottledLog } from './throttled-log.js';
import type { RepairKeys } from './keyed-table.js';

export interface GapRepairsOptions {
  readonly tableDir: string;
  readonly schema: TableSchema;
  readonly config: TableConfig;
  readonly factory: StreamConsumerFactory;
  readonly pipelineFor: (shardId: string) => RecordPipeline;
  /**
   * The gaps to repair, each with the LLC sequence number reserved for its repair segment, or the
   * repair segment's whole name (an online repair, which cannot reserve a sequence number), and
   * for an upsert table's online repair of one quarantined file, that file's commit order.
   */
  readonly gaps: readonly { readonly gap: SegmentGap; readonly sequence: number; readonly segmentName?: string; readonly commitOrder?: number }[];
  /** Called synchronously once a repair segment is published (the table serves it from then on). */
  readonly onSealed: (segment: SealedSegment) => void;
  readonly onLoss: (entry: DataLossEntry) => void;
  /** Called once every gap of the partition is done (repaired, lost or failed), not when stopped. */
  readonly onPartitionDone: (partitionId: number) => void;
  readonly logger: Logger;
  /** Consecutive empty fetches (with no lag reported) after which the rest of a gap counts as gone. */
  readonly emptyFetchLimit?: number;
  /** Dedup tables: the key set repairs index through (`KeyedTable.repairOptions`). */
  readonly keyed?: RepairKeys;
}

/**
 * Re-reads from the stream the records of segments that were sealed once and are gone (deleted,
 * truncated, damaged): one repair segment per gap, sealed like any other (temp file, fsync,
 * rename: the commit), so a crash during a repair leaves no file (the next start repairs again)
 * or the whole file (the gap is closed). The shards' gaps run one after another per shard, shards
 * in parallel, beside the normal consumers (the ranges are disjoint).
 *
 * Records the stream no longer has are reported as data loss with their range: the stream trims
 * from its oldest record, so what is lost is a prefix of the gap — from the first missing
 * segment's start to the first record the stream still returns.
 */
export class GapRepairs {
  private readonly abort = new AbortController();
  private readonly states: GapRepairStatus[];
  private running: Promise<void> | null = null;

  constructor(private readonly options: GapRepairsOptions) {
    this.states = options.gaps.map(({ gap }) => ({
      shardId: gap.shardId,
      partitionId: gap.partitionId,
      after: gap.after,
      until: gap.until,
      untilInclusive: gap.untilInclusive,
      evidence: gap.evidence,
      missingSegments: gap.missing.map((m) => m.segmentName),
      state: 'PENDING',
      segmentName: null,
      rows: 0,
      detail: null,
    }));
  }

  status(): readonly GapRepairStatus[] {
    return this.states;
  }

  start(): void {
    const byShard = new Map<string, number[]>();
    this.options.gaps.forEach(({ gap }, i) => byShard.set(gap.shardId, [...(byShard.get(gap.shardId) ?? []), i]));
    this.running ??= Promise.all([...byShard.values()].map((indexes) => this.repairShard(indexes))).then(() => undefined);
  }

  /** Resolves once every gap is done (repaired, lost, failed) or the repairs were stopped. */
  done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async repairShard(indexes: readonly number[]): Promise<void> {
    for (const i of indexes) {
      if (this.abort.signal.aborted) return;
      try {
        await this.repair(i);
      } catch (err) {
        const name = this.states[i]!.segmentName;
        if (name !== null) this.options.keyed?.abandon(name);
        this.update(i, { state: 'FAILED', detail: describeError(err) });
        this.options.logger.error({ shardId: this.states[i]!.shardId, err: describeError(err) }, 'segment gap repair failed; it is retried on the next start');
      }
    }
    if (this.abort.signal.aborted) return;
    const partitions = new Set(indexes.map((i) => this.states[i]!.partitionId));
    for (const partitionId of partitions) this.options.onPartitionDone(partitionId);
  }

  private async repair(i: number): Promise<void> {
    const { gap, sequence, segmentName, commitOrder } = this.options.gaps[i]!;
    const { factory, config, logger } = this.options;
    const signal = this.abort.signal;
    const offsets = factory.offsetFactory;
    const until = offsets.parse(gap.until);
    const skipBefore = gap.skipBefore === null ? null : offsets.parse(gap.skipBefore);
    const inGap = (o: StreamOffset): boolean => (gap.untilInclusive ? o.compareTo(until) <= 0 : o.compareTo(until) < 0);
    const partition: PartitionInfo = { partitionId: gap.partitionId, shardId: gap.shardId, parentShardIds: [], closed: false };
    // A gap at the partition's start that the ledger bounds reads from the oldest record and skips what came before it.
    const consumer = factory.createPartitionConsumer(partition, { fromOldest: gap.after === null && skipBefore !== null });
    const counters = new PartitionCounters();
    const records = new RecordIndexer({
      tableDir: this.options.tableDir, schema: this.options.schema, config, partition, pipeline: this.options.pipelineFor(gap.shardId),
      counters, throttledLog: new ThrottledLog(), logger, now: Date.now, ...(this.options.keyed ? { keyed: this.options.keyed.rows } : {}),
    });
    const segment = new ConsumingSegment({
      identity: { tableName: config.tableName, segmentName: segmentName ?? llcSegmentName(config.tableName, gap.partitionId, sequence, new Date()), partitionId: gap.partitionId, shardId: gap.shardId },
      schema: this.options.schema,
      indexing: config.indexing,
      ...(config.rollup ? { rollup: config.rollup } : {}),
      ...(config.timeColumnName !== undefined ? { timeColumnName: config.timeColumnName } : {}),
      createdAtMs: Date.now(),
    });
    this.update(i, { state: 'READING', segmentName: segment.name });
    // A dedup table: repaired records whose key is known are dropped; their keys join the set now.
    this.options.keyed?.begin(segment.name);
    logger.warn({ shardId: gap.shardId, after: gap.after, until: gap.until, missing: this.states[i]!.missingSegments, evidence: gap.evidence }, 'sealed rows missing from disk (deleted or damaged segment); re-reading them from the stream');
    let position: StreamOffset | null = gap.after === null ? null : offsets.parse(gap.after);
    let firstRead: StreamOffset | null = null;
    let unavailable: string | null = null;
    const backoff = new Backoff(200, 10_000);
    let empty = 0;
    try {
      for (let done = false; !done;) {
        let batch: MessageBatch | typeof ABORTED;
        try {
          batch = await abortable(consumer.fetchMessages(position, factory.fetchTimeoutMs), signal);
          backoff.reset();
        } catch (err) {
          if (err instanceof PermanentStreamError) {
            unavailable = err.message;
            break;
          }
          logger.warn({ shardId: gap.shardId, err: describeError(err) }, 'gap repair fetch failed; retrying');
          await sleep(backoff.next(), signal);
          continue;
        }
        if (batch === ABORTED) break;
        for (const message of batch.messages) {
          position = message.offset;
          if (skipBefore !== null && message.offset.compareTo(skipBefore) < 0) continue;
          if (!inGap(message.offset)) {
            done = true;
            break;
          }
          if (firstRead === null) {
            firstRead = message.offset;
            segment.startRangeAt(message.offset.toString());
          }
          const stop = await records.index(message, segment);
          if (stop !== null) throw new Error(`record ${message.offset.toString()}: ${stop}`);
        }
        if (done || batch.endOfPartition) break;
        empty = batch.messages.length === 0 && batch.timedOut !== true ? empty + 1 : 0;
        // Caught up without reaching the gap's end: the rest of it is no longer in the stream.
        if (batch.messages.length === 0 && batch.timedOut !== true && (batch.millisBehindLatest === 0 || empty >= (this.options.emptyFetchLimit ?? 20))) break;
      }
    } finally {
      await consumer.close();
      await records.close();
    }
    if (signal.aborted) {
      this.options.keyed?.abandon(segment.name);
      this.update(i, { state: 'STOPPED', detail: 'stopped before the repair segment was sealed; repaired on the next start' });
      return;
    }
    if (segment.numDocs > 0) {
      // An upsert table's repair standing in for one quarantined file takes its place in the commit order.
      const upsert = config.upsert && commitOrder !== undefined ? repairSealInfo(this.options.schema, config.upsert, segment, commitOrder) : undefined;
      const sealed = await sealSegment(segment, { tableDir: this.options.tableDir, endOfShard: false, ...(upsert ? { upsert } : {}) });
      faultPoint('repair:after-publish');
      this.options.onSealed(sealed);
      logger.info({ shardId: gap.shardId, segment: segment.name, rows: segment.numDocs }, 'segment gap repaired from the stream');
    } else this.options.keyed?.abandon(segment.name);
    const loss = this.lossOf(gap, firstRead, unavailable);
    this.update(i, {
      state: loss === null ? 'REPAIRED' : segment.numDocs > 0 ? 'PARTLY_LOST' : 'LOST',
      segmentName: segment.numDocs > 0 ? segment.name : null,
      rows: segment.numDocs,
      detail: loss?.reason ?? null,
    });
    if (loss !== null) {
      logger.warn({ shardId: gap.shardId, lostFrom: loss.lostRange?.from, lostTo: loss.lostRange?.to, dataLoss: true }, `data loss: ${loss.reason}`);
      this.options.onLoss(loss);
    }
  }

  /** The part of the gap the stream no longer has, or null when nothing is lost. */
  private lossOf(gap: SegmentGap, firstRead: StreamOffset | null, unavailable: string | null): DataLossEntry | null {
    const offsets = this.options.factory.offsetFactory;
    const first = gap.missing[0];
    const why = unavailable === null ? 'the stream no longer has them (expired past retention)' : `the stream refused to read them: ${unavailable}`;
    const base = { shardId: gap.shardId, partitionId: gap.partitionId, lastSequenceNumber: gap.after ?? 'none', detectedAtMs: Date.now(), kind: 'segmentGap' as const };
    if (first !== undefined && first.startOffset !== null) {
      const lastEnd = gap.missing[gap.missing.length - 1]!.endOffset ?? first.startOffset;
      if (firstRead !== null && firstRead.compareTo(offsets.parse(first.startOffset)) <= 0) return null;
      const to = firstRead === null ? lastEnd : firstRead.toString();
      const toInclusive = firstRead === null;
      return {
        ...base,
        lostRange: { from: first.startOffset, to, toInclusive },
        reason: `rows of sealed segment(s) ${gap.missing.map((m) => m.segmentName).join(', ')} are gone from disk and records ${first.startOffset} ${toInclusive ? 'through' : 'up to (not including)'} ${to} could not be re-read: ${why}`,
      };
    }
    // Only sequence numbers show this gap: without the ledger its exact start is unknown.
    if (firstRead !== null) return null;
    return {
      ...base,
      lostRange: { from: null, to: gap.until, toInclusive: gap.untilInclusive },
      reason: `a sealed segment is missing between ${gap.after ?? 'the start of the shard'} and ${gap.until} (LLC sequence numbers skip it; no ledger) and no record of that range could be re-read: ${why}`,
    };
  }

  private update(i: number, patch: Partial<GapRepairStatus>): void {
    this.states[i] = { ...this.states[i]!, ...patch };
  }
}
