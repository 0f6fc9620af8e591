import { rm } from 'node:fs/promises';
import type { PinotSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import { validateSchema } from '../config/schema-validation.js';
import { rawTableName, REALTIME_SUFFIX, tableIdentity } from '../config/table-config-validation.js';
import { collectSecrets, redactTableConfig, restoreRedactedSecrets, scrubSecrets } from '../config/redact.js';
import { ShardtableError } from '../errors.js';
import { deleteOneSegment, deleteSegmentsOf } from './segment-deletes.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { Catalog } from './catalog.js';
import type { CatalogScope } from './catalog.js';
import { pauseResult } from './consuming-segments.js';
import { pauseStateNow } from './pause-state.js';
import type { PauseResult } from './consuming-segments.js';
import { admitTable } from './table-admission.js';
import { launchDimensionTablesFirst } from './dim-table-startup.js';
import { changeSchema, restartOnNewSchema } from './schema-changes.js';
import type { AdmittedTable } from './table-admission.js';
import { KeyedQueue } from './keyed-queue.js';
import { loadCatalogInto, startReport } from './table-boot.js';
import type { StartReport } from './table-boot.js';
import type { TableEntry } from './table-entry.js';
import { TableLauncher } from './table-launcher.js';
import { TableReads } from './table-reads.js';
import type { ResetStart, RewindResult, RewindTarget, SegmentReloadReport, StreamResetResult, TableRuntime, TableRuntimeFactory } from '../ingest/table-runtime.js';
import { resetTableStream } from './stream-reset.js';
import { rewindTable, setTableEnabled } from './table-rewind-op.js';

export type { PauseResult } from './consuming-segments.js';
export type { StartReport, TableLoadResult } from './table-boot.js';
export type { TableState, TableStateView } from './table-reads.js';

export interface TableManagerOptions {
  /** Root of everything on disk: `_catalog/` plus one folder per table. */
  readonly dataDir: string;
  readonly runtimeFactory: TableRuntimeFactory;
  readonly logger?: Logger;
  /** The catalog to persist through; default one under `dataDir` (tests pass one with failing writes). */
  readonly catalog?: Catalog;
}

/**
 * The registry of schemas and tables: admits configs at the edge, persists through the
 * {@link Catalog}, and owns one runtime per table. Reads never wait (they live in
 * {@link TableReads}). Errors are `ShardtableError`s from the catalogue, ready for the HTTP layer.
 *
 * Mutations are serialised at two levels. Each table has its own queue: add, update, delete,
 * pause, resume and start retries of one table run one at a time, and starting a runtime (which
 * may wait on the stream, up to the stream plugin's deadline) happens there. The manager-wide
 * queue holds only short steps on memory and the catalog: schema changes, and a table's admission
 * (schema lookup, name reservation, catalog write). So a table whose stream hangs never delays
 * another table, a schema change, or a read.
 *
 * A coordinator: schemas are kept by the `SchemaRegistry`, configs admitted by `admitTable`, and
 * every runtime starts, retries and stops through the {@link TableLauncher}.
 *
 * @example
 *   const manager = new TableManager({ dataDir: './segments', runtimeFactory });
 *   await manager.start();
 *   await manager.addSchema(schemaJson);
 *   await manager.addTable(tableConfigJson);
 *   // ...
 *   await manager.close();
 */
export class TableManager extends TableReads {
  readonly dataDir: string;
  private readonly launcher: TableLauncher;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tableQueue = new KeyedQueue();
  private closed = false;
  private closing: Promise<void> | null = null;
  private started = false;

  constructor(options: TableManagerOptions) {
    super(options.catalog ?? new Catalog(options.dataDir), options.logger ?? silentLogger());
    this.dataDir = options.dataDir;
    this.launcher = new TableLauncher({
      catalog: this.catalog,
      runtimeFactory: options.runtimeFactory,
      serialize: (tableName, work) => this.forTable(tableName, work),
      isCurrent: (entry) => this.tables.get(entry.table.config.tableName) === entry,
      log: this.log,
    });
  }

  /**
   * Loads the catalog (every table is listed at once, state `STARTING`), then starts a runtime per
   * table, each in its own queue, and resolves when every table has loaded its sealed segments or
   * failed. No start waits for a stream: a table whose stream cannot be reached serves its sealed
   * segments and lists the stream in the background (`ingestion: DOWN` in its status) until it
   * answers. A schema or table that no longer loads, or a table whose runtime fails to start, is
   * logged and reported; the others still load. A table that failed to start stays listed (state
   * `FAILED`); `resume` retries it, and one that failed on its stream is retried with backoff.
   */
  async start(): Promise<StartReport> {
    if (this.started) throw new ShardtableError('INTERNAL', { detail: 'the table manager was already started' });
    // Set at once, so `/health` says STARTING from the first request on.
    this.started = true;
    this.booting = true;
    const loaded = await this.exclusive(async () => {
      return loadCatalogInto({ dataDir: this.dataDir, catalog: this.catalog, schemas: this.schemas, tables: this.tables, admit: (json) => this.admit(json) });
    }).catch((error: unknown) => {
      this.booting = false;
      throw error;
    });
    try {
      await launchDimensionTablesFirst(loaded.entries.filter((entry) => !entry.disabled), (entry) =>
        this.forTable(entry.table.config.tableName, () => this.launcher.launch(entry, { onFailure: 'record' }, { waitForStream: false })).catch(() => undefined));
    } finally {
      this.booting = false;
    }
    return startReport(loaded, loaded.entries, this.schemas, this.log);
  }

  // ---- schemas ----

  /**
   * Validates and stores a schema. A schema of the same name is replaced as {@link updateSchema}
   * does when `override` is true (Pinot's default), and is a 409 `SCHEMA_EXISTS` otherwise.
   */
  async addSchema(json: unknown, options: { override?: boolean; scope?: CatalogScope } = {}): Promise<PinotSchema> {
    const validated = validateSchema(json);
    if (options.override === false) return this.exclusive(() => this.schemas.add(validated, options));
    return this.storeSchema(validated, () => this.schemas.add(validated, options));
  }

  /**
   * Replaces a schema. On a schema tables use, only a backward-compatible change (added columns)
   * is taken — 400 `SCHEMA_INCOMPATIBLE` otherwise — and those tables restart on it
   * (`schema-changes.ts`); the call answers once they serve again.
   */
  async updateSchema(name: string, json: unknown): Promise<PinotSchema> {
    const validated = validateSchema(json);
    if (validated.schemaName !== name) throw new ShardtableError('NAME_MISMATCH', { kind: 'schema', body: validated.schemaName, path: name });
    return this.storeSchema(validated, () => this.schemas.update(name, validated));
  }

  private async storeSchema(validated: PinotSchema, store: () => Promise<PinotSchema>): Promise<PinotSchema> {
    const context = { schemas: this.schemas, tables: this.tables, reserved: this.reserved, dimTables: (name: string) => this.dimTableRef(name) };
    const { schema, restart } = await this.exclusive(() => changeSchema(context, validated, store));
    for (const table of restart) await this.forTable(table, () => restartOnNewSchema(this.tables.get(table), (json) => this.admit(json), this.launcher, this.log));
    return schema;
  }

  /** Deletes a schema; 409 `SCHEMA_IN_USE` while a table uses it (`scope`: see {@link CatalogScope}). */
  async deleteSchema(name: string, options: { scope?: CatalogScope } = {}): Promise<void> {
    await this.exclusive(() => this.schemas.delete(name, options.scope));
  }

  // ---- tables ----

  /**
   * Validates, persists and starts a table. If its runtime does not start, everything is rolled
   * back; a stream error becomes 400 `STREAM_UNREACHABLE` naming the stream, within the stream
   * plugin's deadline. The name is reserved while the runtime starts (a second `POST` of it is a
   * 409; the table is listed once it runs).
   */
  async addTable(json: unknown, options: { scope?: CatalogScope } = {}): Promise<TableConfig> {
    const { tableName } = tableIdentity(json);
    // Checked before queueing too, so a second POST while the first waits on its stream is a 409 at once.
    if (this.tables.has(tableName) || this.reserved.has(tableName)) throw new ShardtableError('TABLE_EXISTS', { name: `${tableName}${REALTIME_SUFFIX}` });
    return this.forTable(tableName, async () => {
      const admitted = await this.exclusive(async () => {
        if (this.tables.has(tableName) || this.reserved.has(tableName)) throw new ShardtableError('TABLE_EXISTS', { name: `${tableName}${REALTIME_SUFFIX}` });
        const result = this.admit(json);
        this.reserved.set(tableName, result.schemaName);
        try {
          await this.catalog.createTable(tableName, result.table.config.pinot, options.scope);
        } catch (error) {
          this.reserved.delete(tableName);
          throw error;
        }
        return result;
      });
      const { config } = admitted.table;
      const entry: TableEntry = { ...admitted, runtime: null, startError: null, paused: false, disabled: false };
      try {
        await this.launcher.launch(entry, {
          onFailure: 'throw',
          undo: async () => {
            await rm(this.catalog.tableDir(tableName), { recursive: true, force: true });
            await this.catalog.deleteTable(tableName, options.scope);
          },
        });
        this.tables.set(tableName, entry);
      } finally {
        this.reserved.delete(tableName);
      }
      this.log.info({ table: tableName, config: redactTableConfig(config.pinot) }, 'table added');
      return config;
    });
  }

  /** Validates a table config as `addTable` would, storing and starting nothing (`POST /tables/validate`); the same 400s. */
  validateTable(json: unknown): TableConfig {
    return this.admit(json).table.config;
  }

  /**
   * Replaces a table's config (`PUT /tables/{name}`): validates, stops the old runtime, persists,
   * starts a new one on the same data dir. If the new runtime fails, the old config is restored
   * and restarted, and the failure is returned. Secrets sent back as `"*****"` keep their stored
   * values.
   */
  async updateTable(name: string, json: unknown): Promise<TableConfig> {
    const tableName = rawTableName(name);
    return this.forTable(tableName, async () => {
      const entry = this.tableEntry(tableName);
      const identity = tableIdentity(json);
      if (identity.tableName !== tableName) {
        throw new ShardtableError('NAME_MISMATCH', { kind: 'table', body: identity.tableName, path: tableName });
      }
      // Admitted in the manager-wide queue, and its schema held (reserved) until the update ends,
      // so a schema change cannot slip in between.
      const { table, schemaName } = await this.exclusive(async () => {
        const admitted = this.admit(restoreRedactedSecrets(json, entry.table.config.pinot));
        this.reserved.set(tableName, admitted.schemaName);
        return admitted;
      });
      try {
        return await this.replaceRuntime(entry, table, schemaName);
      } finally {
        this.reserved.delete(tableName);
      }
    });
  }

  /** `updateTable`'s work, in the table's queue: stop, persist, start, or restore the previous config. */
  private async replaceRuntime(entry: TableEntry, table: TableEntry['table'], schemaName: string): Promise<TableConfig> {
    const tableName = entry.table.config.tableName;
    const { config } = table;
    const previous = entry.table;
    // Persisted first: a write that fails (disk full) leaves the old runtime running.
    await this.catalog.putTable(tableName, config.pinot);
    if (entry.disabled) {
      // A disabled table has no runtime: the new config takes effect when it is enabled.
      entry.table = table;
      entry.schemaName = schemaName;
      return config;
    }
    await this.launcher.stop(entry);
    entry.table = table;
    entry.schemaName = schemaName;
    await this.launcher.launch(entry, {
      onFailure: 'throw',
      undo: async (error) => {
        const detail = scrubSecrets(String(error), collectSecrets(config.pinot));
        this.log.warn({ table: tableName, error: detail }, 'new table config failed to start; restoring the previous one');
        await this.catalog.putTable(tableName, previous.config.pinot);
        entry.table = previous;
        entry.schemaName = this.schemas.find(tableIdentity(previous.config.pinot).schemaCandidates)?.name ?? entry.schemaName;
        await this.launcher.launch(entry, { onFailure: 'record' }, { waitForStream: false });
      },
    });
    this.log.info({ table: tableName, config: redactTableConfig(config.pinot) }, 'table config updated');
    return config;
  }

  /** Stops the table, deletes its data dir (`runtime.drop()`) and its catalog entry (`scope`: see {@link CatalogScope}). */
  async deleteTable(name: string, options: { scope?: CatalogScope } = {}): Promise<void> {
    const tableName = rawTableName(name);
    await this.forTable(tableName, async () => {
      const entry = this.tableEntry(tableName);
      await this.launcher.drop(entry);
      await this.catalog.deleteTable(tableName, options.scope);
      this.tables.delete(tableName);
      this.log.info({ table: tableName }, 'table deleted');
    });
  }

  /**
   * Pauses consumption (kept across restarts) and, as Pinot does, force-commits the consuming
   * segments: each one with rows is sealed (asynchronously; `GET /pauseStatus` lists those not
   * sealed yet) and no new one fills until resume. Idempotent.
   */
  async pause(name: string, options: { comment?: string | null } = {}): Promise<PauseResult> {
    const tableName = rawTableName(name);
    return this.forTable(tableName, async () => {
      const entry = this.tableEntry(tableName);
      const runtime = this.running(tableName);
      const state = pauseStateNow(true, options.comment ?? null);
      const result = pauseResult(state, runtime.partitions());
      // Persisted first: a write that fails (disk full) leaves the table consuming, as it says.
      await this.catalog.setPaused(tableName, true, state);
      await runtime.pause();
      entry.paused = true;
      entry.pauseState = state;
      const segmentsForceCommitted = runtime.forceCommit?.() ?? [];
      this.log.info({ table: tableName, segmentsForceCommitted }, 'consumption paused');
      return { ...result, segmentsForceCommitted };
    });
  }

  /** Resumes consumption, rewound first to `consumeFrom` if given (`table-rewind-op.ts`); a table that failed to start is started again. */
  async resume(name: string, options: { comment?: string | null; consumeFrom?: RewindTarget } = {}): Promise<PauseResult> {
    const tableName = rawTableName(name);
    return this.forTable(tableName, async () => {
      const entry = this.tableEntry(tableName);
      if (entry.disabled) throw new ShardtableError('TABLE_DISABLED', { name: tableName });
      const state = pauseStateNow(false, options.comment ?? null);
      await this.catalog.setPaused(tableName, false);
      entry.paused = false;
      entry.pauseState = state;
      if (entry.runtime === null) await this.launcher.launch(entry, { onFailure: 'throw' });
      const rewind = options.consumeFrom ? await rewindTable(entry, this.running(tableName), options.consumeFrom) : undefined;
      await this.running(tableName).resume();
      this.log.info({ table: tableName, consumeFrom: rewind?.target }, 'consumption resumed');
      return { ...pauseResult(state, this.running(tableName).partitions()), ...(rewind ? { rewind } : {}) };
    });
  }

  /** `POST /tables/{name}/resetStream` (a stream deleted and created again): `stream-reset.ts`. */
  resetStream(name: string, consumeFrom: ResetStart): Promise<StreamResetResult> {
    return this.onRunning(name, (entry, runtime) => resetTableStream(entry, runtime, consumeFrom, this.launcher, this.log));
  }

  /** `POST /tables/{name}/rewind?to=`: replays the stream from `target`, replacing rows (`table-rewind-op.ts`). */
  rewind(name: string, target: RewindTarget): Promise<RewindResult> {
    return this.onRunning(name, (entry, runtime) => rewindTable(entry, runtime, target));
  }

  /**
   * Deletes a sealed segment for good (`DELETE /segments/{t}/{segment}`): not served, not
   * re-read, not repaired as a gap (docs/exactly-once.md, "Deleting a segment"). 409 for a
   * consuming segment or one whose partition repairs gaps; 404 for an unknown one.
   */
  async deleteSegment(name: string, segmentName: string): Promise<void> {
    await this.onRunning(name, (entry, runtime) => deleteOneSegment(runtime, entry.table.config.tableName, segmentName));
  }

  /** Deletes several sealed segments (`POST /segments/{t}/delete`), or with `null` all (`DELETE /segments/{t}`). */
  deleteSegments(name: string, segmentNames: readonly string[] | null): Promise<string[]> {
    return this.onRunning(name, (entry, runtime) => deleteSegmentsOf(runtime, entry.table.config.tableName, segmentNames));
  }

  /** Re-reads the table's sealed segments from disk (`POST /segments/{t}/reload`). */
  reloadSegments(name: string): Promise<SegmentReloadReport> {
    return this.onRunning(name, async (_entry, runtime) => (await runtime.reloadSegments?.()) ?? { reloaded: [], reindexed: [], failed: [] });
  }

  /**
   * Enables or disables a table (`PUT /tables/{name}/state`), kept across restarts. Disabling stops
   * its runtime (consumers end, consuming segments are abandoned and re-read after enabling, as
   * after a restart) and queries answer Pinot's 191 `TableIsDisabledError`; enabling starts it
   * again as a server start does (sealed segments first; a stream that is down is retried).
   * Idempotent.
   */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const tableName = rawTableName(name);
    await this.forTable(tableName, () => setTableEnabled(this.tableEntry(tableName), enabled, this.catalog, this.launcher, this.log));
  }

  /**
   * Stops every runtime (consumers end, consuming segments are abandoned by the recovery rules).
   * Mutations already running finish first (a runtime start is bounded by its stream's deadline);
   * queued ones and new ones are refused.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      await this.queue;
      await this.tableQueue.idle();
      await this.launcher.close([...this.tables.values()]);
      this.log.info({ tables: this.tables.size }, 'table manager closed');
    })();
    await this.closing;
  }

  /** Runs short mutations of memory and the catalog (schemas, table admission) one at a time, in call order. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new ShardtableError('INTERNAL', { detail: 'the table manager is closed' });
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs one table's mutations one at a time, in call order; other tables are not held up. */
  private forTable<T>(tableName: string, work: () => Promise<T>): Promise<T> {
    return this.tableQueue.run(tableName, async () => {
      if (this.closed) throw new ShardtableError('INTERNAL', { detail: 'the table manager is closed' });
      return work();
    });
  }

  /** Runs `work` in the table's queue with its entry and running runtime (404 / 409 otherwise, as `running` says). */
  private onRunning<T>(name: string, work: (entry: TableEntry, runtime: TableRuntime) => Promise<T>): Promise<T> {
    const tableName = rawTableName(name);
    return this.forTable(tableName, () => work(this.tableEntry(tableName), this.running(tableName)));
  }

  private admit(json: unknown): AdmittedTable {
    return admitTable(json, (candidates) => this.schemas.find(candidates), (name) => this.dimTableRef(name));
  }
}
