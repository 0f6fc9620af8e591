import { mkdir } from 'node:fs/promises';
import { collectSecrets, scrubSecrets } from '../config/redact.js';
import type { Logger } from '../logger.js';
import type { Catalog, CatalogProblem } from './catalog.js';
import type { SchemaRegistry } from './schema-registry.js';
import type { AdmittedTable } from './table-admission.js';
import type { TableEntry } from './table-entry.js';
import { pauseStateFromFile } from './pause-state.js';

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

/** What loading the catalog fills in. */
export interface BootTarget {
  readonly dataDir: string;
  readonly catalog: Catalog;
  readonly schemas: SchemaRegistry;
  readonly tables: Map<string, TableEntry>;
  readonly admit: (json: unknown) => AdmittedTable;
}

/** The catalog as loaded: the entries to launch, and what did not load. */
export interface LoadedCatalog {
  readonly entries: readonly TableEntry[];
  readonly problems: CatalogProblem[];
  /** Tables whose config no longer validates (not listed, not launched). */
  readonly rejected: TableLoadResult[];
}

/**
 * Loads the catalog into the schema registry and the table map, launching nothing: every table is
 * listed at once (state `STARTING`, no runtime yet) so the API knows it before its segments load.
 * Nothing here is fatal: a file that does not load, or a config that no longer validates, is
 * reported as a problem and the rest load.
 */
export async function loadCatalogInto(target: BootTarget): Promise<LoadedCatalog> {
  const { catalog, schemas, tables } = target;
  await mkdir(target.dataDir, { recursive: true });
  const contents = await catalog.load();
  const problems = [...contents.problems, ...schemas.load(contents.schemas)];
  const entries: TableEntry[] = [];
  const rejected: TableLoadResult[] = [];
  // Dimension tables first: other tables' transforms may call lookUp() on them when admitted.
  const isDim = (json: unknown): boolean => (json as { isDimTable?: unknown } | null)?.isDimTable === true;
  const ordered = [...contents.tables].sort(([, a], [, b]) => Number(isDim(b)) - Number(isDim(a)));
  for (const [name, json] of ordered) {
    let admitted: AdmittedTable;
    try {
      admitted = target.admit(json);
    } catch (error) {
      const message = scrubSecrets((error as Error).message, collectSecrets(json));
      problems.push({ path: `tables/${name}.json`, error: message });
      rejected.push({ table: name, ok: false, error: message });
      continue;
    }
    const entry: TableEntry = { ...admitted, runtime: null, startError: null, paused: contents.paused.has(name), pauseState: contents.paused.has(name) ? pauseStateFromFile(contents.pauseFiles.get(name)) : null, disabled: contents.disabled.has(name) };
    tables.set(name, entry);
    entries.push(entry);
  }
  return { entries, problems, rejected };
}

/** Logs what a start left behind and builds its report. */
export function startReport(loaded: LoadedCatalog, launched: readonly TableEntry[], schemas: SchemaRegistry, log: Logger): StartReport {
  const results = [
    ...launched.map((entry): TableLoadResult => {
      const table = entry.table.config.tableName;
      return entry.startError === null ? { table, ok: true } : { table, ok: false, error: entry.startError };
    }),
    ...loaded.rejected,
  ];
  for (const problem of loaded.problems) log.error({ path: problem.path, error: problem.error }, 'catalog entry not loaded');
  log.info({ schemas: schemas.size, tables: launched.length, failed: results.filter((r) => !r.ok).length }, 'table manager started');
  return { schemas: schemas.list(), tables: results, problems: loaded.problems };
}
