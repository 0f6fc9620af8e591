import { mkdir, rm } from 'node:fs/promises';
import type { PinotSchema, TableSchema } from '../config/schema.js';
import type { PinotTableConfig, TableConfig } from '../config/table-config.js';
import { validateSchema } from '../config/schema-validation.js';
import { rawTableName, REALTIME_SUFFIX, tableIdentity } from '../config/table-config-validation.js';
import { collectSecrets, redactTableConfig, restoreRedactedSecrets, scrubSecrets } from '../config/redact.js';
import { ShardtableError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { Catalog } from './catalog.js';
import type { CatalogProblem } from './catalog.js';
import { consumingSegmentMetadata, pauseResult } from './consuming-segments.js';
import type { PauseResult } from './consuming-segments.js';
import { SchemaRegistry } from './schema-registry.js';
import { admitTable } from './table-admission.js';
import type { AdmittedTable } from './table-admission.js';
import type { TableEntry } from './table-entry.js';
import { TableLauncher } from './table-launcher.js';
import type { PartitionStatus, SegmentSummary, TableIngestionStatus, TableRuntime, TableRuntimeFactory } from './table-runtime.js';

export type { PauseResult } from './consuming-segments.js';

export interface TableManagerOptions {
  /** Root of everything on disk: `_catalog/` plus one folder per table. */
  readonly dataDir: string;
  readonly runtimeFactory: TableRuntimeFactory;
  readonly logger?: Logger;
}

/** How one table fared in `start()`. */
export interface TableLoadResult {
  readonly table: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** What `start()` loaded, and what it could not. */
export interface StartReport {
  readonly schemas: string[];
  readonly tables: TableLoadResult[];
  /** Catalog files that could not be read or no longer validate. */
  readonly problems: CatalogProblem[];
}

/** A table's lifecycle state as the manager sees it. */
export type TableState = 'RUNNING' | 'PAUSED' | 'FAILED';

/**
 * The registry of schemas and tables: validates at the edge, persists through the {@link Catalog},
 * and owns one {@link TableRuntime} per table. Mutations run one at a time; reads never wait.
 * Errors are `ShardtableError`s from the catalogue, ready for the HTTP layer.
 *
 * @example
 *   const manager = new TableManager({ dataDir: './segments', runtimeFactory });
 *   await manager.start();
 *   await manager.addSchema(schemaJson);
 *   await manager.addTable(tableConfigJson);
 *   // ...
 *   await manager.close();
 */
export class TableManager {
  readonly dataDir: string;
  private readonly catalog: Catalog;
  private readonly log: Logger;
  private readonly schemas: SchemaRegistry;
  private readonly launcher: TableLauncher;
  private readonly tables = new Map<string, TableEntry>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private started = false;

  constructor(options: TableManagerOptions) {
    this.dataDir = options.dataDir;
    this.catalog = new Catalog(options.dataDir);
    this.log = options.logger ?? silentLogger();
    this.schemas = new SchemaRegistry(this.catalog, (schemaName) => this.tableUsing(schemaName), this.log);
    this.launcher = new TableLauncher({
      catalog: this.catalog,
      runtimeFactory: options.runtimeFactory,
      schemaFor: (config) => this.schemas.forTable(config),
      exclusive: (work) => this.exclusive(work),
      isCurrent: (entry) => this.tables.get(entry.config.tableName) === entry,
      log: this.log,
    });
  }

  /**
   * Loads the catalog and starts a runtime per table. A schema or table that no longer loads,
   * or a table whose runtime fails to start, is logged and reported; the others still load. A
   * table that failed to start stays listed (state `FAILED`); `resume` retries it.
   */
  async start(): Promise<StartReport> {
    return this.exclusive(async () => {
      if (this.started) throw new ShardtableError('INTERNAL', { detail: 'the table manager was already started' });
      this.started = true;
      await mkdir(this.dataDir, { recursive: true });
      const contents = await this.catalog.load();
      const problems = [...contents.problems, ...this.schemas.load(contents.schemas)];
      const results = await Promise.all(
        [...contents.tables].map(async ([name, json]): Promise<TableLoadResult> => {
          let admitted: AdmittedTable;
          try {
            admitted = this.admit(json);
          } catch (error) {
            const message = scrubSecrets((error as Error).message, collectSecrets(json));
            problems.push({ path: `tables/${name}.json`, error: message });
            return { table: name, ok: false, error: message };
          }
          const entry: TableEntry = { ...admitted, runtime: null, startError: null, paused: contents.paused.has(name) };
          this.tables.set(name, entry);
          await this.launcher.launch(entry, { onFailure: 'record' });
          return entry.startError === null ? { table: name, ok: true } : { table: name, ok: false, error: entry.startError };
        }),
      );
      for (const problem of problems) this.log.error({ path: problem.path, error: problem.error }, 'catalog entry not loaded');
      this.log.info({ schemas: this.schemas.size, tables: this.tables.size, failed: results.filter((r) => !r.ok).length }, 'table manager started');
      return { schemas: this.schemas.list(), tables: results, problems };
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

  /** The schema JSON as validated (defaults filled). Throws 404 `SCHEMA_NOT_FOUND`. */
  getSchema(name: string): PinotSchema {
    return this.schemas.getJson(name);
  }

  /** The engine's view of a schema. Throws 404 `SCHEMA_NOT_FOUND`. */
  getTableSchema(name: string): TableSchema {
    return this.schemas.getSchema(name);
  }

  listSchemas(): string[] {
    return this.schemas.list();
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
      await this.catalog.putTable(tableName, admitted.config.pinot);
      const entry: TableEntry = { ...admitted, runtime: null, startError: null, paused: false };
      await this.launcher.launch(entry, {
        onFailure: 'throw',
        undo: async () => {
          await rm(this.catalog.tableDir(tableName), { recursive: true, force: true });
          await this.catalog.deleteTable(tableName);
        },
      });
      this.tables.set(tableName, entry);
      this.log.info({ table: tableName, config: redactTableConfig(admitted.config.pinot) }, 'table added');
      return admitted.config;
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
      const { config, schemaName } = this.admit(restoreRedactedSecrets(json, entry.config.pinot));
      const previous = entry.config;
      await this.launcher.stop(entry);
      await this.catalog.putTable(tableName, config.pinot);
      entry.config = config;
      entry.schemaName = schemaName;
      await this.launcher.launch(entry, {
        onFailure: 'throw',
        undo: async (error) => {
          const detail = scrubSecrets(String(error), collectSecrets(config.pinot));
          this.log.warn({ table: tableName, error: detail }, 'new table config failed to start; restoring the previous one');
          await this.catalog.putTable(tableName, previous.pinot);
          entry.config = previous;
          entry.schemaName = this.schemas.find(tableIdentity(previous.pinot).schemaCandidates)?.name ?? entry.schemaName;
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

  /** The table config as Pinot shows it, secrets replaced by `"*****"`. Throws 404. */
  getTable(name: string): PinotTableConfig {
    return redactTableConfig(this.tableEntry(rawTableName(name)).config.pinot);
  }

  /** The validated config (secrets included) for code inside the server. Throws 404. */
  getTableConfig(name: string): TableConfig {
    return this.tableEntry(rawTableName(name)).config;
  }

  /** Raw names of every table, sorted. */
  listTables(): string[] {
    return [...this.tables.keys()].sort();
  }

  /** True when a table of this name (with or without `_REALTIME`) exists. */
  hasTable(name: string): boolean {
    return this.tables.has(rawTableName(name));
  }

  /** The running runtime of a table (for the query engine), or undefined if none runs. Throws 404. */
  getRuntime(name: string): TableRuntime | undefined {
    return this.tableEntry(rawTableName(name)).runtime ?? undefined;
  }

  /**
   * Every secret value in every table config, so the HTTP layer can scrub them from free text
   * (an unexpected error message) before it reaches a response or a log line.
   */
  knownSecrets(): string[] {
    return [...this.tables.values()].flatMap((entry) => collectSecrets(entry.config.pinot));
  }

  /** State of a table and, when it failed to start, why. Throws 404. */
  tableState(name: string): { state: TableState; error: string | null } {
    const entry = this.tableEntry(rawTableName(name));
    if (entry.runtime === null) return { state: 'FAILED', error: entry.startError };
    return { state: entry.paused ? 'PAUSED' : 'RUNNING', error: null };
  }

  /** Sealed segments of a table. Throws 404, or 503 when the table is not running. */
  segments(name: string): SegmentSummary[] {
    return this.running(name).segments();
  }

  /**
   * Metadata of one segment: the sealed segment's footer, or for a consuming segment its live
   * state (`status: IN_PROGRESS`). Throws 404 `SEGMENT_NOT_FOUND`.
   */
  segmentMetadata(name: string, segmentName: string): Record<string, unknown> {
    const runtime = this.running(name);
    const sealed = runtime.segmentMetadata(segmentName);
    if (sealed !== undefined) return sealed;
    const consuming = runtime.partitions().find((p) => p.consumingSegmentName === segmentName);
    if (consuming) return consumingSegmentMetadata(segmentName, consuming);
    throw new ShardtableError('SEGMENT_NOT_FOUND', { segment: segmentName, table: `${rawTableName(name)}${REALTIME_SUFFIX}` });
  }

  /** Table-level ingestion status (data loss, discovery, fetch concurrency); null when the runtime has none. */
  tableStatus(name: string): TableIngestionStatus | null {
    return this.running(name).status?.() ?? null;
  }

  /** Per-partition consumer status (the data behind `consumingSegmentsInfo`). Throws 404 / 503. */
  partitions(name: string): PartitionStatus[] {
    return this.running(name).partitions();
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

  // ---- internals ----

  /** Runs mutations one at a time, in call order. */
  private exclusive<T>(work: () => Promise<T>, options: { evenWhenClosed?: boolean } = {}): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed && !options.evenWhenClosed) throw new ShardtableError('INTERNAL', { detail: 'the table manager is closed' });
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private tableEntry(tableName: string): TableEntry {
    const entry = this.tables.get(tableName);
    if (!entry) throw new ShardtableError('TABLE_NOT_FOUND', { name: tableName });
    return entry;
  }

  private running(name: string): TableRuntime {
    const tableName = rawTableName(name);
    const entry = this.tableEntry(tableName);
    if (entry.runtime === null) throw new ShardtableError('TABLE_NOT_RUNNING', { name: tableName, detail: entry.startError ?? 'not started' });
    return entry.runtime;
  }

  /** The first table (in insertion order) whose config uses the schema, or undefined. */
  private tableUsing(schemaName: string): string | undefined {
    for (const [table, entry] of this.tables) if (entry.schemaName === schemaName) return table;
    return undefined;
  }

  private admit(json: unknown): AdmittedTable {
    return admitTable(json, (candidates) => this.schemas.find(candidates));
  }
}
