import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import { tableIdentity, validateTableConfig } from '../config/table-config-validation.js';
import { collectSecrets, scrubSecrets } from '../config/redact.js';
import { ShardtableError } from '../errors.js';
import type { ResolvedTable } from '../ingest/resolved-table.js';
import { streamValidationOptions } from '../plugins/stream/registry.js';
import { storageError, isStorageError } from './storage-error.js';
import { resolveTable } from './table-resolution.js';
import type { DimTableResolver } from '../query/embedded-expression.js';

/** A schema found by name: the name it was found under and the engine's view of it. */
export interface FoundSchema {
  readonly name: string;
  readonly schema: TableSchema;
}

/** Looks a schema up by Pinot's candidate names, first match wins; undefined when none exists. */
export type FindSchema = (candidates: readonly string[]) => FoundSchema | undefined;

/** A table config that passed admission, resolved, with the name of the schema it was validated against. */
export interface AdmittedTable {
  readonly table: ResolvedTable;
  readonly schemaName: string;
}

/**
 * Admits a table config at the edge: finds its schema the way Pinot does (raw table name, or
 * `segmentsConfig.schemaName`), validates the config against it (config layer), then resolves it
 * once (`resolveTable`: stream keys parsed by its plugin, decoder built, transforms compiled), so
 * a bad key is a 400 naming it rather than a table that fails to start. Throws `ShardtableError`s
 * (`INVALID_TABLE_CONFIG`, `STREAM_CONFIG`, ...); nothing is stored here. `dimTables` lets
 * transforms call `lookUp()`.
 *
 * @example
 *   const { table, schemaName } = admitTable(json, (names) => registry.find(names));
 */
export function admitTable(json: unknown, findSchema: FindSchema, dimTables?: DimTableResolver): AdmittedTable {
  const { schemaCandidates } = tableIdentity(json);
  const found = findSchema(schemaCandidates);
  if (!found) {
    const names = schemaCandidates.join(' or ');
    throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: `tableName: no schema named ${names}; POST /schemas first` });
  }
  const config = validateTableConfig(json, found.schema, streamValidationOptions());
  return { table: resolveTable(found.schema, config, dimTables), schemaName: found.name };
}

/**
 * Maps a runtime start failure to a catalogue error with the config's secrets scrubbed from its
 * message: a catalogue error passes through (scrubbed in place), an error the table's stream
 * plugin classifies as its own (the stream or the network to it) becomes 400 `STREAM_UNREACHABLE`
 * naming the stream, a file-system error (disk full, permissions) 500 `STORAGE_FAILED` saying
 * which, anything else 500 `INTERNAL`.
 */
export function startFailure(error: unknown, table: ResolvedTable): ShardtableError {
  const { config } = table;
  const secrets = collectSecrets(config.pinot);
  if (error instanceof ShardtableError) {
    error.message = scrubSecrets(error.message, secrets);
    return error;
  }
  const detail = scrubErrorMessage(error, config);
  if (isStreamFailure(error, table)) {
    return new ShardtableError('STREAM_UNREACHABLE', { stream: `${config.stream.streamType}:${config.stream.topicName}`, detail });
  }
  if (isStorageError(error)) return storageError(error, { action: 'start', what: `table ${config.tableName} (its data directory)` }) as ShardtableError;
  return new ShardtableError('INTERNAL', { detail: `table ${config.tableName} failed to start: ${detail}` });
}

/** An error's message with the config's secrets scrubbed, for a log line. */
export function scrubErrorMessage(error: unknown, config: TableConfig): string {
  return scrubSecrets(error instanceof Error ? error.message : String(error), collectSecrets(config.pinot));
}

/** True when the table's stream plugin says the error came from its stream (worth a retry later). */
export function isStreamFailure(error: unknown, table: ResolvedTable): boolean {
  return table.stream.plugin.classifyError(error) !== null;
}
