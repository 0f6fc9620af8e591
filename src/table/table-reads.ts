import type { PinotSchema, TableSchema } from '../config/schema.js';
import type { PinotTableConfig, TableConfig } from '../config/table-config.js';
import { rawTableName, REALTIME_SUFFIX } from '../config/table-config-validation.js';
import { collectSecrets, redactTableConfig } from '../config/redact.js';
import { ShardtableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Catalog } from './catalog.js';
import { consumingSegmentMetadata } from './consuming-segments.js';
import { SchemaRegistry } from './schema-registry.js';
import type { TableEntry } from './table-entry.js';
import type { PauseState } from './pause-state.js';
import { liveDimRef, snapshotRuntime } from '../query/index.js';
import type { DimTableRef } from '../query/index.js';
import type { ResolvedTable } from '../ingest/resolved-table.js';
import type { IngestionHealth, PartitionStatus, SegmentSummary, TableIngestionStatus, TableRuntime } from '../ingest/table-runtime.js';

/**
 * A table's lifecycle state as the manager sees it: `STARTING` while its runtime loads (server
 * start, update, resume), `RUNNING` or `PAUSED` once it serves, `FAILED` when its start failed.
 * `DISABLED` while disabled (no runtime). Whether a running table reaches its stream is its
 * `ingestion` state, apart.
 */
export type TableState = 'STARTING' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'DISABLED';

/** What `tableState` answers. */
export interface TableStateView {
  readonly state: TableState;
  /** Why the table failed to start, or null. */
  readonly error: string | null;
  /** Whether a running table reaches its stream (`DOWN`: sealed segments only); null when none runs. */
  readonly ingestion: IngestionHealth | null;
}

const STARTING_DETAIL = 'it is starting (loading its sealed segments); retry in a moment';

/**
 * The read side of the {@link TableManager}: the schema registry and the table map, and every
 * lookup and view over them. Reads never wait for the mutation queue; `TableManager` extends this
 * with the mutations. Table names are accepted with or without `_REALTIME`; errors are catalogue
 * errors (404 for an unknown name, 503 `TABLE_NOT_RUNNING` for a table with no runtime).
 */
export abstract class TableReads {
  protected readonly tables = new Map<string, TableEntry>();
  /**
   * Table names held by a mutation in flight, with the schema each uses: a table being added
   * (not listed until its runtime runs) or updated. Their schemas count as in use.
   */
  protected readonly reserved = new Map<string, string>();
  /** True while `start()` loads the catalog and the tables' sealed segments. */
  protected booting = false;
  protected readonly schemas: SchemaRegistry;

  protected constructor(
    protected readonly catalog: Catalog,
    protected readonly log: Logger,
  ) {
    this.schemas = new SchemaRegistry(catalog, (schemaName) => this.tableUsing(schemaName), log);
  }

  // ---- schemas ----

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

  // ---- tables ----

  /** The table config as Pinot shows it, secrets replaced by `"*****"`. Throws 404. */
  getTable(name: string): PinotTableConfig {
    return redactTableConfig(this.tableEntry(rawTableName(name)).table.config.pinot);
  }

