import type { SealedSegment } from '../segment/index.js';
import type { StreamMessage } from '../spi/message-batch.js';
import type { StreamOffset, StreamOffsetFactory } from '../spi/offset.js';
import { faultPoint } from '../util/fault-points.js';
import type { RewindPartition } from './rewind-store.js';

export interface RewindCursorOptions {
  readonly plan: RewindPartition;
  readonly offsets: StreamOffsetFactory;
  /** The old segments still to replace (served now), in offset order. */
  readonly remaining: readonly SealedSegment[];
  /** Retires `retire` and serves `replacements` in one step (ledger write, then one tick). */
  readonly swap: (retire: readonly SealedSegment[], replacements: readonly SealedSegment[]) => Promise<void>;
  /** The partition's part of the rewind is over (durable). */
  readonly finished: () => Promise<void>;
}

/**
 * One partition's rewind while its reader replays the stream (docs/exactly-once.md, "Rewind").
 * While old segments remain to be replaced the reader is a *shadow*: its consuming segment is not
 * queried and its seals are held back (`sealed`). Each time the replay reaches the end offset of
 * the next old segment, the reader seals and `swapThrough` retires the old segments it has passed
 * and serves the held-back ones in the same step, so a query sees either the old rows or their
 * replacements, never both, never neither. After the last old segment the reader is an ordinary one.
 *
 * Records are indexed or skipped by `decide`:
 * - old segments that begin before the first record the replay returns (the stream no longer holds
 *   their start) are kept whole, and records up to their end are skipped;
 * - below `skipBelow` (a rewind to a time, read from the oldest record to keep the first replaced
 *   segment's earlier records), only records that arrived at or after `keepFromMs` are indexed.
 */
export class RewindCursor {
  private remaining: SealedSegment[];
  private pending: SealedSegment[] = [];
  private seenFirst = false;
  private skipThrough: StreamOffset | null = null;
  private readonly skipBelow: StreamOffset | null;
  private done = false;

  constructor(private readonly options: RewindCursorOptions) {
    this.remaining = [...options.remaining];
    this.skipBelow = options.plan.skipBelow === null ? null : options.offsets.parse(options.plan.skipBelow);
  }

  get shardId(): string {
    return this.options.plan.shardId;
  }

  /** True while old segments remain: the reader's consuming segment is hidden and its seals held back. */
  get active(): boolean {
    return this.remaining.length > 0;
  }

  /** For status. */
  progress(): { readonly shardId: string; readonly remaining: number; readonly pending: number; readonly done: boolean } {
    return { shardId: this.shardId, remaining: this.remaining.length, pending: this.pending.length, done: this.done };
  }

  decide(message: StreamMessage): 'index' | 'skip' {
    if (!this.seenFirst) {
      this.seenFirst = true;
      const kept = this.remaining.filter((s) => this.compare(s.metadata.startOffset!, message.offset) < 0);
      if (kept.length > 0) {
        this.skipThrough = this.offsetOf(kept[kept.length - 1]!.metadata.endOffset!);
        this.remaining = this.remaining.filter((s) => !kept.includes(s));
        if (!this.active) this.finish().catch(() => undefined); // logged by the store's caller; retried at the next start
      }
    }
    if (this.skipThrough !== null && message.offset.compareTo(this.skipThrough) <= 0) return 'skip';
    const { keepFromMs } = this.options.plan;
    if (keepFromMs !== null && message.arrivalTimeMs < keepFromMs && (this.skipBelow === null || message.offset.compareTo(this.skipBelow) < 0)) return 'skip';
    return 'index';
  }

  /** Before indexing a record at `offset`: has the replay passed the next old segment's end? (Then seal and swap first.) */
  mustSwapBefore(offset: StreamOffset): boolean {
    return this.active && this.compare(this.remaining[0]!.metadata.endOffset!, offset) < 0;
  }

  /** After indexing the record at `offset`: has the replay reached the next old segment's end? */
  mustSwapAfter(offset: StreamOffset): boolean {
    return this.active && this.compare(this.remaining[0]!.metadata.endOffset!, offset) <= 0;
  }

  /** A replacement was sealed (committed file, not served yet). */
  sealed(segment: SealedSegment): void {
    this.pending.push(segment);
  }

  /**
   * Retires the old segments ending at or before `offset` (before it, when `inclusive` is false;
   * every one at the shard's end, `offset` null) and serves the held-back replacements.
   */
  async swapThrough(offset: StreamOffset | null, inclusive: boolean): Promise<void> {
    const passed = this.remaining.filter((s) => {
      if (offset === null) return true;
      const c = this.compare(s.metadata.endOffset!, offset);
      return inclusive ? c <= 0 : c < 0;
    });
    const replacements = this.pending;
    if (passed.length === 0 && replacements.length === 0) return;
    faultPoint('rewind:before-swap');
    await this.options.swap(passed, replacements);
    faultPoint('rewind:after-swap');
    this.pending = [];
    this.remaining = this.remaining.filter((s) => !passed.includes(s));
    if (!this.active) await this.finish();
  }

  /** A segment was published the ordinary way (no old segment left): the rewind of this partition is over. */
  async committed(): Promise<void> {
    if (!this.active) await this.finish();
  }

  private async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.options.finished();
  }

  private offsetOf(persisted: string): StreamOffset {
    return this.options.offsets.parse(persisted);
  }

  private compare(persisted: string, offset: StreamOffset): number {
    return this.offsetOf(persisted).compareTo(offset);
  }
}
