import { basename, dirname } from 'node:path';
import type { Logger } from '../logger.js';
import { onCorruptSegment, quarantine, verifySegmentChecksum } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import { describeError } from '../util/describe-error.js';
import { expiredSegments, retentionPolicyOf } from './retention.js';
import { mergeSegments, planMerges } from './compaction.js';
import type { CompactionContext } from './compaction.js';
import { compactionSettingsOf } from './compaction-config.js';
import type { ResolvedTable } from './resolved-table.js';
import type { StreamOffsetFactory } from '../spi/offset.js';
import type { RetentionPolicy } from './retention.js';
import type { SealedSegmentsHolder } from './sealed-segment-ops.js';
import type { RetentionStatus } from './table-ingestion-status.js';
import { retireSegments } from './segment-retirement.js';

/** Default time between two retention checks (besides the one at start). */
export const RETENTION_INTERVAL_MS = 10 * 60 * 1000;

export interface SealedUpkeepOptions {
  readonly holder: SealedSegmentsHolder;
  readonly policy: RetentionPolicy | null;
  readonly disabledReason: string | null;
  /** The clock retention compares with (tests inject a fake one). */
  readonly clock: () => number;
  readonly intervalMs: number;
  /** Background merging of small segments, or null when the table has no `MergeRollupTask`. */
  readonly compaction: Omit<CompactionContext, 'holder'> | null;
  /** A corrupt file was taken out of service and moved to quarantine (its rows are then repaired online). */
  readonly onQuarantined: (entry: { file: string; reason: string }, segment: SealedSegment) => void;
  readonly logger: Logger;
  /**
   * Cluster mode: deletes expired segments from the cluster (committed items and deep-store
   * objects) before they leave this server; a failure leaves them served, retried next check.
   */
  readonly deleteCommitted?: (segmentNames: readonly string[]) => Promise<unknown>;
}

/**
 * The background care of a table's sealed segments:
 * - **retention**: at start and every `intervalMs`, segments whose newest time value is older
 *   than the table's retention are retired (`retireSegments`, reason `retention`: ledger first, so
 *   the shard checkpoints survive and a restart neither re-reads nor repairs them);
 * - **checksums**: segments are opened at start from their footers only; each file's whole-file
 *   CRC-32 is then verified here, one file at a time, in the background;
 * - **corruption**: a file found corrupt (by that check, or by a section read during a query)
 *   stops being served at once and is moved to `quarantine/`, as a corrupt file found at start
 *   is; its ledger entry stays, so its rows are re-read from the stream as a gap (online, by the
 *   table's repairs, or by the next start if the process stops first).
 */
export class SealedUpkeep {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private verifying: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastRunAtMs: number | null = null;
  private segmentsDropped = 0;
  private rowsDropped = 0;
  private readonly recent: { segment: string; endTimeMs: number; droppedAtMs: number }[] = [];
  private verified = 0;
  private compactionTimer: NodeJS.Timeout | null = null;
  private readonly merges = { runs: 0, merged: 0, segmentsIn: 0, rows: 0, lastError: null as string | null };
  /** Retention, deletes and merges of this table's sealed segments run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SealedUpkeepOptions) {}

  /**
   * Runs `fn` after every retention check, delete and merge started before it: these all change
   * the served set and the ledger, and a merge must not bring back rows a delete removed.
   */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Merges what is due now (also what the timer does); resolves with the merges made. */
  runCompaction(): Promise<number> {
    const ctx = this.options.compaction;
    const { holder, logger } = this.options;
    if (ctx === null || holder.ledger === null) return Promise.resolve(0);
    const ledger = holder.ledger;
    return this.serial(async () => {
      let made = 0;
      this.merges.runs++;
      try {
        for (const run of planMerges(holder.get(), ctx.settings, ctx.compareOffsets, ledger)) {
          if (this.stopped) break;
          if (ledger.isHeld(run[0]!.metadata.partitionId) || holder.replaying?.(run[0]!.metadata.partitionId) === true) continue;
          const merged = await mergeSegments({ ...ctx, holder: { ...holder, ledger } }, run);
          if (merged === null) continue;
          made++;
          this.merges.merged++;
          this.merges.segmentsIn += run.length;
          this.merges.rows += merged.numDocs;
        }
        this.merges.lastError = null;
      } catch (err) {
        this.merges.lastError = describeError(err);
        logger.error({ err: describeError(err) }, 'compaction failed; the segments keep serving as they were, retried at the next interval');
      }
      return made;
    });
  }

  /** What compaction did since start, or null when the table has none. */
  compactionStatus(): { readonly runs: number; readonly merged: number; readonly segmentsIn: number; readonly rows: number; readonly lastError: string | null } | null {
    return this.options.compaction === null ? null : { ...this.merges };
  }

  start(): void {
    this.unsubscribe = onCorruptSegment((path, detail) => {
      const segment = this.options.holder.get().find((s) => s.path === path);
      if (segment) void this.quarantineServed(segment, detail);
    });
    this.verifying = this.verifyChecksums();
    if (this.options.policy !== null) {
      void this.runRetention();
      this.schedule();
    }
    if (this.options.compaction !== null) this.scheduleCompaction();
  }

