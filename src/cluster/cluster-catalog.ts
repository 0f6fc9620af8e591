import { DeleteItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../logger.js';
import { Catalog } from '../table/index.js';
import type { TableManager } from '../table/index.js';
import { describeError } from '../util/describe-error.js';
import type { ClusterContext } from './cluster-context.js';

type Kind = 'schema' | 'table';

/**
 * The local catalog, with every schema and table config also written to `<prefix>-tables`
 * (docs/cluster.md, "Shared catalog"): a table created through any server is seen by all.
 */
export class ClusterCatalog extends Catalog {
  constructor(dataDir: string, private readonly ctx: ClusterContext) {
    super(dataDir);
  }

  override async putSchema(name: string, json: unknown): Promise<void> {
    await super.putSchema(name, json);
    await this.put('schema', name, json);
  }

  override async putTable(name: string, json: unknown): Promise<void> {
    await super.putTable(name, json);
    await this.put('table', name, json);
  }

  override async deleteSchema(name: string): Promise<void> {
    await super.deleteSchema(name);
    await this.ctx.dynamodb.send(new DeleteItemCommand({ TableName: this.ctx.tables.tables, Key: { kind: { S: 'schema' }, name: { S: name } } }));
  }

  override async deleteTable(name: string): Promise<void> {
    await super.deleteTable(name);
    await this.ctx.dynamodb.send(new DeleteItemCommand({ TableName: this.ctx.tables.tables, Key: { kind: { S: 'table' }, name: { S: name } } }));
  }

  private async put(kind: Kind, name: string, json: unknown): Promise<void> {
    await this.ctx.dynamodb.send(new PutItemCommand({
      TableName: this.ctx.tables.tables,
      Item: { kind: { S: kind }, name: { S: name }, json: { S: JSON.stringify(json) }, updatedAtMs: { N: String(Date.now()) } },
    }));
  }
}

/** Every few seconds: creates the schemas and tables `<prefix>-tables` lists that this server lacks. */
export class CatalogPoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Names whose creation failed, with the error, so a bad entry is logged once, not every poll. */
  private readonly failed = new Map<string, string>();

  constructor(private readonly ctx: ClusterContext, private readonly manager: TableManager, private readonly intervalMs: number, private readonly logger: Logger) {}

  start(): void {
    const tick = (): void => {
      this.running = this.poll()
        .catch((err: unknown) => this.logger.warn({ err: describeError(err) }, `reading ${this.ctx.tables.tables} failed; retrying`))
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

  /** One pass: schemas first (a table needs its schema), then tables. */
  async poll(): Promise<void> {
    const entries = await this.scan();
    const schemas = new Set(this.manager.listSchemas());
    for (const kind of ['schema', 'table'] as const) {
      for (const entry of entries.filter((e) => e.kind === kind)) {
        if (this.stopped) return;
        if (kind === 'schema' ? schemas.has(entry.name) : this.manager.hasTable(entry.name)) continue;
        try {
          const json: unknown = JSON.parse(entry.json);
          if (kind === 'schema') await this.manager.addSchema(json);
          else await this.manager.addTable(json);
          this.failed.delete(`${kind}:${entry.name}`);
          this.logger.info({ kind, name: entry.name }, 'created from the cluster catalog');
        } catch (err) {
          const message = describeError(err);
          if (this.failed.get(`${kind}:${entry.name}`) !== message) this.logger.warn({ kind, name: entry.name, err: message }, 'could not create from the cluster catalog; will retry');
          this.failed.set(`${kind}:${entry.name}`, message);
        }
      }
    }
  }

  private async scan(): Promise<{ kind: string; name: string; json: string }[]> {
    const out: { kind: string; name: string; json: string }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.ctx.dynamodb.send(new ScanCommand({ TableName: this.ctx.tables.tables, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) out.push({ kind: item.kind?.S ?? '', name: item.name?.S ?? '', json: item.json?.S ?? 'null' });
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