  /** The validated config (secrets included) for code inside the server. Throws 404. */
  getTableConfig(name: string): TableConfig {
    return this.tableEntry(rawTableName(name)).table.config;
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
   * A dimension table for `lookUp()` in ingestion transforms: its schema when the transform is
   * compiled, its rows (rebuilt when its segments change) when a record is transformed. Undefined
   * for no table of that name; a table without `isDimTable: true` is an error naming it; a
   * dimension table that is not running fails the record being transformed (bad-record policy).
   */
  protected dimTableRef(name: string): DimTableRef | undefined {
    const raw = rawTableName(name);
    const entry = this.tables.get(raw) ?? [...this.tables.values()].find((e) => e.table.config.tableName.toLowerCase() === raw.toLowerCase());
    if (entry === undefined) return undefined;
    const { tableName } = entry.table.config;
    if (entry.table.config.isDimTable !== true) throw new Error(`lookUp: table ${tableName} is not a dimension table (its table config has no "isDimTable": true)`);
    return liveDimRef({
      name: tableName,
      schema: entry.table.schema,
      get identity(): object {
        return entry.runtime ?? entry;
      },
      snapshot: () => {
        if (!entry.runtime) throw new Error(`dimension table ${tableName} is not running`);
        return snapshotRuntime(entry.runtime);
      },
    });
  }

  /**
   * Every secret value in every table config, so the HTTP layer can scrub them from free text
   * (an unexpected error message) before it reaches a response or a log line.
   */
  knownSecrets(): string[] {
    return [...this.tables.values()].flatMap((entry) => collectSecrets(entry.table.config.pinot));
  }

  /** True while the server's tables are still loading at start (`/health` answers 503 meanwhile). */
  get starting(): boolean {
    return this.booting;
  }

  /** State of a table, when it failed to start why, and whether it reaches its stream. Throws 404. */
  tableState(name: string): TableStateView {
    const entry = this.tableEntry(rawTableName(name));
    if (entry.disabled) return { state: 'DISABLED', error: null, ingestion: null };
    if (entry.runtime === null) {
      return entry.startError === null ? { state: 'STARTING', error: null, ingestion: null } : { state: 'FAILED', error: entry.startError, ingestion: null };
    }
    return { state: entry.paused ? 'PAUSED' : 'RUNNING', error: null, ingestion: entry.runtime.status?.().ingestion ?? null };
  }

  /** The table's latest pause or resume (Pinot's `PauseState`), or null if never paused. Throws 404. */
  pauseState(name: string): PauseState | null {
    return this.tableEntry(rawTableName(name)).pauseState ?? null;
  }

  /** The name of the schema a table uses. Throws 404. */
  schemaNameOf(name: string): string {
    return this.tableEntry(rawTableName(name)).schemaName;
  }

  /** True when the table is disabled. Throws 404. */
  isDisabled(name: string): boolean {
    return this.tableEntry(rawTableName(name)).disabled;
  }

  /** The running runtime of a table, for operations on it. Throws 404, 409 `TABLE_DISABLED`, 503 `TABLE_NOT_RUNNING`. */
  runtimeOf(name: string): TableRuntime {
    return this.running(name);
  }

  /** Why a table has no runtime: its start error, or that it is starting. Throws 404. */
  notRunningReason(name: string): string {
    return this.notRunningDetail(this.tableEntry(rawTableName(name)));
  }

  protected notRunningDetail(entry: TableEntry): string {
    return entry.startError ?? STARTING_DETAIL;
  }

  // ---- a running table ----

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

  /** The table as admitted (schema, config, its streams bound to their plugins). Throws 404. */
  resolvedTable(name: string): ResolvedTable {
    return this.tableEntry(rawTableName(name)).table;
  }

  // ---- lookups ----

  /** The entry of a raw table name. Throws 404 `TABLE_NOT_FOUND`. */
  protected tableEntry(tableName: string): TableEntry {
    const entry = this.tables.get(tableName);
    if (!entry) throw new ShardtableError('TABLE_NOT_FOUND', { name: tableName });
    return entry;
  }

  /** The runtime of a table. Throws 404, 409 `TABLE_DISABLED`, or 503 `TABLE_NOT_RUNNING` with the start error. */
  protected running(name: string): TableRuntime {
    const tableName = rawTableName(name);
    const entry = this.tableEntry(tableName);
    if (entry.disabled) throw new ShardtableError('TABLE_DISABLED', { name: tableName });
    if (entry.runtime === null) throw new ShardtableError('TABLE_NOT_RUNNING', { name: tableName, detail: this.notRunningDetail(entry) });
    return entry.runtime;
  }

  /** The first table (in insertion order) whose config uses the schema, or undefined. */
  private tableUsing(schemaName: string): string | undefined {
    for (const [table, entry] of this.tables) if (entry.schemaName === schemaName) return table;
    for (const [table, used] of this.reserved) if (used === schemaName) return table;
    return undefined;
  }
}