  private scheduleCompaction(): void {
    if (this.stopped) return;
    this.compactionTimer = setTimeout(() => void this.runCompaction().finally(() => this.scheduleCompaction()), this.options.compaction!.settings.intervalMs);
    this.compactionTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.compactionTimer) clearTimeout(this.compactionTimer);
    this.unsubscribe?.();
    await this.queue.catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.verifying?.catch(() => undefined);
  }

  /** Runs one retention check now (also what the timer does); resolves when it is done. */
  runRetention(): Promise<void> {
    const run = async (): Promise<void> => {
      const policy = this.options.policy;
      const { holder, logger } = this.options;
      if (policy === null || this.stopped || holder.ledger === null) return;
      const now = this.options.clock();
      this.lastRunAtMs = now;
      // A partition still repairing gaps without a ledger cannot record a drop yet.
      const expired = expiredSegments(holder.get(), policy, now).filter((s) => !holder.ledger!.isHeld(s.metadata.partitionId));
      if (expired.length === 0) return;
      await this.options.deleteCommitted?.(expired.map((s) => s.metadata.segmentName));
      const dropped = await retireSegments(holder, expired, 'retention');
      for (const s of dropped) {
        this.segmentsDropped++;
        this.rowsDropped += s.numDocs;
        this.recent.push({ segment: s.name, endTimeMs: s.metadata.endTimeMs!, droppedAtMs: now });
      }
      this.recent.splice(0, Math.max(0, this.recent.length - 20));
      logger.info(
        { retentionMs: policy.retentionMs, cutoffMs: now - policy.retentionMs, segments: dropped.map((s) => s.name), rows: dropped.reduce((n, s) => n + s.numDocs, 0) },
        `retention dropped ${dropped.length} sealed segment(s) older than the table's retention`,
      );
    };
    const next = this.serial(run);
    this.running = next.catch((err: unknown) => this.options.logger.error({ err: describeError(err) }, 'retention check failed; retried at the next interval'));
    return this.running;
  }

  status(): RetentionStatus {
    return {
      retentionMs: this.options.policy?.retentionMs ?? null,
      disabledReason: this.options.disabledReason,
      intervalMs: this.options.intervalMs,
      lastRunAtMs: this.lastRunAtMs,
      segmentsDropped: this.segmentsDropped,
      rowsDropped: this.rowsDropped,
      recent: [...this.recent],
    };
  }

  /** Files whose whole-file checksum was verified since start. */
  get checksumsVerified(): number {
    return this.verified;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runRetention().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async verifyChecksums(): Promise<void> {
    for (const segment of [...this.options.holder.get()]) {
      if (this.stopped) return;
      if (!this.options.holder.get().includes(segment)) continue;
      let problem;
      try {
        problem = await verifySegmentChecksum(segment.path);
      } catch (err) {
        // Gone (deleted, dropped meanwhile) or unreadable: nothing to verify.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logger.warn({ segment: segment.name, err: describeError(err) }, 'segment checksum could not be verified');
        continue;
      }
      this.verified++;
      if (problem !== null) await this.quarantineServed(segment, problem.message);
    }
  }

  private async quarantineServed(segment: SealedSegment, reason: string): Promise<void> {
    const { holder, logger } = this.options;
    if (!holder.get().includes(segment)) return;
    holder.set(holder.get().filter((s) => s !== segment));
    segment.retire();
    const file = basename(segment.path);
    try {
      await quarantine(dirname(segment.path), file);
    } catch (err) {
      logger.warn({ segment: segment.name, err: describeError(err) }, 'corrupt segment file could not be moved to quarantine; it is moved at next start');
    }
    logger.error({ file, reason }, 'segment file found corrupt while serving: no longer served, quarantined (its rows are re-read from the stream)');
    this.options.onQuarantined({ file, reason }, segment);
  }
}

/** The upkeep of one table's sealed segments, with its retention read from the table config. */
export function tableUpkeep(
  table: ResolvedTable,
  holder: SealedSegmentsHolder,
  options: {
    readonly clock?: () => number;
    readonly retentionIntervalMs?: number;
    readonly tableDir: string;
    readonly offsets: StreamOffsetFactory;
    /** Cluster mode: retention also deletes from the cluster; no compaction. */
    readonly cluster?: { deleteCommitted(segmentNames: readonly string[]): Promise<unknown> };
  },
  onQuarantined: SealedUpkeepOptions['onQuarantined'],
): SealedUpkeep {
  const retention = retentionPolicyOf(table.config, table.schema);
  if (retention.policy === null && retention.reason !== null) holder.logger.warn(retention.reason);
  let settings = null;
  try {
    settings = compactionSettingsOf(table.config);
  } catch (err) {
    holder.logger.error({ err: describeError(err) }, 'compaction settings are invalid; no compaction');
  }
  // Keyed (upsert, dedup) tables keep their segments: the key map points at them by name and doc.
  if (settings !== null && (table.config.upsert !== undefined || table.config.dedup !== undefined)) {
    holder.logger.warn('MergeRollupTask is ignored on upsert and dedup tables');
    settings = null;
  }
  // Cluster mode: a merged segment would have to replace committed ones on every server (not built).
  if (settings !== null && options.cluster !== undefined) {
    holder.logger.warn('MergeRollupTask is not supported with --cluster: no compaction (docs/cluster.md, "Not done yet")');
    settings = null;
  }
  let lastName = 0;
  const compaction: SealedUpkeepOptions['compaction'] =
    settings === null
      ? null
      : {
          tableDir: options.tableDir,
          schema: table.schema,
          config: table.config,
          settings,
          compareOffsets: (a, b) => options.offsets.parse(a).compareTo(options.offsets.parse(b)),
          now: () => (lastName = Math.max(lastName + 1, Date.now())),
        };
  return new SealedUpkeep({
    holder,
    policy: retention.policy,
    disabledReason: retention.policy === null ? retention.reason : null,
    clock: options.clock ?? Date.now,
    intervalMs: options.retentionIntervalMs ?? RETENTION_INTERVAL_MS,
    compaction,
    onQuarantined,
    logger: holder.logger,
    ...(options.cluster ? { deleteCommitted: (names: readonly string[]) => options.cluster!.deleteCommitted(names) } : {}),
  });
}
