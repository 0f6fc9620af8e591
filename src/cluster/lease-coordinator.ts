import type { ClusterShardRuntime } from '../ingest/cluster-hooks.js';
import type { Logger } from '../logger.js';
import { describeError } from '../util/describe-error.js';
import { leaseKeyOf } from './lease-store.js';
import type { LeaseItem, LeaseStore } from './lease-store.js';

export interface LeaseCoordinatorOptions {
  readonly store: LeaseStore;
  readonly serverId: string;
  /** A lease whose counter stays unchanged this long is expired (default 10 000). */
  readonly leaseTimeoutMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface HeldLease {
  readonly leaseKey: string;
  readonly table: string;
  readonly shardId: string;
  /** The counter of this server's latest successful write to the lease (take or renewal). */
  counter: number;
  /** Being handed over (sealing, then release): not counted toward this server's share. */
  handingOff: boolean;
}

/** This server's leases are lost: its commits are refused (fencing), raised from the commit path. */
export class LeaseLostError extends Error {}

/**
 * The KCL's lease worker for every table of this server (docs/cluster.md, "Leases"). Each round
 * (a third of the lease timeout): scan the lease table; renew every held lease (a failed renewal
 * means it was taken: the shard stops at once, uncommitted); hand over a lease another server
 * asked for (seal and commit first, then release); take free leases, and expired ones (a counter
 * seen unchanged for the lease timeout), up to an even share of all leases among the live owners;
 * below the share with nothing to take, ask the busiest owner for one lease (at most one per round).
 *
 * Renewals and commits of one lease are serialized ({@link underLease}), so a commit is fenced by
 * the counter of the holder's latest successful renewal.
 */
export class LeaseCoordinator {
  private readonly runtimes = new Map<string, ClusterShardRuntime>();
  private readonly held = new Map<string, HeldLease>();
  private items = new Map<string, LeaseItem>();
  /** Per lease: the counter last seen and since when, to tell an expired lease. */
  private readonly seen = new Map<string, { counter: number; sinceMs: number }>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly now: () => number;
  /** Hand-overs and stops of lost shards still running (see {@link idle}). */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Committed-segment syncs still running, per runtime (see {@link syncCommitted}). */
  private readonly syncing = new Map<ClusterShardRuntime, Promise<unknown>>();

  constructor(private readonly options: LeaseCoordinatorOptions) {
    this.now = options.now ?? Date.now;
  }

  get intervalMs(): number {
    return Math.max(100, Math.floor(this.options.leaseTimeoutMs / 3));
  }

