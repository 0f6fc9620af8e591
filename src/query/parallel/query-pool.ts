import { Worker } from 'node:worker_threads';
import { workerExecArgv, workerScript } from '../../util/worker-script.js';
import { blockCache } from '../../segment/reader/block-cache.js';
import { joinBudget, leaveBudget } from './budget-split.js';
import { QueryError } from '../query-error.js';
import type { BatchResult, BatchTask, PartitionResult, PartitionTask, PoolReply, PoolRequest } from './messages.js';

/** The worker entry next to this module: compiled `.js` in `dist/`, the `.ts` source under vitest. */
function defaultEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './query-worker-thread.ts' : './query-worker-thread.js', import.meta.url);
}

/**
 * A task the pool could not run on a worker: no thread could start, or the query was over
 * before the task started. The caller reads the segments on its own thread (or drops them, for
 * a query that is over).
 */
export class WorkerUnavailableError extends Error {
  override readonly name = 'WorkerUnavailableError';
}

interface Pending {
  readonly id: number;
  readonly queryId: number;
  readonly task: BatchTask | PartitionTask;
  resolve(result: BatchResult | PartitionResult): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** Set once the thread has loaded its modules and said so. */
  ready: boolean;
  /** Tasks sent to the thread and not answered yet, oldest first (it runs them in that order). */
  readonly running: Pending[];
  lastError: string | null;
  /** The position, in the running task's segments, of the segment the thread reads (it writes it). */
  readonly progress: Int32Array;
}

/** Counters for tests and `/metrics`-style diagnostics. */
export interface QueryPoolStats {
  readonly threads: number;
  readonly busy: number;
  readonly queued: number;
  /** Threads that stopped unexpectedly and were replaced. */
  readonly replaced: number;
  /** Tasks answered with partial results (of every segment they took). */
  readonly completed: number;
  /** Tasks a worker dropped at their query's deadline or cancel flag. */
  readonly cancelled: number;
}

/**
 * A pool of `node:worker_threads` query workers that read sealed segments in parallel. Each
 * task reads segments of one query from the query's shared queue (`SegmentClaims`) and answers
 * their partial results; a worker runs one task at a time, and queued tasks are handed to idle workers round-robin
 * across queries (each query's own tasks in order). While a query waits with no task running,
 * the pool raises a flag shared with the workers: each stops its task at the next segment and
 * answers what it has (the caller sends the task again, behind the waiting query), so a query
 * over many segments does not hold back a short one. Threads start on first use and are
 * `unref`'d while idle, so an idle pool never keeps the process alive.
 *
 * A thread that stops during a task (a crash, out of memory) fails that task with a
 * `QUERY_EXECUTION` error naming the segment it was reading, and is replaced at once. A thread that cannot start
 * at all makes every task reject with `WorkerUnavailableError` (callers read the segments on the
 * main thread), and the pool stops trying.
 *
 * @example
 *   const pool = new QueryPool(2);
 *   const result = await pool.run(queryId, { query, segments: [{ segmentName, numDocs, file, liveDocs }], deadlineMs, cancel });
 */
export class QueryPool {
  private readonly slots: Slot[] = [];
  /** Queued tasks per query id; `order` is the round-robin of queries with queued tasks. */
  private readonly queues = new Map<number, Pending[]>();
  private order: number[] = [];
  /** Tasks on a worker, per query id. */
  private readonly runningPerQuery = new Map<number, number>();
  /** Set (1) while a query with queued tasks has none running: workers end their tasks early. */
  private readonly yieldFlag = new Int32Array(new SharedArrayBuffer(4));
  private nextTask = 0;
  private replacedCount = 0;
  private completedCount = 0;
  private cancelledCount = 0;
  private startFailure: string | null = null;
  private closed = false;
  /** Each thread's block cache, set when the first thread starts (see `budget-split.ts`). */
  private threadBudget: number | null = null;

