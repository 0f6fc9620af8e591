import { AsyncLocalStorage } from 'node:async_hooks';
import { blockCache } from './block-cache.js';
import type { BlockCache } from './block-cache.js';
import { collectGarbage } from './collect-garbage.js';

const MIB = 1024 * 1024;
/** Reservations grow in steps of this share of the budget (at least 1 MiB), so a growing table resizes the cache now and then, not per block. */
const STEP_SHARE = 1 / 256;
/** A query whose structures hold less than this reserves nothing (a COUNT(*) would otherwise evict a step of cache for a few bytes). */
const MIN_RESERVATION = 64 * 1024;
/** A released reservation of at least this share of the budget is collected at once (`collectGarbage`). */
const COLLECT_SHARE = 1 / 8;
/** A resize allocating at least this share of the budget collects what its reservation evicted first. */
const GROW_COLLECT_SHARE = 1 / 16;

/** Counters of the query side of the memory budget (metrics, the storage bench). */
export interface QueryMemoryStats {
  /** Bytes running queries hold reserved now. */
  readonly reservedBytes: number;
  /** Most bytes reserved at once since the last `resetPeaks`. */
  readonly peakReservedBytes: number;
  /** Most bytes of cache entries plus reservations at once since the last `resetPeaks` (the budget's measure). */
  readonly peakTotalBytes: number;
  /** Queries that ended after the budget could not hold their reservations (see `QueryReservation.exceededBytes`). */
  readonly queriesOverBudget: number;
  /** Queries holding a reservation now. */
  readonly activeQueries: number;
}

/**
 * The query side of the one memory budget (`serve --memory-budget-mb`): large query-time
 * structures (group tables, distinct sets, percentile buffers, per-segment id memos) reserve their
 * bytes here as they grow, and the block cache ({@link BlockCache.setReserved}) evicts to leave
 * them the room, down to its floor (the resident index share). So the cache's bytes plus the
 * reserved bytes stay within the budget unless the queries alone need more than the budget less
 * the floor: then they go on, and each query says by how much the budget was exceeded while it
 * ran (docs/decisions.md, "Query memory inside the memory budget"). Reservations are released when
 * the query ends, however it ends; releasing one of at least 1/8 of the budget runs a full garbage
 * collection at once, so the cache does not refill beside the dead tables (docs/decisions.md,
 * "Resident memory beyond the budget").
 *
 * @example
 *   const r = queryMemory.open('SELECT …');
 *   try { await withReservation(r, () => run()); } finally { r.release(); }
 */
export class QueryMemory {
  private reserved = 0;
  private peakReserved = 0;
  private peakTotal = 0;
  private overBudget = 0;
  private readonly active = new Set<QueryReservation>();
  /** Full collections run for large reservations: released (`ended`), or a large resize ahead (`willGrow`). */
  collections = 0;

  constructor(readonly cache: BlockCache) {}

  /** A reservation for one query (`label` names it in errors and logs); release it when the query ends. */
  open(label: string): QueryReservation {
    const r = new QueryReservation(this, label);
    this.active.add(r);
    return r;
  }

  /** The step reservations grow by. */
  get stepBytes(): number {
    return Math.max(MIB, Math.ceil(this.cache.capacityBytes * STEP_SHARE));
  }

  /** Bytes of cache entries plus reservations beyond the budget now (0 when within it, or the budget is off). */
  overBudgetBytes(): number {
    const budget = this.cache.capacityBytes;
    return budget === 0 ? 0 : Math.max(0, this.cache.bytes + this.reserved - budget);
  }

  /** @internal A reservation changed by `delta` bytes. */
  adjust(delta: number): void {
    this.reserved = Math.max(0, this.reserved + delta);
    this.cache.setReserved(this.reserved);
    this.peakReserved = Math.max(this.peakReserved, this.reserved);
    this.peakTotal = Math.max(this.peakTotal, this.cache.bytes + this.reserved);
  }

  /**
   * @internal A reservation was released, `bytes` of it held. When that is a large share of the
   * budget its structures (now garbage) are collected at once, before the cache refills into the
   * room they gave back: else the process holds both for a while.
   */
  ended(r: QueryReservation, bytes: number): void {
    if (this.active.delete(r) && r.exceededBytes > 0) this.overBudget++;
    if (this.isLarge(bytes, COLLECT_SHARE)) this.collect();
  }

  /** @internal True when `bytes` are at least `share` of the budget (never while the budget is off). */
  isLarge(bytes: number, share: number): boolean {
    const budget = this.cache.capacityBytes;
    return budget > 0 && bytes > 0 && bytes >= budget * share;
  }

