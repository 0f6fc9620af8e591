import { availableParallelism } from 'node:os';
import type { ParallelExecution } from './parallel-executor.js';
import { QueryPool } from './query-pool.js';

/** Env var: most query worker threads (`serve --query-threads`); 0 runs every query on the main thread. */
export const QUERY_THREADS_ENV = 'SHARDTABLE_QUERY_THREADS';
/** Env var: the least rows in a query's sealed segments for it to run on the worker threads. */
export const PARALLEL_MIN_ROWS_ENV = 'SHARDTABLE_QUERY_PARALLEL_MIN_ROWS';
/**
 * Env var: `1` (or `true`) splits a high-cardinality GROUP BY or DISTINCTCOUNT by key across the
 * worker threads (`serve --query-split-by-key`; docs/query.md, "Partitioned by key"); `0`,
 * `false` or unset: off, the default (on two cores it was no steady win: docs/decisions.md).
 */
export const SPLIT_BY_KEY_ENV = 'SHARDTABLE_QUERY_SPLIT_BY_KEY';

/**
 * Default of {@link PARALLEL_MIN_ROWS_ENV}. Measured on a 2-core machine under load (bench
 * `parallel`, bench/notes.md): at 1M rows in 8 segments the main thread alone answered most
 * queries as fast as a pool of 2 or faster (a hop to a worker costs a message each way, a plan
 * and a merge, and thread wake-ups are slow on a busy machine), so the pool starts at 1M rows.
 */
export const DEFAULT_PARALLEL_MIN_ROWS = 1_000_000;

/**
 * Default query worker threads: none. Measured on a quiet 2-core machine at 10M rows (bench
 * `parallel`, bench/notes.md, 2026-12-06 12:18 UTC) a pool of 2 answered the 15 queries 1.35x
 * slower than the main thread alone (geometric mean; 1 -> 2 threads x1.16); with work stealing
 * (19:43 UTC, load 19-22) still clearly slower on some queries (in-list 64 ms on the main thread,
 * 344 ms on the pool of 2) and its peak resident memory while querying was 1.68x the main
 * thread's. With one memory budget split between the threads (`budget-split.ts`), a quiet run
 * (21:07 UTC): memory x1.25, but still slower than the main thread on raw-selective (x0.69) and
 * in-list (x0.86). After workers stopped detaching their reply buffers and stealing was freed
 * (23:45-23:47 UTC), a pool of 2 was x1.12-1.23 faster than the main thread over the 15 queries,
 * but still slower on some in each run (dict-broad x0.74, in-list x0.93) and held x1.17-x1.26 the
 * memory. So the pool is opt-in (`serve --query-threads N`) until it is never clearly worse, in
 * time and memory. On 2026-12-07, settled and with the workers' memory trimmed, it is neither at
 * 10M rows (pool of 2 / main x1.38-1.43, worst query x1.00-1.03; memory x1.15), but it splits the
 * memory budget between the threads: at 100M rows under 1 GiB a scan whose columns fit the whole
 * budget (954 MiB) no longer fits the workers' shares. It stays opt-in until the larger-than-budget
 * runs are measured with it (docs/decisions.md, "The query pool stays opt-in").
 */
export const DEFAULT_QUERY_THREADS = 0;

/** A whole number ≥ 0 from a flag or env var, or a message naming it. */
export function parseThreadCount(raw: string, what: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`${what} must be a whole number ≥ 0, got ${JSON.stringify(raw)}`);
  return n;
}

/** `1`/`true` or `0`/`false` (any case) from a flag or env var, or a message naming it. */
export function parseSwitch(raw: string, what: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new Error(`${what} must be 1, true, 0 or false, got ${JSON.stringify(raw)}`);
}

function fromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? fallback : parseThreadCount(raw, name);
}

function switchFromEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? fallback : parseSwitch(raw, name);
}

let requestedThreads: number | null = null;
let minRows: number | null = null;
let splitByKey: boolean | null = null;
let shared: QueryPool | null = null;

/** The settings in force: those `configureQueryThreads` set, else the environment's, else the defaults; a bad environment value throws, naming it. */
function settings(): { readonly size: number; readonly minRows: number; readonly partitioned: boolean } {
  return {
    size: Math.min(availableParallelism(), requestedThreads ?? fromEnv(QUERY_THREADS_ENV, DEFAULT_QUERY_THREADS)),
    minRows: minRows ?? fromEnv(PARALLEL_MIN_ROWS_ENV, DEFAULT_PARALLEL_MIN_ROWS),
    partitioned: splitByKey ?? switchFromEnv(SPLIT_BY_KEY_ENV, false),
  };
}

/**
 * Sets the process's query threads (`serve --query-threads`), the row threshold and whether
 * queries may be split by key (`--query-split-by-key`); unset fields keep the environment's
 * value, else the default (no worker threads, see {@link DEFAULT_QUERY_THREADS}; 1,000,000 rows;
 * no split by key). The pool has `min(cores, threads)` workers. A pool of another size is closed
 * and replaced. Throws, naming the variable, when an environment value in force is not valid
 * (so `serve` stops at start rather than failing every query).
 */
export function configureQueryThreads(config: { readonly threads?: number; readonly minRows?: number; readonly splitByKey?: boolean }): void {
  if (config.threads !== undefined) requestedThreads = config.threads;
  if (config.minRows !== undefined) minRows = config.minRows;
  if (config.splitByKey !== undefined) splitByKey = config.splitByKey;
  const { size } = settings();
  if (shared !== null && shared.threads !== size) {
    void shared.close();
    shared = null;
  }
}

/** The process's query pool and its settings (the pool starts its threads on first use), or null when threads are 0. */
export function sharedParallelExecution(): ParallelExecution | null {
  const { size, minRows: rows, partitioned } = settings();
  if (size === 0) return null;
  shared ??= new QueryPool(size);
  return { pool: shared, minRows: rows, partitioned };
}

/** Ends the process's query threads (server shutdown); a later query starts new ones. */
export async function closeSharedQueryPool(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}
