import { blockCache } from '../../segment/reader/block-cache.js';

/**
 * One memory budget for the whole process, however many query threads it runs.
 *
 * `serve --memory-budget-mb` sizes the main thread's block cache. A query worker is an isolate of
 * its own: it cannot read the main thread's decoded blocks, so it keeps a cache of its own. While
 * query pools are open, the budget is split evenly between the main thread and every pool thread
 * (`budget / (1 + threads)` each), so the caches together stay within the one budget instead of
 * holding it once per thread. When the last pool closes, the main thread gets the whole budget
 * back.
 *
 * A thread keeps the share it started with: a second pool opened beside a first (a benchmark
 * comparing pool sizes) shrinks the main thread's share and gives its own threads the smaller
 * share, but does not resize the first pool's threads.
 */
let wholeBudget: number | null = null;
let openThreads = 0;

/** Registers `threads` more pool threads; answers the cache size each of them is to use. */
export function joinBudget(threads: number): number {
  wholeBudget ??= blockCache.capacityBytes;
  openThreads += threads;
  const share = Math.floor(wholeBudget / (1 + openThreads));
  blockCache.resize(share);
  return share;
}

/** Unregisters `threads` pool threads: the main thread's share grows back (the whole budget once none is left). */
export function leaveBudget(threads: number): void {
  if (wholeBudget === null) return;
  openThreads = Math.max(0, openThreads - threads);
  blockCache.resize(openThreads === 0 ? wholeBudget : Math.floor(wholeBudget / (1 + openThreads)));
  if (openThreads === 0) wholeBudget = null;
}
