import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { validateTableConfig } from '../../src/config/index.js';
import type { TableSchema } from '../../src/config/index.js';
import { resolveTable } from '../../src/table/table-resolution.js';
import { streamValidationOptions } from '../../src/plugins/stream/registry.js';
import { TableIngestion } from '../../src/ingest/index.js';
import type { TableIngestionOptions } from '../../src/ingest/index.js';
import { silentLogger } from '../../src/logger.js';

/**
 * TEST ONLY. The `TableIngestion` runtimes of one test and their temporary table folders, stopped
 * and removed after each test.
 */
export interface TableRuntimes {
  /** The temporary folders made for the current test, oldest first (a restart reuses `dirs[0]`). */
  readonly dirs: readonly string[];
  /** A new temporary folder `<prefix><random>`, removed after the test. */
  tempDir(prefix?: string): Promise<string>;
  /**
   * Validates `config` against `schema` and starts a runtime in `tableDir` (default: a new
   * temporary folder). The runtime is stopped after the test, even if it was stopped already.
   */
  start(opts: StartOptions): Promise<TableIngestion>;
}

export type StartOptions = Omit<TableIngestionOptions, 'table' | 'tableDir' | 'logger'> & {
  readonly schema: TableSchema;
  /** Table config JSON, e.g. from `emulatorTableConfig`. */
  readonly config: Record<string, unknown>;
  readonly tableDir?: string;
  /** Default: silent. */
  readonly logger?: TableIngestionOptions['logger'];
};

/**
 * Registers an `afterEach` in the enclosing `describe` block that stops every runtime started
 * through the handle, then removes its temporary folders. Hooks registered after this one run
 * before it (vitest runs after-hooks as a stack), so register anything that must outlive the
 * runtimes (a proxy they read through) first.
 *
 * @example
 *   const tables = withTableRuntimes('shardtable-ingest-');
 *   it('reads', async () => { const runtime = await tables.start({ schema, config }); ... });
 */
export function withTableRuntimes(prefix: string): TableRuntimes {
  const runtimes: TableIngestion[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.stop()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  const tempDir = async (dirPrefix = prefix): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), dirPrefix));
    dirs.push(dir);
    return dir;
  };
  return {
    dirs,
    tempDir,
    async start({ schema, config, tableDir, logger, ...rest }) {
      const runtime = new TableIngestion({
        ...rest,
        table: resolveTable(schema, validateTableConfig(config, schema, streamValidationOptions())),
        tableDir: tableDir ?? (await tempDir()),
        logger: logger ?? silentLogger(),
      });
      runtimes.push(runtime);
      await runtime.start();
      return runtime;
    },
  };
}
