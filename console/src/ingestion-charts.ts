import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { PartitionStatus } from './api.js';
import { h } from './dom.js';

/** One poll of `consumingSegmentsInfo`: when, and each shard's counters. */
export interface Sample {
  readonly atMs: number;
  readonly partitions: readonly PartitionStatus[];
}

export interface Metric {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  /** The value of a shard at sample `i` (null = no point). */
  value(samples: readonly Sample[], i: number, shardId: string): number | null;
}

const find = (sample: Sample | undefined, shardId: string): PartitionStatus | undefined => sample?.partitions.find((p) => p.shardId === shardId);

/** A per-second rate of a counter between two polls; null across a restart (counter went down). */
function rate(counter: (p: PartitionStatus) => number): Metric['value'] {
  return (samples, i, shardId) => {
    const now = find(samples[i], shardId);
    const before = find(samples[i - 1], shardId);
    if (!now || !before) return null;
    const seconds = (samples[i]!.atMs - samples[i - 1]!.atMs) / 1000;
    const delta = counter(now) - counter(before);
    return seconds > 0 && delta >= 0 ? delta / seconds : null;
  };
}

export const METRICS: readonly Metric[] = [
  { id: 'records', title: 'Records per second', unit: 'records/s', value: rate((p) => p.recordsConsumed) },
  { id: 'bytes', title: 'Bytes per second', unit: 'bytes/s', value: rate((p) => p.bytesConsumed) },
  { id: 'lag', title: 'Lag (ms behind latest)', unit: 'ms', value: (samples, i, shardId) => find(samples[i], shardId)?.msBehindLatest ?? null },
];

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];

/**
 * One uPlot line chart of a metric, a series per shard. `update` redraws from the samples and
 * records how many points are drawn in `data-points` (what a test or a curious user can read).
 */
export class MetricChart {
  readonly element: HTMLElement;
  private plot: uPlot | null = null;
  private shards: string[] = [];
  private readonly box: HTMLElement;

  constructor(private readonly metric: Metric) {
    this.box = h('div', { class: 'chart-box' });
    this.element = h('figure', { class: 'chart', id: `chart-${metric.id}`, 'data-points': 0 }, h('figcaption', {}, metric.title), this.box);
  }

  update(samples: readonly Sample[]): void {
    const shards = [...new Set(samples.flatMap((s) => s.partitions.map((p) => p.shardId)))].sort();
    const xs = samples.map((s) => s.atMs / 1000);
    const series = shards.map((shard) => samples.map((_, i) => this.metric.value(samples, i, shard)));
    const data = [xs, ...series] as uPlot.AlignedData;
    if (this.plot === null || shards.join() !== this.shards.join()) {
      this.plot?.destroy();
      this.shards = shards;
      this.plot = new uPlot(
        {
          width: this.width(),
          height: 200,
          scales: { x: { time: true, auto: false } },
          // Ticks as plain wall-clock times: uPlot's date sub-labels collide on a few-minute window.
          axes: [{ values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString('en-GB')) }, { label: this.metric.unit, size: 70 }],
          series: [{}, ...shards.map((shard, i) => ({ label: shard.replace(/^shardId-0*(?=\d)/, 'shard '), stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true, points: { show: true, size: 5 } }))],
        },
        data,
        this.box,
      );
    } else {
      this.plot.setData(data);
    }
    // Set the time range ourselves: a single poll has no span, and uPlot would then show years.
    const last = xs.at(-1) ?? Date.now() / 1000;
    const first = Math.min(xs[0] ?? last, last - 60);
    // Two seconds past the newest poll, so its points are not cut in half by the plot's edge.
    this.plot.setScale('x', { min: first, max: last + 2 });
    const points = series.reduce((n, values) => n + values.filter((v) => v !== null).length, 0);
    this.element.setAttribute('data-points', String(points));
  }

  resize(): void {
    this.plot?.setSize({ width: this.width(), height: 200 });
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }

  private width(): number {
    return Math.max(240, (this.element.clientWidth || this.element.parentElement?.clientWidth || 600) - 16);
  }
}
