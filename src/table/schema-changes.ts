import { checkSchemaEvolution } from '../config/schema-evolution.js';
import { buildTableSchema } from '../config/schema.js';
import type { PinotSchema } from '../config/schema.js';
import { ShardtableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { sameJson } from './schema-registry.js';
import type { SchemaRegistry } from './schema-registry.js';
import { admitTable } from './table-admission.js';
import type { AdmittedTable, FindSchema } from './table-admission.js';
import type { TableEntry } from './table-entry.js';
import type { TableLauncher } from './table-launcher.js';
import type { DimTableResolver } from '../query/embedded-expression.js';

/** What a schema change sees of the manager: the registry, the tables, and names held by a mutation in flight. */
export interface SchemaChangeContext {
  readonly schemas: SchemaRegistry;
  readonly tables: ReadonlyMap<string, TableEntry>;
  readonly reserved: ReadonlyMap<string, string>;
  /** Dimension tables for transforms calling `lookUp()`, when their configs are checked again. */
  readonly dimTables?: DimTableResolver;
}

/** A stored schema and the tables that use it and must restart to take it up (empty for a plain store). */
export interface SchemaChange {
  readonly schema: PinotSchema;
  readonly restart: readonly string[];
}

/**
 * Stores a schema (run in the manager's mutation queue). When no table uses it, or it is sent
 * unchanged, `store` does it as before. When tables use it (schema evolution, Pinot's
 * `PUT /schemas/{name}` on a live table), the new version must be backward-compatible
 * ({@link checkSchemaEvolution}: 400 `SCHEMA_INCOMPATIBLE` naming every offending column) and every
 * table config using it must still validate against it (400 as for `PUT /tables`); then it is
 * persisted and the tables to restart are returned. A table being created or updated right now
 * holds its schema: 409 `SCHEMA_IN_USE` (retry after its answer).
 */
export async function changeSchema(ctx: SchemaChangeContext, validated: PinotSchema, store: () => Promise<PinotSchema>): Promise<SchemaChange> {
  const name = validated.schemaName;
  const current = ctx.schemas.peekJson(name);
  const users = [...ctx.tables].filter(([, entry]) => entry.schemaName === name).map(([table]) => table);
  const pending = [...ctx.reserved].find(([, schema]) => schema === name)?.[0];
  if (current === undefined || sameJson(current, validated) || (users.length === 0 && pending === undefined)) return { schema: await store(), restart: [] };
  if (pending !== undefined) throw new ShardtableError('SCHEMA_IN_USE', { name, table: pending });
  const checked = checkSchemaEvolution(current, validated);
  if ('problems' in checked) throw new ShardtableError('SCHEMA_INCOMPATIBLE', { name, table: users.join(', '), details: checked.problems.join('; ') });
  const next = buildTableSchema(validated);
  const find: FindSchema = (candidates) => {
    for (const candidate of candidates) {
      if (candidate === name) return { name, schema: next };
      const found = ctx.schemas.find([candidate]);
      if (found) return found;
    }
    return undefined;
  };
  // Throws the table's 400 if a config no longer validates (e.g. a transform now clashes with a new column).
  for (const table of users) admitTable(ctx.tables.get(table)!.table.config.pinot, find, ctx.dimTables);
  await ctx.schemas.evolve(name, validated);
  return { schema: validated, restart: users };
}

/**
 * Restarts one table on its schema's new version (run in the table's queue): the config is
 * admitted again (the resolved table carries the new columns), the runtime stopped — its consuming
 * segments abandoned, their rows re-read from the stream into consuming segments of the new
 * schema, as after any restart — and started again, serving its sealed segments at once (their
 * missing columns answer the default null value) and reading the stream in the background. A
 * disabled table takes the new config when enabled. A runtime that fails to start is recorded as
 * on a server start (state `FAILED`, retried), never thrown: the schema is already stored.
 */
export async function restartOnNewSchema(entry: TableEntry | undefined, admit: (json: unknown) => AdmittedTable, launcher: TableLauncher, log: Logger): Promise<void> {
  if (entry === undefined) return;
  const tableName = entry.table.config.tableName;
  let admitted: AdmittedTable;
  try {
    admitted = admit(entry.table.config.pinot);
  } catch (error) {
    log.error({ table: tableName, error: (error as Error).message }, 'table config no longer validates against its evolved schema; kept on the previous one');
    return;
  }
  entry.table = admitted.table;
  entry.schemaName = admitted.schemaName;
  if (entry.disabled) return;
  await launcher.stop(entry);
  await launcher.launch(entry, { onFailure: 'record' }, { waitForStream: false });
  log.info({ table: tableName, schema: admitted.schemaName }, 'table restarted on its evolved schema');
}
