import type { Logger } from '../logger.js';
import { parseLlcSegmentName } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import { describeError } from '../util/describe-error.js';
import { GapRepairs } from './gap-repairs.js';
import type { GapRepairsOptions } from './gap-repairs.js';
import type { SealedLedger } from './sealed-ledger.js';
import { findGaps } from './segment-gaps.js';
import type { GapRepairStatus } from './table-ingestion-status.js';

export interface TableRepairsOptions extends Omit<GapRepairsOptions, 'gaps' | 'onPartitionDone' | 'logger'> {
  readonly ledger: SealedLedger;
  /** The sealed segments the table serves now. */
  readonly served: () => readonly SealedSegment[];
  readonly logger: Logger;
}

/**
 * Every re-read of a table's missing sealed rows (docs/exactly-once.md, "Gaps"):
 * - **at start**: the gaps recovery found, one `GapRepairs` beside the normal consumers;
 * - **online**: a sealed file found corrupt while serving (a section read by a query, or the
 *   background whole-file checksum) is quarantined and leaves a hole in its shard's chain; the
 *   hole is found against the ledger (whose entry for the file stays) and re-read from the stream
 *   at once into a repair segment, so its rows come back without a restart.
 *
 * Exactly once, as for a repair at start: the repair reads strictly after the served predecessor's
 * end and keeps records before the served successor's start (or up to the quarantined segment's
 * end when it was the shard's newest, which the shard's consumer is already past). Its segment is
 * committed by its rename; a crash before that leaves the ledger entry and the hole, so the next
 * start repairs it; a crash after it leaves the hole closed. Records the stream no longer has are
 * reported as data loss with their range. Repairs run one batch at a time, online ones after the
 * start's, so two never read the same hole.
 *
 * Upsert and dedup tables repair online too. The quarantine's swap already took the file's keys
 * out of the key map in the same tick (`KeyedTable.followRetirements`, as a deleted segment's), so
 * an upsert key whose live row was there is absent until the repair segment is sealed and applied
 * by comparison value (`KeyedTable.repaired`), and a dedup repair indexes through the key set
 * (`KeyedTable.repairOptions`) with those keys gone from it — its records are stored again, once
 * (`docs/upsert.md`, "Gap repairs"). An upsert repair of one quarantined file takes that file's
 * commit order (`repairSealInfo`), so its ties resolve as they did, online and after a restart.
 *
 * Online repair segments cannot take an LLC sequence number (the shard's consumer owns the next
 * ones), so they are named `<table>__<partitionId>__repair__<creation ms>`, like merged segments.
 */
export class TableRepairs {
  private readonly batches: GapRepairs[] = [];
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastName = 0;

  constructor(private readonly options: TableRepairsOptions) {}

  /** Starts the repairs of the gaps recovery found (each with its reserved sequence number). */
  startRecovered(gaps: GapRepairsOptions['gaps']): void {
    if (gaps.length === 0) return;
    const ledger = this.options.ledger;
    const repairs = this.run(gaps, (partitionId) => void ledger.release(partitionId));
    this.queue = repairs.done();
  }

  /**
   * A served segment was quarantined: re-reads its rows from the stream (queued behind running
   * repairs). Resolves when that repair is done; never rejects.
   */
  afterQuarantine(segment: SealedSegment): Promise<void> {
    const next = this.queue.then(() => this.repairOnline(segment)).catch((err: unknown) => {
      this.options.logger.error({ segment: segment.name, err: describeError(err) }, 'online repair of a quarantined segment failed; its rows are re-read at the next start');
    });
    this.queue = next;
    return next;
  }

  /** Every repair since start (at start and online), in the order they began. */
  status(): GapRepairStatus[] {
    return this.batches.flatMap((b) => [...b.status()]);
  }

  /** Stops every repair (an unsealed repair is redone at the next start) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.batches.map((b) => b.stop()));
  }

  private async repairOnline(segment: SealedSegment): Promise<void> {
    const { ledger, logger, factory } = this.options;
    const { partitionId } = segment.metadata;
    if (this.stopped) return;
    // Without a ledger (or while one is withheld) the hole is only known by sequence numbers,
    // which the next start reads.
    if (!ledger.has(partitionId) || ledger.isHeld(partitionId)) {
      logger.warn({ segment: segment.name }, 'quarantined segment has no sealed-range ledger entry; its rows are re-read at the next start');
      return;
    }
    const offsets = factory.offsetFactory;
    const compare = (a: string, b: string): number => offsets.parse(a).compareTo(offsets.parse(b));
    const sequenceOf = (name: string): number | null => parseLlcSegmentName(name)?.sequence ?? null;
    const gaps = findGaps(this.options.served().map((s) => s.metadata), ledger, compare, sequenceOf).filter(
      (g) => g.partitionId === partitionId && g.missing.some((m) => m.segmentName === segment.name),
    );
    if (gaps.length === 0) return;
    const { tableName } = this.options.config;
    // An upsert repair of this file alone takes its commit order: a rebuild applies it in its place.
    const commitOrder = segment.footer.upsert?.commitOrder;
    const named = gaps.map((gap) => {
      this.lastName = Math.max(this.lastName + 1, Date.now());
      const alone = commitOrder !== undefined && gap.missing.length === 1;
      return { gap, sequence: 0, segmentName: `${tableName}__${partitionId}__repair__${this.lastName}`, ...(alone ? { commitOrder } : {}) };
    });
    logger.warn({ segment: segment.name, gaps: named.map((g) => ({ after: g.gap.after, until: g.gap.until, repairSegment: g.segmentName })) }, 'quarantined segment: re-reading its rows from the stream now');
    await this.run(named, () => undefined).done();
  }

  private run(gaps: GapRepairsOptions['gaps'], onPartitionDone: (partitionId: number) => void): GapRepairs {
    const repairs = new GapRepairs({ ...this.options, gaps, onPartitionDone });
    this.batches.push(repairs);
    repairs.start();
    return repairs;
  }
}
