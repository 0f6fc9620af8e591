import { mkdir, rm } from 'node:fs/promises';
import type { ResolvedTable } from '../ingest/resolved-table.js';
import type { Logger } from '../logger.js';
import type { Catalog } from './catalog.js';
import { isStreamFailure, scrubErrorMessage, startFailure } from './table-admission.js';
import type { TableEntry } from './table-entry.js';
import type { RuntimeStartOptions, TableRuntime, TableRuntimeFactory } from '../ingest/table-runtime.js';

/** First and longest wait before retrying a table whose stream could not be reached at start. */
const START_RETRY_MIN_MS = 2_000;
const START_RETRY_MAX_MS = 60_000;

export interface TableLauncherOptions {
  readonly catalog: Catalog;
  readonly runtimeFactory: TableRuntimeFactory;
  /** Runs work in the table's own mutation queue (rejects once the manager is closed). */
  readonly serialize: (tableName: string, work: () => Promise<void>) => Promise<void>;
  /** True while the entry is still the manager's entry for its table (not deleted or replaced). */
  readonly isCurrent: (entry: TableEntry) => boolean;
  readonly log: Logger;
}

/**
 * What a failed start leaves behind. Either way the entry has no runtime and `startError` says why.
 * - `record`: log it and keep the table listed as `FAILED`; a stream error is retried with backoff
 *   until the table starts, is deleted or changed, or the launcher closes (boot, restore).
 * - `throw`: run `undo`, then throw the catalogue error (add rolls back, update restores the
 *   previous config, resume reports it).
 */
export type LaunchFailure =
  | { readonly onFailure: 'record' }
  | { readonly onFailure: 'throw'; readonly undo?: (error: unknown) => Promise<void> };

/**
 * The one way a table's runtime starts and stops. `launch` builds the runtime on the table's data
 * dir, starts it (stopping it again if the start fails), re-applies a pause, and on failure does
 * what the caller's {@link LaunchFailure} says. Called from inside the table's mutation queue
 * (never the manager-wide one: a start may wait on the stream for up to its deadline); retries go
 * back through that queue. `start` says whether the runtime waits for its stream
 * ({@link RuntimeStartOptions}): callers that answer a user do, boot and retries do not.
 *
 * @example
 *   await launcher.launch(entry, { onFailure: 'record' }, { waitForStream: false }); // boot
 *   await launcher.launch(entry, { onFailure: 'throw', undo: rollback });            // POST /tables
 */
export class TableLauncher {
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: TableLauncherOptions) {}

  async launch(entry: TableEntry, failure: LaunchFailure, start: RuntimeStartOptions = {}): Promise<void> {
    const { config } = entry.table;
    entry.startError = null;
    let started: TableRuntime | null = null;
    try {
      started = await this.startRuntime(entry.table, start);
      entry.runtime = started;
      entry.startError = null;
      if (entry.paused) await started.pause();
      entry.startAttempts = 0;
    } catch (error) {
      const mapped = startFailure(error, entry.table);
      // A runtime that started but could not be paused is stopped, not left running unowned.
      await started?.stop().catch(() => undefined);
      entry.runtime = null;
      entry.startError = mapped.message;
      if (failure.onFailure === 'record') {
        this.options.log.error({ table: config.tableName, error: entry.startError }, 'table failed to start');
        if (isStreamFailure(error, entry.table)) this.scheduleRetry(entry);
        return;
      }
      await failure.undo?.(error);
      throw mapped;
    }
  }

  /** Stops an entry's runtime, if it has one; the entry has none afterwards. */
  async stop(entry: TableEntry): Promise<void> {
    const runtime = entry.runtime;
    entry.runtime = null;
    if (runtime) await runtime.stop();
  }

  /**
   * Stops the runtime for good and deletes the table's data dir: `runtime.drop()`, and when that
   * fails (logged), the data dir is removed directly.
   */
  async drop(entry: TableEntry): Promise<void> {
    const tableName = entry.table.config.tableName;
    try {
      if (entry.runtime) await entry.runtime.drop();
    } catch (error) {
      this.options.log.error({ table: tableName, error: scrubErrorMessage(error, entry.table.config) }, 'runtime drop failed; removing the data dir directly');
    }
    entry.runtime = null;
    await rm(this.options.catalog.tableDir(tableName), { recursive: true, force: true });
  }

  /** Cancels pending retries, then stops every runtime; one that does not stop cleanly is logged. */
  async close(entries: readonly TableEntry[]): Promise<void> {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.all(entries.map(async (entry) => {
      try {
        await this.stop(entry);
      } catch (error) {
        this.options.log.error({ table: entry.table.config.tableName, error: scrubErrorMessage(error, entry.table.config) }, 'table runtime did not stop cleanly');
      }
    }));
  }

  private async startRuntime(table: ResolvedTable, start: RuntimeStartOptions): Promise<TableRuntime> {
    const tableDir = this.options.catalog.tableDir(table.config.tableName);
    await mkdir(tableDir, { recursive: true });
    const runtime = this.options.runtimeFactory({ table, tableDir });
    try {
      await runtime.start(start);
    } catch (error) {
      await runtime.stop().catch(() => undefined);
      throw error;
    }
    return runtime;
  }

  /**
   * A table that exists but whose stream could not be reached (network, credentials, throttling)
   * is retried with backoff, so a blip at boot does not leave a table idle until someone notices.
   */
  private scheduleRetry(entry: TableEntry): void {
    const attempts = (entry.startAttempts ?? 0) + 1;
    entry.startAttempts = attempts;
    const delay = Math.min(START_RETRY_MAX_MS, START_RETRY_MIN_MS * 2 ** (attempts - 1));
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      const tableName = entry.table.config.tableName;
      this.options.serialize(tableName, async () => {
        if (!this.options.isCurrent(entry) || entry.runtime !== null || entry.disabled) return;
        this.options.log.info({ table: tableName, attempt: attempts + 1 }, 'retrying table start');
        await this.launch(entry, { onFailure: 'record' }, { waitForStream: false });
      }).catch(() => undefined);
    }, delay);
    timer.unref();
    this.retryTimers.add(timer);
  }
}