  /**
   * @internal Runs a full garbage collection (counted in `collections`), then returns what it
   * freed to the system: on a libuv thread as soon as it can, or at once on this thread when
   * `beforeAllocation` (a large table is about to be allocated into the room).
   */
  collect(beforeAllocation = false): void {
    if (!collectGarbage()) return;
    this.collections++;
    if (beforeAllocation) this.cache.reclaimer.trimNow();
    else this.cache.reclaimer.afterCollection();
  }

  /** Records the cache's bytes plus the reservations into the peak (reservations call it after every block they track). */
  sample(): void {
    this.peakTotal = Math.max(this.peakTotal, this.cache.bytes + this.reserved);
  }

  /** Starts the peaks over from what is held now. */
  resetPeaks(): void {
    this.peakReserved = this.reserved;
    this.peakTotal = this.cache.bytes + this.reserved;
  }

  stats(): QueryMemoryStats {
    return { reservedBytes: this.reserved, peakReservedBytes: this.peakReserved, peakTotalBytes: this.peakTotal, queriesOverBudget: this.overBudget, activeQueries: this.active.size };
  }
}

/**
 * The bytes one query holds from the memory budget. Each structure reports its whole size under
 * its own owner (`track`: a table that grew reports its new size) or adds bytes it will keep to
 * the end (`add`); the reservation is their sum rounded up to the manager's step (nothing below
 * 64 KiB), and never shrinks before `release`.
 */
export class QueryReservation {
  private held = 0;
  private needed = 0;
  private added = 0;
  private readonly parts = new Map<object, number>();
  private over = 0;
  private released = false;

  constructor(
    private readonly memory: QueryMemory,
    readonly label: string,
  ) {}

  /** Bytes reserved now (a multiple of the step). */
  get bytes(): number {
    return this.held;
  }

  /** Most bytes the query's structures reported at once. */
  get peakBytes(): number {
    return this.needed;
  }

  /** Most bytes the budget was exceeded by (cache floor plus every reservation) while this query grew; 0 if never. */
  get exceededBytes(): number {
    return this.over;
  }

  /** Sets the size of the structure `owner` (its whole size now) and reserves for it. */
  track(owner: object, bytes: number): void {
    if (this.released) return;
    if (this.parts.get(owner) !== bytes) {
      this.parts.set(owner, bytes);
      this.grow();
    }
    this.memory.sample();
  }

  /**
   * A structure of `owner` is about to allocate `extra` bytes beside what it holds (a resize: the
   * old arrays live until the copy is done), `during` in all: reserves that before the allocation,
   * so the cache evicts first, and when `extra` is large (1/16 of the budget or more) collects the
   * evicted entries and trims at once, so the new arrays take their memory rather than adding to it.
   */
  willGrow(owner: object, during: number, extra: number): void {
    if (this.released) return;
    const before = this.held;
    this.track(owner, during);
    if (this.held > before && this.memory.isLarge(extra, GROW_COLLECT_SHARE)) this.memory.collect(true);
  }

  /** Adds `bytes` kept until the query ends. */
  add(bytes: number): void {
    if (this.released || bytes <= 0) return;
    this.added += bytes;
    this.grow();
  }

  /** Gives every reserved byte back to the budget (idempotent: on end, error and timeout alike). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const held = this.held;
    if (held > 0) this.memory.adjust(-held);
    this.held = 0;
    this.parts.clear();
    this.memory.ended(this, held);
  }

  private grow(): void {
    let need = this.added;
    for (const b of this.parts.values()) need += b;
    this.needed = Math.max(this.needed, need);
    if (need <= this.held || need < MIN_RESERVATION) return;
    const step = this.memory.stepBytes;
    const target = Math.ceil(need / step) * step;
    this.memory.adjust(target - this.held);
    this.held = target;
    this.over = Math.max(this.over, this.memory.overBudgetBytes());
  }
}

/** The process's (or worker thread's) query memory, sharing the budget of {@link blockCache}. */
export const queryMemory = new QueryMemory(blockCache);

/*
 * The reservation of the query running in this async context, found by the structures that grow
 * (as `currentDeadline` is): threading it through every aggregator would touch a dozen files.
 */
const current = new AsyncLocalStorage<QueryReservation>();

/** Runs `fn` with `reservation` as the current query's (kept across its awaits). */
export function withReservation<T>(reservation: QueryReservation, fn: () => Promise<T>): Promise<T> {
  return current.run(reservation, fn);
}

/** The reservation of the query running now, if any. */
export function currentReservation(): QueryReservation | undefined {
  return current.getStore();
}