  start(): void {
    const tick = (): void => {
      this.running = this.runRound()
        .catch((err: unknown) => this.options.logger.warn({ err: describeError(err) }, 'lease round failed; retrying next round'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  /**
   * A graceful stop's first half: no more rounds (no lease is taken or renewed), then each held
   * lease is handed over as at a balance request (its consuming segment sealed and committed,
   * then released), within `timeoutMs`; a shard not done by then keeps its lease until `stop()`.
   * A seal slower than the lease timeout is fenced, never committed twice.
   */
  async drain(timeoutMs: number): Promise<void> {
    await this.halt();
    const all = Promise.all([...this.held.values()].filter((h) => !h.handingOff).map((h) => this.handOff(h)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async halt(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Stops the rounds and releases every lease still held (call after the runtimes stopped: nothing more is committed). */
  async stop(): Promise<void> {
    await this.halt();
    await Promise.all([...this.held.values()].map((h) => this.underLease(h.leaseKey, () => this.options.store.release(h.leaseKey, h.counter, this.options.serverId)).catch(() => false)));
    this.held.clear();
  }

  attach(runtime: ClusterShardRuntime): void {
    this.runtimes.set(runtime.tableName, runtime);
    // A runtime replaced (table update, schema change) takes over the shards this server holds.
    for (const h of this.held.values()) if (h.table === runtime.tableName) this.acquireIn(runtime, h.shardId);
  }

  detach(runtime: ClusterShardRuntime): void {
    if (this.runtimes.get(runtime.tableName) === runtime) this.runtimes.delete(runtime.tableName);
  }

  /**
   * The table was deleted here: every lease of it this server holds is released (not left to
   * expire), after its runtime stopped. A lease whose item is gone (purged) is simply forgotten.
   */
  async releaseTable(table: string): Promise<void> {
    const held = [...this.held.values()].filter((h) => h.table === table);
    for (const h of held) this.held.delete(h.leaseKey);
    await Promise.all(held.map((h) => this.underLease(h.leaseKey, () => this.options.store.release(h.leaseKey, h.counter, this.options.serverId)).catch((err: unknown) => {
      this.options.logger.warn({ lease: h.leaseKey, err: describeError(err) }, 'releasing a deleted table\'s lease failed; it expires');
      return false;
    })));
    if (held.length > 0) this.options.logger.info({ table, leases: held.map((h) => h.shardId) }, 'table deleted here: its leases released');
  }

  /**
   * Each running table drops the segments no longer committed (deleted elsewhere). Started, not
   * awaited: a table whose sync waits (behind a slow stream listing) holds up neither the others
   * nor the caller's catalog poll; a table still syncing from the last call is skipped.
   */
  syncCommitted(): void {
    for (const runtime of this.runtimes.values()) {
      if (runtime.syncCommitted === undefined || this.syncing.has(runtime)) continue;
      const run = runtime.syncCommitted()
        .catch((err: unknown) => this.options.logger.warn({ table: runtime.tableName, err: describeError(err) }, 'syncing the committed segments failed; retried at the next poll'))
        .finally(() => this.syncing.delete(runtime));
      this.syncing.set(runtime, run);
    }
  }

  finished(table: string, shardId: string): boolean {
    return this.items.get(leaseKeyOf(table, shardId))?.finished === true;
  }

  /** Which shards this server holds now, per table (for status and tests). */
  heldShards(): { table: string; shardId: string; counter: number }[] {
    return [...this.held.values()].map(({ table, shardId, counter }) => ({ table, shardId, counter }));
  }

  /**
   * Runs `write` with the counter this server holds for the shard's lease, serialized with the
   * lease's renewals. `write` answers whether the lease still held (false: fenced); a fenced write
   * loses the lease here and stops the shard. Throws {@link LeaseLostError} when not held.
   */
  async underLease<T>(leaseKey: string, write: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(leaseKey) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(write);
    const tail = run.catch(() => undefined);
    this.locks.set(leaseKey, tail);
    void tail.then(() => {
      if (this.locks.get(leaseKey) === tail) this.locks.delete(leaseKey);
    });
    return run;
  }

  /** The commit path: `commit(counter)` under the lease; 'fenced' loses the lease (after the lock is let go). */
  async commitFenced(table: string, shardId: string, commit: (leaseKey: string, counter: number) => Promise<boolean>): Promise<void> {
    const leaseKey = leaseKeyOf(table, shardId);
    const ok = await this.underLease(leaseKey, async () => {
      const h = this.held.get(leaseKey);
      return h !== undefined && (await commit(leaseKey, h.counter));
    });
    if (ok) return;
    this.lose(leaseKey, 'a commit was fenced');
    throw new LeaseLostError(`lease of ${leaseKey} is no longer held by ${this.options.serverId}`);
  }

  /** One round now (the timer runs them; tests call it directly with a fake clock). */
  async runRound(): Promise<void> {
    const { store, serverId } = this.options;
    const items = await store.scan();
    const now = this.now();
    this.items = new Map(items.map((i) => [i.leaseKey, i]));
    for (const item of items) {
      const seen = this.seen.get(item.leaseKey);
      if (!seen || seen.counter !== item.leaseCounter) this.seen.set(item.leaseKey, { counter: item.leaseCounter, sinceMs: now });
    }
    for (const h of [...this.held.values()]) {
      const renewed = await this.underLease(h.leaseKey, async () => {
        if (this.held.get(h.leaseKey) !== h) return true;
        const next = await store.renew(h.leaseKey, h.counter, serverId);
        if (next !== null) h.counter = next;
        return next !== null;
      });
      if (!renewed) this.lose(h.leaseKey, 'its renewal failed: another server took it');
      else this.answerStealRequest(h, items);
    }
    if (this.stopped) return;
    await this.takeShare(items, now);
    for (const runtime of this.runtimes.values()) runtime.leasesChanged();
  }

  private async takeShare(items: readonly LeaseItem[], now: number): Promise<void> {
    const { store, serverId, leaseTimeoutMs } = this.options;
    const expired = (i: LeaseItem): boolean => now - (this.seen.get(i.leaseKey)?.sinceMs ?? now) >= leaseTimeoutMs;
    const owners = new Map<string, LeaseItem[]>([[serverId, []]]);
    for (const i of items) if (i.leaseOwner !== null && i.leaseOwner !== serverId && !expired(i)) owners.set(i.leaseOwner, [...(owners.get(i.leaseOwner) ?? []), i]);
    const target = Math.ceil(items.length / owners.size);
    const mine = (): number => [...this.held.values()].filter((h) => !h.handingOff).length;
    // Only tables running here: a lease is taken to be consumed and served.
    const takeable = items.filter((i) => this.runtimes.has(i.table) && !this.held.has(i.leaseKey) && (i.leaseOwner === null || i.leaseOwner === serverId || expired(i)));
    takeable.sort((a, b) => Number(a.leaseOwner !== null) - Number(b.leaseOwner !== null) || Math.random() - 0.5);
    for (const item of takeable) {
      if (mine() >= target) break;
      const next = await store.take(item.leaseKey, item.leaseCounter, serverId);
      if (next === null) continue;
      const h: HeldLease = { leaseKey: item.leaseKey, table: item.table, shardId: item.shardId, counter: next, handingOff: false };
      this.held.set(item.leaseKey, h);
      this.options.logger.info({ lease: item.leaseKey, previousOwner: item.leaseOwner, counter: next }, 'lease taken');
      const runtime = this.runtimes.get(item.table);
      if (runtime) this.acquireIn(runtime, item.shardId);
    }
    if (mine() >= target || takeable.length > 0) return;
    // Below the share and nothing free: ask the busiest other owner for one lease (at most one per round).
    const busiest = [...owners.entries()].filter(([o]) => o !== serverId).sort((a, b) => b[1].length - a[1].length)[0];
    // The KCL's rule: steal only from an owner that holds at least two more than this server.
    if (!busiest || busiest[1].length <= mine() + 1) return;
    const victim = busiest[1].find((i) => i.stealRequestedBy === null && this.runtimes.has(i.table));
    if (victim && (await store.requestSteal(victim.leaseKey, busiest[0], serverId))) {
      this.options.logger.info({ lease: victim.leaseKey, owner: busiest[0], target }, 'asked the owner to hand a lease over (balance)');
    }
  }

  /**
   * Another server asked for this lease: handed over when this server holds at least two more
   * leases than the asker (so a balanced spread never ping-pongs), turned down otherwise.
   */
  private answerStealRequest(h: HeldLease, items: readonly LeaseItem[]): void {
    const asker = this.items.get(h.leaseKey)?.stealRequestedBy ?? null;
    if (asker === null || h.handingOff) return;
    const mine = [...this.held.values()].filter((x) => !x.handingOff).length;
    const theirs = items.filter((i) => i.leaseOwner === asker).length;
    if (mine > theirs + 1) {
      this.track(this.handOff(h));
      return;
    }
    void this.underLease(h.leaseKey, () => this.options.store.clearSteal(h.leaseKey, this.options.serverId)).catch(() => undefined);
  }

  /** Seal and commit the shard's consuming segment, then release the lease. */
  private async handOff(h: HeldLease): Promise<void> {
    h.handingOff = true;
    try {
      await this.runtimes.get(h.table)?.releaseShard(h.shardId, true);
      if (this.held.get(h.leaseKey) !== h) return;
      await this.underLease(h.leaseKey, () => this.options.store.release(h.leaseKey, h.counter, this.options.serverId));
      this.held.delete(h.leaseKey);
      this.options.logger.info({ lease: h.leaseKey }, 'lease handed over at a segment boundary');
    } catch (err) {
      h.handingOff = false;
      this.options.logger.warn({ lease: h.leaseKey, err: describeError(err) }, 'lease hand-over failed; kept');
    }
  }

  private lose(leaseKey: string, why: string): void {
    const h = this.held.get(leaseKey);
    if (!h) return;
    this.held.delete(leaseKey);
    this.options.logger.warn({ lease: leaseKey, counter: h.counter }, `lease lost (${why}): its shard stops without committing`);
    const stopping = this.runtimes.get(h.table)?.releaseShard(h.shardId, false).catch((err: unknown) => this.options.logger.warn({ lease: leaseKey, err: describeError(err) }, 'stopping a lost shard failed'));
    if (stopping) this.track(stopping);
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Resolves once the hand-overs and lost-shard stops started so far are done (tests, drain). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private acquireIn(runtime: ClusterShardRuntime, shardId: string): void {
    runtime.acquireShard(shardId).catch((err: unknown) => {
      // Its committed segments could not be loaded: let the lease go so that another server (or a later round) tries.
      this.options.logger.error({ table: runtime.tableName, shardId, err: describeError(err) }, 'could not load a taken shard; releasing its lease');
      const h = this.held.get(leaseKeyOf(runtime.tableName, shardId));
      if (h) void this.underLease(h.leaseKey, () => this.options.store.release(h.leaseKey, h.counter, this.options.serverId)).finally(() => this.held.delete(h.leaseKey));
    });
  }
}
