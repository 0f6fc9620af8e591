import type { Logger } from '../logger.js';
import { describeError } from '../util/describe-error.js';
import { Backoff } from './backoff.js';
import type { IngestionHealth, IngestionState } from './table-ingestion-status.js';

/** Shortest and longest wait between listings of a stream that could not be reached. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * A table's link to its stream: the table-level `ingestion` status (`CONNECTING`, `RUNNING`,
 * `DOWN`, `STOPPED`) and, when the stream could not be listed at start, the background retry of
 * that listing with exponential backoff (full jitter, 0.5 s to 30 s) until it answers. The table
 * serves its sealed segments meanwhile; nothing here blocks a caller.
 *
 * Once `RUNNING`, later listing failures (periodic shard discovery) do not make the link `DOWN`:
 * the partitions' readers are running and report their own errors.
 *
 * @example
 *   const link = new StreamLink(logger);
 *   link.retryUntilListed(() => discover(), () => scheduleDiscovery());
 *   link.status.state; // 'DOWN' while the endpoint hangs, 'RUNNING' once it answers
 */
export class StreamLink {
  private health: IngestionHealth = { state: 'CONNECTING', sinceMs: Date.now(), lastError: null, failedAttempts: 0, nextAttemptAtMs: null };
  private timer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;

  constructor(
    private readonly logger: Logger,
    random: () => number = Math.random,
  ) {
    this.backoff = new Backoff(RETRY_MIN_MS * 2, RETRY_MAX_MS, random);
  }

  get status(): IngestionHealth {
    return this.health;
  }

  /** A listing succeeded: the link is `RUNNING` (logged when it was `DOWN`). */
  listed(): void {
    if (this.health.state === 'RUNNING' || this.health.state === 'STOPPED' || this.health.state === 'STREAM_RECREATED') return;
    if (this.health.state === 'DOWN') {
      this.logger.info({ failedAttempts: this.health.failedAttempts, downForMs: Date.now() - this.health.sinceMs }, 'stream reachable again; ingestion running');
    }
    this.backoff.reset();
    this.set('RUNNING', { lastError: null, failedAttempts: 0, nextAttemptAtMs: null });
  }

  /** A listing failed. Before the first success the link is `DOWN` with the reason; after it, nothing changes. */
  failed(error: unknown): void {
    const state = this.health.state;
    if (state === 'RUNNING' || state === 'STOPPED' || state === 'STREAM_RECREATED') return;
    const lastError = describeError(error);
    if (state === 'CONNECTING') {
      this.logger.warn({ error: lastError }, 'stream cannot be listed; serving the sealed segments and retrying in the background');
    } else {
      this.logger.debug({ error: lastError, failedAttempts: this.health.failedAttempts + 1 }, 'stream still cannot be listed');
    }
    const failedAttempts = this.health.failedAttempts + 1;
    if (state === 'DOWN') this.health = { ...this.health, lastError, failedAttempts };
    else this.set('DOWN', { lastError, failedAttempts, nextAttemptAtMs: null });
  }

  /**
   * Runs `attempt` (a listing that reports to `listed` / `failed`) now and, while it fails, again
   * after a backoff, until it succeeds (then `onListed`) or the link stops. Never throws.
   */
  retryUntilListed(attempt: () => Promise<void>, onListed: () => void): void {
    const run = (): void => {
      this.timer = null;
      if (this.health.state === 'STOPPED') return;
      attempt().then(
        () => {
          if (this.health.state !== 'STOPPED') onListed();
        },
        () => {
          if (this.health.state === 'STOPPED') return;
          const wait = Math.max(RETRY_MIN_MS, this.backoff.next());
          this.health = { ...this.health, nextAttemptAtMs: Date.now() + wait };
          this.timer = setTimeout(run, wait);
          this.timer.unref();
        },
      );
    };
    run();
  }

  /** The stream under the table's name is another one than its checkpoints': nothing is read until a reset. */
  recreated(message: string): void {
    if (this.health.state === 'STOPPED') return;
    this.set('STREAM_RECREATED', { lastError: message, nextAttemptAtMs: null });
  }

  /** Cancels a pending retry; the link is `STOPPED`. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.set('STOPPED', { nextAttemptAtMs: null });
  }

  private set(state: IngestionState, fields: Partial<IngestionHealth>): void {
    this.health = { ...this.health, ...fields, state, sinceMs: Date.now() };
  }
}
