import type { Logger } from '../logger.js';
import type { TableManager } from '../table/index.js';
import { describeError } from '../util/describe-error.js';
import { scanCatalog } from './cluster-catalog.js';
import type { CatalogEntry } from './cluster-catalog.js';
import type { ClusterContext } from './cluster-context.js';

/**
 * Every few seconds, applies `<prefix>-tables` to this server (docs/cluster.md, "Shared catalog"):
 * creates the schemas, then the tables, it lacks; deletes the tables, then the schemas, marked
 * deleted there (locally: each such table's leases are released and its data dir dropped). Then
 * runs `afterPoll` (the committed-segment sync of the tables).
 *
 * A local table or schema is deleted only if it was here before the catalog was read: one created
 * through this server meanwhile is never mistaken for one deleted elsewhere. One here that the
 * catalog does not list at all (a data dir from before `--cluster`) is left alone.
 */
export class CatalogPoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Names whose creation or deletion failed, with the error, so a bad entry is logged once, not every poll. */
  private readonly failed = new Map<string, string>();

  constructor(
    private readonly ctx: ClusterContext,
    private readonly manager: TableManager,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly afterPoll: () => Promise<void> = async () => undefined,
  ) {}

  start(): void {
    const tick = (): void => {
      this.running = this.poll()
        .catch((err: unknown) => this.logger.warn({ err: describeError(err) }, `reading ${this.ctx.tables.tables} failed; retrying`))
        .then(() => (this.stopped ? undefined : this.afterPoll()))
        .catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'syncing the committed segments failed; retrying'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: schemas created first (a table needs its schema), then tables; deleted tables before their schemas. */
  async poll(): Promise<void> {
    const tablesBefore = new Set(this.manager.listTables());
    const schemasBefore = new Set(this.manager.listSchemas());
    const entries = await scanCatalog(this.ctx);
    const of = (kind: string, deleted: boolean): CatalogEntry[] => entries.filter((e) => e.kind === kind && e.deleted === deleted);
    for (const entry of of('schema', false)) {
      if (!this.manager.listSchemas().includes(entry.name)) await this.apply(entry, 'created', () => this.manager.addSchema(JSON.parse(entry.json!), { scope: 'local' }));
    }
    for (const entry of of('table', false)) {
      if (!this.manager.hasTable(entry.name)) await this.apply(entry, 'created', () => this.manager.addTable(JSON.parse(entry.json!), { scope: 'local' }));
    }
    for (const entry of of('table', true)) {
      if (tablesBefore.has(entry.name) && this.manager.hasTable(entry.name)) await this.apply(entry, 'deleted', () => this.manager.deleteTable(entry.name, { scope: 'local' }));
    }
    for (const entry of of('schema', true)) {
      if (schemasBefore.has(entry.name) && this.manager.listSchemas().includes(entry.name)) await this.apply(entry, 'deleted', () => this.manager.deleteSchema(entry.name, { scope: 'local' }));
    }
  }

  private async apply(entry: CatalogEntry, what: 'created' | 'deleted', change: () => Promise<unknown>): Promise<void> {
    if (this.stopped) return;
    const key = `${entry.kind}:${entry.name}`;
    try {
      await change();
      this.failed.delete(key);
      this.logger.info({ kind: entry.kind, name: entry.name }, `${what} from the cluster catalog`);
    } catch (err) {
      const message = describeError(err);
      if (this.failed.get(key) !== message) this.logger.warn({ kind: entry.kind, name: entry.name, err: message }, `could not be ${what} from the cluster catalog; will retry`);
      this.failed.set(key, message);
    }
  }
}