  /**
   * `threads`: how many workers at most (at least 1). `memoryBudgetBytes`: the block cache of each
   * worker (default: the process's memory budget split evenly between the main thread and the
   * workers, the main thread's cache shrinking to its share while the pool is open).
   */
  constructor(
    readonly threads: number,
    private readonly options: { readonly entry?: URL; readonly memoryBudgetBytes?: number } = {},
  ) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`a query pool needs at least one thread, got ${threads}`);
  }

  get stats(): QueryPoolStats {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.length;
    return { threads: this.slots.length, busy: this.slots.filter((s) => s.running.length > 0).length, queued, replaced: this.replacedCount, completed: this.completedCount, cancelled: this.cancelledCount };
  }

  /**
   * True once a thread is up to take tasks. Until then it starts the threads (if not started)
   * and answers false: the engine runs the query on the main thread meanwhile, so a cold pool
   * (threads load their modules first) never delays a query.
   */
  isReady(): boolean {
    if (this.closed || this.startFailure !== null) return false;
    if (this.slots.some((s) => s.ready)) return true;
    while (this.slots.length < this.threads && this.spawn() !== null);
    return false;
  }

  /** Starts every thread and resolves once all are up (rejects if they cannot start). */
  async whenReady(): Promise<void> {
    while (this.slots.length < this.threads && !this.closed && this.startFailure === null && this.spawn() !== null);
    for (;;) {
      if (this.startFailure !== null) throw new WorkerUnavailableError(`query worker threads could not start: ${this.startFailure}`);
      if (this.closed) throw new WorkerUnavailableError('the query pool is closed');
      if (this.slots.length > 0 && this.slots.every((s) => s.ready)) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Runs one task of query `queryId` on a worker; resolves to the partial results of the
   * segments it took from the query's queue (see `BatchResult`).
   */
  run(queryId: number, task: BatchTask): Promise<BatchResult>;
  /** Runs one partition of a query split by key (`PartitionRequest`). */
  run(queryId: number, task: PartitionTask): Promise<PartitionResult>;
  run(queryId: number, task: BatchTask | PartitionTask): Promise<BatchResult | PartitionResult> {
    if (this.closed) return Promise.reject(new WorkerUnavailableError('the query pool is closed'));
    if (this.startFailure !== null) return Promise.reject(new WorkerUnavailableError(`query worker threads could not start: ${this.startFailure}`));
    return new Promise<BatchResult | PartitionResult>((resolve, reject) => {
      const pending: Pending = { id: ++this.nextTask, queryId, task, resolve, reject };
      let queue = this.queues.get(queryId);
      if (queue === undefined) {
        queue = [];
        this.queues.set(queryId, queue);
        this.order.push(queryId);
      }
      queue.push(pending);
      this.dispatch();
    });
  }

  /** Drops the queued tasks of a query that is over (they reject with `WorkerUnavailableError`); running ones see its cancel flag. */
  cancelQuery(queryId: number): void {
    const queue = this.queues.get(queryId);
    if (queue === undefined) return;
    this.queues.delete(queryId);
    this.order = this.order.filter((id) => id !== queryId);
    for (const p of queue) p.reject(new WorkerUnavailableError('the query is over'));
    this.updateYieldFlag();
  }

  /** Ends every thread; queued and running tasks reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.queues.keys()]) this.cancelQuery(id);
    const slots = this.slots.splice(0);
    for (const s of slots) for (const p of s.running.splice(0)) p.reject(new WorkerUnavailableError('the query pool closed'));
    this.runningPerQuery.clear();
    if (this.threadBudget !== null && this.options.memoryBudgetBytes === undefined) leaveBudget(this.threads);
    this.threadBudget = null;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** TEST ONLY. The running threads, to stop one as a crash would. */
  threadsForTest(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  private dispatch(): void {
    while (this.order.length > 0) {
      // An idle thread; a new one while the pool is not full and every thread is busy.
      let slot = this.slots.find((s) => s.running.length === 0);
      if (slot === undefined && this.slots.length < this.threads) slot = this.spawn() ?? undefined;
      if (slot === undefined) break;
      const queryId = this.order.shift()!;
      const queue = this.queues.get(queryId)!;
      // Lane i to thread i where the query has that lane queued: the thread whose cache holds
      // those segments from the last query over them (cache affinity, `SegmentClaims`).
      // (A partition task reads every segment: its partition index stands for the lane.)
      const thread = this.slots.indexOf(slot);
      const home = queue.findIndex((p) => ('kind' in p.task ? p.task.index : p.task.lane) % this.threads === thread);
      const pending = queue.splice(Math.max(0, home), 1)[0]!;
      if (queue.length > 0) this.order.push(queryId);
      else this.queues.delete(queryId);
      this.start(slot, pending);
    }
    this.updateYieldFlag();
  }

  /** Raises the flag while some query has queued tasks and none running, lowers it otherwise. */
  private updateYieldFlag(): void {
    const waiting = this.order.some((id) => (this.runningPerQuery.get(id) ?? 0) === 0);
    Atomics.store(this.yieldFlag, 0, waiting ? 1 : 0);
  }

  /** Counts a task in (1) or out (-1) of the running ones per query (fairness). */
  private startedOn(pending: Pending, delta: 1 | -1): void {
    const n = (this.runningPerQuery.get(pending.queryId) ?? 0) + delta;
    if (n > 0) this.runningPerQuery.set(pending.queryId, n);
    else this.runningPerQuery.delete(pending.queryId);
  }

  private start(slot: Slot, pending: Pending): void {
    slot.running.push(pending);
    this.startedOn(pending, 1);
    Atomics.store(slot.progress, 0, 0);
    slot.worker.ref();
    try {
      const t = pending.task;
      slot.worker.postMessage(('kind' in t ? { ...t, task: pending.id } : { kind: 'batch', task: pending.id, ...t }) satisfies PoolRequest);
    } catch (err) {
      slot.running.splice(slot.running.indexOf(pending), 1);
      this.startedOn(pending, -1);
      if (slot.running.length === 0) slot.worker.unref();
      pending.reject(new WorkerUnavailableError(`the task could not be sent to a query worker: ${(err as Error).message}`));
    }
  }

  /** A new thread in a new slot, or null when none can start (every queued task is then refused). */
  private spawn(): Slot | null {
    let worker: Worker;
    try {
      worker = newWorker(workerScript(this.options.entry ?? defaultEntry()));
    } catch (err) {
      this.failStart((err as Error).message);
      return null;
    }
    const progress = new SharedArrayBuffer(4);
    const slot: Slot = { worker, ready: false, running: [], lastError: null, progress: new Int32Array(progress) };
    this.slots.push(slot);
    this.threadBudget ??= this.options.memoryBudgetBytes ?? joinBudget(this.threads);
    const budget = this.threadBudget;
    worker.postMessage({ kind: 'init', memoryBudgetBytes: budget, compressedTierShare: blockCache.compressedTierShare, yieldFlag: this.yieldFlag.buffer as SharedArrayBuffer, progress } satisfies PoolRequest);
    worker.on('message', (message: PoolReply) => this.onMessage(slot, message));
    worker.on('error', (err) => (slot.lastError = err.message));
    worker.on('messageerror', (err) => {
      slot.lastError = `a message could not be deserialised: ${err.message}`;
      void worker.terminate();
    });
    worker.on('exit', (code) => this.onExit(slot, slot.lastError ?? `exit code ${code}`));
    // After the listeners: adding a 'messageerror' listener refs the worker's port again, and an
    // idle pool would then keep a finished process (a CLI run, a benchmark) alive.
    worker.unref();
    return slot;
  }

  private onMessage(slot: Slot, message: PoolReply): void {
    if (message.kind === 'ready') {
      slot.ready = true;
      return;
    }
    const at = slot.running.findIndex((p) => p.id === message.task);
    if (at < 0) return;
    const pending = slot.running.splice(at, 1)[0]!;
    this.startedOn(pending, -1);
    if (slot.running.length === 0) slot.worker.unref();
    if (message.kind === 'done') this.completedCount++;
    if (message.kind === 'error' && message.errorKind === 'EXECUTION_TIMEOUT') this.cancelledCount++;
    if (message.kind === 'done') pending.resolve(message.result);
    else pending.reject(withPosition(renderedQueryError(message.errorKind, message.message), message.position));
    this.dispatch();
  }

  private onExit(slot: Slot, reason: string): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return; // closed
    this.slots.splice(at, 1);
    const lost = slot.running.splice(0);
    for (const p of lost) this.startedOn(p, -1);
    if (!slot.ready) {
      for (const p of lost) p.reject(new WorkerUnavailableError(`a query worker thread could not start: ${reason}`));
      // Never came up, and no other thread is up: the pool cannot run here (no retry loop).
      if (this.slots.every((s) => !s.ready)) {
        this.failStart(reason);
        return;
      }
    } else if (lost.length > 0) {
      // The first was running; any others were waiting in the thread: they fail with it.
      const segments = lost[0]!.task.segments;
      const name = segments[Math.min(Math.max(0, Atomics.load(slot.progress, 0)), segments.length - 1)]!.segmentName;
      const position = Math.max(0, Atomics.load(slot.progress, 0));
      for (const p of lost) p.reject(withPosition(new QueryError('QUERY_EXECUTION', `a query worker thread stopped while reading segment ${name} (${reason}); the thread was replaced, and the query can be sent again`), position));
    }
    if (this.closed) return;
    this.replacedCount++;
    this.spawn();
    this.dispatch();
  }

  private failStart(reason: string): void {
    this.startFailure = reason;
    for (const id of [...this.queues.keys()]) {
      const queue = this.queues.get(id)!;
      this.queues.delete(id);
      for (const p of queue) p.reject(new WorkerUnavailableError(`query worker threads could not start: ${reason}`));
    }
    this.order = [];
  }
}

const failedAt = new WeakMap<Error, number>();

function withPosition(err: Error, position: number): Error {
  if (position >= 0) failedAt.set(err, position);
  return err;
}

/**
 * The position, in its task's `segments`, of the segment whose read failed a task (the pool's
 * rejection), or -1 when unknown: of several failed segments, the query reports the first in
 * segment order, as a sequential scan would.
 */
export function failedPosition(err: unknown): number {
  return err instanceof Error ? (failedAt.get(err) ?? -1) : -1;
}

/** A query error whose message was rendered on another thread. */
function renderedQueryError(kind: QueryError['kind'], message: string): QueryError {
  const err = new QueryError(kind, {});
  err.message = message;
  return err;
}

/**
 * A query worker's young generation, MiB (V8 splits it into semi-spaces of a third each). A
 * worker's scans allocate their arrays outside the JS heap and few short-lived objects on it, yet
 * V8 grew each worker's new space to its 16 MiB default, 1-3 MiB of it used (bench/notes.md,
 * "What the pool's threads hold"). Capped, each worker holds 2 MiB there.
 */
const WORKER_YOUNG_GENERATION_MB = 3;

function newWorker(script: URL): Worker {
  const execArgv = workerExecArgv();
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  try {
    return new Worker(script, { name: 'shardtable-query', execArgv, resourceLimits });
  } catch (err) {
    if (execArgv === undefined || (err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(script, { name: 'shardtable-query', execArgv: [], resourceLimits });
  }
}
