import { ShardtableError } from '../errors.js';
import type { ResolvedTable } from '../ingest/resolved-table.js';
import type { Logger } from '../logger.js';
import { Catalog } from './catalog.js';
import { SchemaRegistry } from './schema-registry.js';
import { admitTable } from './table-admission.js';

/** One table of a data dir's catalog, admitted and resolved as the server would at start. */
export interface CatalogTable {
  readonly table: ResolvedTable;
  /** `<dataDir>/<tableName>/`: its sealed segments, ledger and partition ids. */
  readonly tableDir: string;
  /** Whether its consumption is paused (the server would not consume it). */
  readonly paused: boolean;
}

/**
 * Loads one table from the catalog under `dataDir` without a server: its config and schema are
 * admitted the way `serve` admits them at start (`admitTable`: validated, stream bound, decoder
 * built, transforms compiled). Throws `TABLE_NOT_FOUND` when the catalog has no such table, or the
 * admission error when its config no longer validates. Used by `shardtable ingest --once`.
 *
 * @example const { table, tableDir } = await loadCatalogTable('./segments', 'events', logger);
 */
export async function loadCatalogTable(dataDir: string, tableName: string, log: Logger): Promise<CatalogTable> {
  const catalog = new Catalog(dataDir);
  const contents = await catalog.load();
  const json = contents.tables.get(tableName);
  if (json === undefined) {
    const known = [...contents.tables.keys()];
    throw new ShardtableError('TABLE_NOT_FOUND', { name: `${tableName} (in ${dataDir}; tables there: ${known.length > 0 ? known.join(', ') : 'none'})` });
  }
  const schemas = new SchemaRegistry(catalog, () => undefined, log);
  schemas.load(contents.schemas);
  // Dimension tables live in the server (their rows in its memory): a lookUp() transform cannot run here.
  const noDimTables = (name: string): never => {
    throw new Error(`lookUp('${name}', …) reads a dimension table, which only the server holds; ingest this table with the server running instead of --once`);
  };
  const { table } = admitTable(json, (candidates) => schemas.find(candidates), noDimTables);
  return { table, tableDir: catalog.tableDir(tableName), paused: contents.paused.has(tableName) };
}
