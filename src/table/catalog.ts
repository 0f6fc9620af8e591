import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from '../util/atomic-file.js';
import type { AtomicWriteOptions } from '../util/atomic-file.js';
import { storageError } from './storage-error.js';

/** Folder under the data dir that holds the catalog; never a table name (names start with a letter or digit). */
export const CATALOG_DIR = '_catalog';

/** A catalog file that could not be read; reported by `load()`, never fatal. */
export interface CatalogProblem {
  readonly path: string;
  readonly error: string;
}

/** Everything the catalog holds, as loaded from disk. */
export interface CatalogContents {
  /** Schema JSON by schema name. */
  readonly schemas: Map<string, unknown>;
  /** Table config JSON (as posted, secrets included) by raw table name. */
  readonly tables: Map<string, unknown>;
  /** Raw names of tables whose consumption is paused. */
  readonly paused: Set<string>;
  /** The pause flag file of each paused table (`{paused, sinceMs, reasonCode, comment, timestamp}`). */
  readonly pauseFiles: Map<string, unknown>;
  /** Raw names of disabled tables. */
  readonly disabled: Set<string>;
  readonly problems: CatalogProblem[];
}

type Kind = 'schemas' | 'tables' | 'paused' | 'disabled';

/**
 * Where a catalog change goes: `'cluster'` (a request to this server: also the cluster's shared
 * catalog, when there is one) or `'local'` (this server applying what the shared catalog says:
 * its own disk only). A lone server's catalog has only its disk and ignores it.
 */
export type CatalogScope = 'cluster' | 'local';

/** What a catalog file holds, for error messages. */
const WHAT: Record<Kind, string> = { schemas: 'schema', tables: 'table config', paused: 'pause flag of table', disabled: 'disabled flag of table' };

/** How the catalog writes a file: {@link writeFileAtomic}, or a stand-in (tests: a disk that is full). */
export type CatalogWriter = (path: string, data: string, options: AtomicWriteOptions) => Promise<void>;

/**
 * Persists schemas and table configs as JSON files under `<dataDir>/_catalog/`:
 * `schemas/<name>.json`, `tables/<name>.json`, `paused/<name>.json` and `disabled/<name>.json`. Every write is a
 * temporary file, fsync, rename, fsync of the directory, so a crash leaves the old or the new
 * file, never half of one. Files are mode 0600: table configs hold the user's credentials.
 *
 * A write or delete that the file system refuses (disk full, read-only, permissions) throws
 * `STORAGE_FAILED` (ST026) naming the file and the reason (`ENOSPC: no space left on device`),
 * and leaves the previous file in place.
 *
 * The catalog only stores; validation and the in-memory registry belong to the table manager.
 *
 * @example
 *   const catalog = new Catalog('/var/shardtable');
 *   await catalog.putSchema('events', schemaJson);
 *   const { schemas, tables } = await catalog.load();
 */
export class Catalog {
  readonly dataDir: string;
  readonly root: string;

  private readonly writeFile: CatalogWriter;

  constructor(dataDir: string, options: { writeFile?: CatalogWriter } = {}) {
    this.dataDir = dataDir;
    this.root = join(dataDir, CATALOG_DIR);
    this.writeFile = options.writeFile ?? writeFileAtomic;
  }

  /** The data directory of a table: `<dataDir>/<tableName>/`. */
  tableDir(tableName: string): string {
    return join(this.dataDir, tableName);
  }

  /** Reads every catalog file. Unreadable or corrupt files are reported in `problems` and skipped. */
  async load(): Promise<CatalogContents> {
    const problems: CatalogProblem[] = [];
    const schemas = await this.readAll('schemas', problems);
    const tables = await this.readAll('tables', problems);
    const pauseFiles = await this.readAll('paused', problems);
    const paused = new Set(pauseFiles.keys());
    const disabled = new Set((await this.readAll('disabled', problems)).keys());
    return { schemas, tables, paused, pauseFiles, disabled, problems };
  }

  putSchema(name: string, json: unknown, _scope: CatalogScope = 'cluster'): Promise<void> {
    return this.write('schemas', name, json);
  }

  deleteSchema(name: string, _scope: CatalogScope = 'cluster'): Promise<void> {
    return this.remove('schemas', name);
  }

  putTable(name: string, json: unknown): Promise<void> {
    return this.write('tables', name, json);
  }

  /** A new table's config (`putTable` here; a cluster's catalog also checks the name is free cluster-wide and starts it clean). */
  createTable(name: string, json: unknown, _scope: CatalogScope = 'cluster'): Promise<void> {
    return this.putTable(name, json);
  }

  /** Removes the table's config and its paused and disabled flags. */
  async deleteTable(name: string, _scope: CatalogScope = 'cluster'): Promise<void> {
    await this.remove('tables', name);
    await this.remove('paused', name);
    await this.remove('disabled', name);
  }

  /** Records whether a table is disabled, so a restart keeps it so. */
  setDisabled(name: string, disabled: boolean): Promise<void> {
    return disabled ? this.write('disabled', name, { disabled: true, sinceMs: Date.now() }) : this.remove('disabled', name);
  }

  /**
   * Records whether a table's consumption is paused, so a restart keeps it paused, with Pinot's
   * pause state (reason, comment, timestamp) when given.
   */
  setPaused(name: string, paused: boolean, state: { reasonCode: string; comment: string | null; timestamp: string } | null = null): Promise<void> {
    return paused ? this.write('paused', name, { paused: true, sinceMs: Date.now(), ...(state ?? {}) }) : this.remove('paused', name);
  }

  private dir(kind: Kind): string {
    return join(this.root, kind);
  }

  private async readAll(kind: Kind, problems: CatalogProblem[]): Promise<Map<string, unknown>> {
    const dir = this.dir(kind);
    const out = new Map<string, unknown>();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw error;
    }
    for (const file of names.sort()) {
      const path = join(dir, file);
      if (file.includes('.tmp-')) {
        // A write that crashed before its rename; the previous file (if any) is still intact.
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (!file.endsWith('.json')) continue;
      try {
        out.set(file.slice(0, -'.json'.length), JSON.parse(await readFile(path, 'utf8')) as unknown);
      } catch (error) {
        problems.push({ path, error: (error as Error).message });
      }
    }
    return out;
  }

  private async write(kind: Kind, name: string, json: unknown): Promise<void> {
    const dir = this.dir(kind);
    const target = join(dir, `${name}.json`);
    const tmpPath = join(dir, `${name}.json.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.writeFile(target, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600, tmpPath });
    } catch (error) {
      throw storageError(error, { action: 'save', what: `${WHAT[kind]} ${name}`, path: target, dataDir: this.dataDir });
    }
  }

  private async remove(kind: Kind, name: string): Promise<void> {
    const dir = this.dir(kind);
    const target = join(dir, `${name}.json`);
    try {
      await unlink(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw storageError(error, { action: 'delete', what: `${WHAT[kind]} ${name}`, path: target, dataDir: this.dataDir });
    }
    await fsyncDir(dir).catch((error: unknown) => {
      throw storageError(error, { action: 'delete', what: `${WHAT[kind]} ${name}`, path: target, dataDir: this.dataDir });
    });
  }
}
