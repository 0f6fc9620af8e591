import { Worker } from 'node:worker_threads';
import { collectGarbage as collectNow } from '../src/segment/reader/collect-garbage.js';

/**
 * Samples the process's resident memory (RSS: every thread's heap, the block caches, segment
 * buffers) every `intervalMs` from a thread of its own, so samples are taken while the main
 * thread is inside a scan. `peakMB()` is the highest sample since the last `reset()`. The
 * sampler's own isolate (a few MB) is in every sample alike.
 */
export class RssSampler {
  private readonly shared = new Float64Array(new SharedArrayBuffer(16));
  private readonly worker: Worker;

  private constructor(intervalMs: number) {
    const code = `
      const { workerData } = require('node:worker_threads');
      const peak = new Float64Array(workerData.buffer);
      setInterval(() => {
        const rss = process.memoryUsage.rss();
        if (peak[1] !== 0) { peak[0] = rss; peak[1] = 0; } else if (rss > peak[0]) peak[0] = rss;
      }, ${intervalMs});
    `;
    this.worker = new Worker(code, { eval: true, workerData: { buffer: this.shared.buffer } });
  }

  static async start(intervalMs = 2): Promise<RssSampler> {
    const sampler = new RssSampler(intervalMs);
    await new Promise<void>((resolve, reject) => {
      sampler.worker.once('online', () => {
        // Running, it never keeps a finished process alive.
        sampler.worker.unref();
        resolve();
      });
      sampler.worker.once('error', reject);
    });
    return sampler;
  }

  /** Starts a new peak from the next sample. */
  reset(): void {
    this.shared[0] = process.memoryUsage.rss();
    this.shared[1] = 1;
  }

  /** The highest RSS sampled since `reset()`, in MiB (at least the current RSS). */
  peakMB(): number {
    return Math.max(this.shared[0]!, process.memoryUsage.rss()) / 2 ** 20;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Runs a full garbage collection of this thread's heap (exposing `gc` through a V8 flag set at run time). */
export function collectGarbage(): void {
  if (!collectNow()) throw new Error('V8 gc could not be exposed');
}
