import cliProgress from 'cli-progress';
import type { PartitionStatus } from '../ingest/index.js';

/** Where progress goes: bars on a terminal, plain lines otherwise. */
export interface ProgressSink {
  /** The stream bars are drawn on (stderr); bars only when it is a terminal. */
  readonly stream: NodeJS.WriteStream;
  /** Plain progress lines (no terminal). */
  readonly line: (text: string) => void;
  /** Millis between plain lines per shard (default 5000). */
  readonly lineIntervalMs?: number;
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);

/**
 * Per-shard progress of `ingest --once`: on a terminal, one bar per shard (cli-progress) filling
 * as the shard's lag shrinks, with records, MB and ms behind; otherwise a plain line per shard
 * every few seconds and when it finishes.
 */
export class ShardProgress {
  private readonly bars: cliProgress.MultiBar | null;
  private readonly shardBars = new Map<string, { bar: cliProgress.SingleBar; total: number }>();
  private readonly lastLine = new Map<string, number>();
  private readonly finished = new Set<string>();

  constructor(private readonly sink: ProgressSink) {
    this.bars = sink.stream.isTTY
      ? new cliProgress.MultiBar(
          {
            stream: sink.stream,
            format: '{shard} [{bar}] {records} records | {mb} MB | {behind} ms behind',
            hideCursor: true,
            clearOnComplete: false,
            stopOnComplete: false,
            barsize: 12,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  }

  update(partitions: readonly PartitionStatus[]): void {
    const now = Date.now();
    for (const p of partitions) {
      const payload = { shard: p.shardId, records: p.recordsConsumed, mb: mb(p.bytesConsumed), behind: p.msBehindLatest ?? '?', state: p.state };
      const done = p.state === 'ENDED' || p.state === 'STOPPED' || p.state === 'ERROR';
      if (this.bars) {
        let entry = this.shardBars.get(p.shardId);
        const behind = p.msBehindLatest ?? 0;
        if (!entry) {
          entry = { bar: this.bars.create(Math.max(1, behind), 0, payload), total: Math.max(1, behind) };
          this.shardBars.set(p.shardId, entry);
        }
        if (behind > entry.total) {
          entry.total = behind;
          entry.bar.setTotal(behind);
        }
        // The bar fills as the lag shrinks; unknown lag (no fetch answered yet) shows empty.
        const value = done && p.state !== 'ERROR' ? entry.total : p.msBehindLatest === null ? 0 : entry.total - behind;
        entry.bar.update(value, payload);
        continue;
      }
      if (this.finished.has(p.shardId)) continue;
      const due = now - (this.lastLine.get(p.shardId) ?? 0) >= (this.sink.lineIntervalMs ?? 5000);
      if (done || due) {
        this.sink.line(`${p.shardId}: ${p.recordsConsumed} records, ${mb(p.bytesConsumed)} MB, ${p.msBehindLatest ?? '?'} ms behind, ${p.state}${p.lastError && p.state === 'ERROR' ? `: ${p.lastError}` : ''}`);
        this.lastLine.set(p.shardId, now);
        if (done) this.finished.add(p.shardId);
      }
    }
  }

  stop(): void {
    this.bars?.stop();
  }
}
