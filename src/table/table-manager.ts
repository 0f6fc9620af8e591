import { rm } from 'node:fs/promises';
import type { PinotSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import { validateSchema } from '../config/schema-validation.js';
import { rawTableName, REALTIME_SUFFIX, tableIdentity } from '../config/table-config-validation.js';
import { collectSecrets, redactTableConfig, restoreRedactedSecrets, scrubSecrets } from '../config/redact.js';
import { ShardtableError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { Catalog } from './catalog.js';
import { pauseResult } from './consuming-segments.js';
import type { PauseResult } from './consuming-segments.js';
import { admitTable } from './table-admission.js';
import type { AdmittedTable } from './table-admission.js';
import { bootFromCatalog } from './table-boot.js';
import type { StartReport } from './table-boot.js';
import type { TableEntry } from './table-entry.js';
import { TableLauncher } from './table-launcher.js';
import { TableReads } from './table-reads.js';
import type { TableRuntimeFactory } from '../ingest/table-runtime.js';

export type { PauseResult } from './consuming-segments.js';
export type { StartReport, TableLoadResult } from './table-boot.js';
export type { TableState } from './table-reads.js';

export interface TableManagerOptions {
  /** Root of everything on disk: `_catalog/` plus one folder per table. */
  readonly dataDir: string;
  readonly runtimeFactory: TableRuntimeFactory;
  readonly logger?: Logger;
}

/**
 * The registry of schemas and tables: admits configs at the edge, persists through the
 * {@link Catalog}, and owns one runtime per table. Mutations run one at a time, here; reads never
 * wait (they live in {@link TableReads}). Errors are `ShardtableError`s from the catalogue, ready
 * for the HTTP layer.
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
  private closed = false;
  private started = false;

  constructor(options: TableManagerOptions) {
    super(new Catalog(options.dataDir), options.logger ?? silentLogger());
    this.dataDir = options.dataDir;
    this.launcher = new TableLauncher({
      catalog: this.catalog,
      runtimeFactory: options.runtimeFactory,
      exclusive: (work) => this.exclusive(work),
      isCurrent: (entry) => this.tables.get(entry.table.config.tableName) === entry,
      log: this.log,
    });
  }

  /**
   * Loads the catalog and starts a runtime per table. A schema or table that no longer loads,
   * or a table whose runtime fails to start, is logged and reported; the others still load. A
   * table that failed to start stays listed (state `FAILED`); `resume` retries it, and one whose
   * stream could not be reached is retried with backoff.
   */
  async start(): Promise<StartReport> {
    return this.exclusive(async () => {
      if (this.started) throw new ShardtableError('INTERNAL', { detail: 'the table manager was already started' });
      this.started = true;
      return bootFromCatalog({
        dataDir: this.dataDir,
        catalog: this.catalog,
        schemas: this.schemas,
        tables: this.tables,
        launcher: this.launcher,
        admit: (json) => this.admit(json),
        log: this.log,
      });
    });
  }

  // ---- schemas ----

  /**
   * Validates and stores a schema. A schema of the same name is a 409 unless `override` is set,
   * which updates it as {@link updateSchema} does.
   */
  async addSchema(json: unknown, options: { override?: boolean } = {}): Promise<PinotSchema> {
    const validated = validateSchema(json);
    return this.exclusive(() => this.schemas.add(validated, options));
  }

  /** Replaces a schema no table uses (409 `SCHEMA_IN_USE` otherwise). */
  async updateSchema(name: string, json: unknown): Promise<PinotSchema> {
    const validated = validateSchema(json);
    if (validated.schemaName !== name) throw new ShardtableError('NAME_MISMATCH', { kind: 'schema', body: validated.schemaName, path: name });
    return this.exclusive(() => this.schemas.update(name, validated));
  }

  /** Deletes a schema; 409 `SCHEMA_IN_USE` while a table uses it. */
  async deleteSchema(name: string): Promise<void> {
    await this.exclusive(() => this.schemas.delete(name));
  }

  // ---- tables ----

  /**
   * Validates, persists and starts a table. If its runtime does not start, everything is rolled
   * back; a stream error becomes 400 `STREAM_UNREACHABLE` naming the stream.
   */
  async addTable(json: unknown): Promise<TableConfig> {
    return this.exclusive(async () => {
      const { tableName } = tableIdentity(json);
      if (this.tables.has(tableName)) throw new ShardtableError('TABLE_EXISTS', { name: `${tableName}${REALTIME_SUFFIX}` });
      const admitted = this.admit(json);
      const { config } = admitted.table;
      await this.catalog.putTable(tableName, config.pinot);
      const entry: TableEntry = { ...admitted, runtime: null, startError: null, paused: false };
      await this.launcher.launch(entry, {
        onFailure: 'throw',
        undo: async () => {
          await rm(this.catalog.tableDir(tableName), { recursive: true, force: true });
          await this.catalog.deleteTable(tableName);
        },
      });
      this.tables.set(tableName, entry);
      this.log.info({ table: tableName, config: redactTableConfig(config.pinot) }, 'table added');
      return config;
    });
  }

  /**
   * Replaces a table's config (`PUT /tables/{name}`): validates, stops the old runtime, persists,
   * starts a new one on the same data dir. If the new runtime fails, the old config is restored
   * and restarted, and the failure is returned. Secrets sent back as `"*****"` keep their stored
   * values.
   */
  async updateTable(name: string, json: unknown): Promise<TableConfig> {
    return this.exclusive(async () => {
      const tableName = rawTableName(name);
      const entry = this.tableEntry(tableName);
      const identity = tableIdentity(json);
      if (identity.tableName !== tableName) {
        throw new ShardtableError('NAME_MISMATCH', { kind: 'table', body: identity.tableName, path: tableName });
      }
      const { table, schemaName } = this.admit(restoreRedactedSecrets(json, entry.table.config.pinot));
      const { config } = table;
      const previous = entry.table;
      await this.launcher.stop(entry);
      await this.catalog.putTable(tableName, config.pinot);
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
          await this.launcher.launch(entry, { onFailure: 'record' });
        },
      });
      this.log.info({ table: tableName, config: redactTableConfig(config.pinot) }, 'table config updated');
      return config;
    });
  }

  /** Stops the table, deletes its data dir (`runtime.drop()`) and its catalog entry. */
  async deleteTable(name: string): Promise<void> {
    await this.exclusive(async () => {
      const tableName = rawTableName(name);
      const entry = this.tableEntry(tableName);
      await this.launcher.drop(entry);
      await this.catalog.deleteTable(tableName);
      this.tables.delete(tableName);
      this.log.info({ table: tableName }, 'table deleted');
    });
  }

  /** Pauses consumption (kept across restarts). Idempotent. */
  async pause(name: string): Promise<PauseResult> {
    return this.exclusive(async () => {
      const tableName = rawTableName(name);
      const entry = this.tableEntry(tableName);
      const runtime = this.running(tableName);
      const result = pauseResult(true, runtime.partitions());
      await runtime.pause();
      await this.catalog.setPaused(tableName, true);
      entry.paused = true;
      this.log.info({ table: tableName }, 'consumption paused');
      return result;
    });
  }

  /** Resumes consumption. On a table that failed to start, tries to start it again. */
  async resume(name: string): Promise<PauseResult> {
    return this.exclusive(async () => {
      const tableName = rawTableName(name);
      const entry = this.tableEntry(tableName);
      await this.catalog.setPaused(tableName, false);
      entry.paused = false;
      if (entry.runtime === null) await this.launcher.launch(entry, { onFailure: 'throw' });
      else await entry.runtime.resume();
      this.log.info({ table: tableName }, 'consumption resumed');
      return pauseResult(false, this.running(tableName).partitions());
    });
  }

  /** Stops every runtime (consumers end, consuming segments are abandoned by the recovery rules). */
  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.launcher.close([...this.tables.values()]);
      this.log.info({ tables: this.tables.size }, 'table manager closed');
    }, { evenWhenClosed: true });
  }

  /** Runs mutations one at a time, in call order. */
  private exclusive<T>(work: () => Promise<T>, options: { evenWhenClosed?: boolean } = {}): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed && !options.evenWhenClosed) throw new ShardtableError('INTERNAL', { detail: 'the table manager is closed' });
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private admit(json: unknown): AdmittedTable {
    return admitTable(json, (candidates) => this.schemas.find(candidates));
  }
}
