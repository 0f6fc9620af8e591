import { mkdir } from 'node:fs/promises';
import { collectSecrets, scrubSecrets } from '../config/redact.js';
import type { Logger } from '../logger.js';
import type { Catalog, CatalogProblem } from './catalog.js';
import type { SchemaRegistry } from './schema-registry.js';
import type { AdmittedTable } from './table-admission.js';
import type { TableEntry } from './table-entry.js';
import type { TableLauncher } from './table-launcher.js';

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

/** What booting from the catalog fills in and starts with. */
export interface BootTarget {
  readonly dataDir: string;
  readonly catalog: Catalog;
  readonly schemas: SchemaRegistry;
  readonly tables: Map<string, TableEntry>;
  readonly launcher: TableLauncher;
  readonly admit: (json: unknown) => AdmittedTable;
  readonly log: Logger;
}

/**
 * Loads the catalog into the schema registry and the table map and launches every table. Nothing
 * here is fatal: a file that does not load, or a config that no longer validates, is logged and
 * reported as a problem; a table whose runtime does not start stays listed as `FAILED` (a stream
 * that could not be reached is retried by the launcher).
 */
export async function bootFromCatalog(target: BootTarget): Promise<StartReport> {
  const { catalog, schemas, tables, launcher, log } = target;
  await mkdir(target.dataDir, { recursive: true });
  const contents = await catalog.load();
  const problems = [...contents.problems, ...schemas.load(contents.schemas)];
  const results = await Promise.all(
    [...contents.tables].map(async ([name, json]): Promise<TableLoadResult> => {
      let admitted: AdmittedTable;
      try {
        admitted = target.admit(json);
      } catch (error) {
        const message = scrubSecrets((error as Error).message, collectSecrets(json));
        problems.push({ path: `tables/${name}.json`, error: message });
        return { table: name, ok: false, error: message };
      }
      const entry: TableEntry = { ...admitted, runtime: null, startError: null, paused: contents.paused.has(name) };
      tables.set(name, entry);
      await launcher.launch(entry, { onFailure: 'record' });
      return entry.startError === null ? { table: name, ok: true } : { table: name, ok: false, error: entry.startError };
    }),
  );
  for (const problem of problems) log.error({ path: problem.path, error: problem.error }, 'catalog entry not loaded');
  log.info({ schemas: schemas.size, tables: tables.size, failed: results.filter((r) => !r.ok).length }, 'table manager started');
  return { schemas: schemas.list(), tables: results, problems };
}
