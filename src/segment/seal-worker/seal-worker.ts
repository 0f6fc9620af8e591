import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { workerExecArgv, workerScript } from '../../util/worker-script.js';
import type { ConsumingSnapshot } from '../consuming-segment.js';
import type { SegmentFileInfo } from '../format/segment-writer.js';
import type { SealReply, SealRequest } from './seal-messages.js';
import { sealRequests } from './seal-messages.js';

/**
 * Thrown by `SealWorker.build` when no worker can do the build: it could not start, or it died
 * during the build. The snapshot is untouched (it is cloned, never transferred), so the caller
 * can build it on its own thread instead — `sealSegment` does.
 */
export class SealWorkerUnavailableError extends Error {
  override readonly name = 'SealWorkerUnavailableError';
}

/** The worker entry next to this module: compiled `.js` in `dist/`, the `.ts` source under vitest. */
function defaultEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './seal-worker-thread.ts' : './seal-worker-thread.js', import.meta.url);
}

/** The sender yields to the event loop once it has spent this long posting messages. */
const YIELD_AFTER_MS = 4;

interface Pending {
  readonly worker: Worker;
  readonly result: Promise<Uint8Array>;
  resolve(bytes: Uint8Array): void;
  reject(err: Error): void;
}

/**
 * One worker thread that builds segment files off the main thread, so a seal — sorting
 * dictionaries, reordering, encoding, zstd, CRC — does not block queries and ingestion.
 *
 * Lifecycle: the thread starts lazily on the first `build`, is `unref`'d whenever no build is
 * pending (an idle worker never keeps the process alive), and `close()` ends it once pending
 * builds are done; a later `build` starts a new one. If the thread fails to start, this instance
 * stops trying and every `build` rejects with `SealWorkerUnavailableError` (callers build
 * in-process); if it dies during a build, that build rejects the same way and the next `build`
 * starts a fresh thread.
 *
 * @example
 *   const bytes = await defaultSealWorker().build(info, segment.snapshot());
 */
export class SealWorker {
  private worker: Worker | null = null;
  private ready = false;
  /** Why the worker could not start; set once, then every build is refused. */
  private startFailure: string | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextJob = 0;

  constructor(private readonly entry: URL = defaultEntry()) {}

  /** `idle` (no thread), `starting`, `ready`, or `unavailable` (the thread failed to start). */
  get state(): 'idle' | 'starting' | 'ready' | 'unavailable' {
    if (this.startFailure !== null) return 'unavailable';
    if (this.worker === null) return 'idle';
    return this.ready ? 'ready' : 'starting';
  }

  /**
   * Builds and checks the segment file of `snapshot` in the worker (`buildCheckedSegment`) and
   * resolves to its bytes. The snapshot is cloned into the worker in several messages, with
   * turns of the event loop between them. Rejects with `SealWorkerUnavailableError` when no
   * worker can build it (its start failed, or it died during the build), or with the build's own
   * error (which building in-process would raise too).
   */
  async build(info: SegmentFileInfo, snapshot: ConsumingSnapshot): Promise<Uint8Array> {
    const worker = this.start();
    const job = ++this.nextJob;
    let settle!: Pick<Pending, 'resolve' | 'reject'>;
    const result = new Promise<Uint8Array>((resolve, reject) => (settle = { resolve, reject }));
    // The worker may die while messages are still being sent: the rejection is awaited below.
    result.catch(() => undefined);
    this.pending.set(job, { worker, result, ...settle });
    if (this.pendingOf(worker).length === 1) worker.ref();
    let turnStart = performance.now();
    try {
      for (const message of sealRequests(job, info, snapshot)) {
        if (!this.pending.has(job)) break;
        worker.postMessage(message);
        if (performance.now() - turnStart > YIELD_AFTER_MS) {
          await nextTurn();
          turnStart = performance.now();
        }
      }
    } catch (err) {
      // Not clonable (a bug): the seal must not fail forever, so the caller builds in-process.
      worker.postMessage({ kind: 'cancel', job } satisfies SealRequest);
      this.settle(worker, job, (entry) => entry.reject(new SealWorkerUnavailableError(`the seal job could not be sent to the worker: ${describe(err)}`)));
    }
    return result;
  }

  /** Waits for pending builds, then ends the thread. A later `build` starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    this.worker = null;
    this.ready = false;
    await Promise.allSettled(this.pendingOf(worker).map((p) => p.result));
    await worker.terminate();
  }

  private pendingOf(worker: Worker): Pending[] {
    return [...this.pending.values()].filter((p) => p.worker === worker);
  }

  private start(): Worker {
    if (this.startFailure !== null) throw new SealWorkerUnavailableError(`the seal worker could not start: ${this.startFailure}`);
    if (this.worker !== null) return this.worker;
    let worker: Worker;
    try {
      worker = newWorker(workerScript(this.entry));
    } catch (err) {
      this.startFailure = describe(err);
      throw new SealWorkerUnavailableError(`the seal worker could not start: ${this.startFailure}`);
    }
    worker.unref();
    let lastError: string | null = null;
    worker.on('message', (message: SealReply) => this.onMessage(worker, message));
    worker.on('error', (err) => (lastError = describe(err)));
    worker.on('messageerror', (err) => {
      lastError = `a message could not be deserialised: ${describe(err)}`;
      void worker.terminate();
    });
    worker.on('exit', (code) => this.onExit(worker, lastError ?? `exit code ${code}`));
    this.worker = worker;
    this.ready = false;
    return worker;
  }

  private onMessage(worker: Worker, message: SealReply): void {
    if (message.kind === 'ready') {
      if (this.worker === worker) this.ready = true;
      return;
    }
    this.settle(worker, message.job, (entry) =>
      message.kind === 'built' ? entry.resolve(message.bytes) : entry.reject(new Error(`building the segment file failed: ${message.message}`)),
    );
  }

  /** Ends a pending job with `outcome`; an idle worker stops holding the process open. */
  private settle(worker: Worker, job: number, outcome: (entry: Pending) => void): void {
    const entry = this.pending.get(job);
    if (entry === undefined) return;
    this.pending.delete(job);
    if (this.pendingOf(worker).length === 0) worker.unref();
    outcome(entry);
  }

  private onExit(worker: Worker, reason: string): void {
    if (this.worker === worker) {
      if (!this.ready) this.startFailure = reason;
      this.worker = null;
      this.ready = false;
    }
    for (const [job, entry] of this.pending) {
      if (entry.worker !== worker) continue;
      this.pending.delete(job);
      entry.reject(new SealWorkerUnavailableError(`the seal worker stopped during the build: ${reason}`));
    }
  }
}

function newWorker(script: URL): Worker {
  const execArgv = workerExecArgv();
  try {
    return new Worker(script, { name: 'shardtable-seal', execArgv });
  } catch (err) {
    if (execArgv === undefined || (err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(script, { name: 'shardtable-seal', execArgv: [] });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

let shared: SealWorker | undefined;

/** The process's seal worker, shared by every table (seals run one at a time in it). */
export function defaultSealWorker(): SealWorker {
  shared ??= new SealWorker();
  return shared;
}

/** Ends the shared seal worker once its pending builds are done (server shutdown). */
export async function closeSealWorker(): Promise<void> {
  await shared?.close();
}
