import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { tableIdentity } from '../config/table-config-validation.js';
import { ShardtableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Catalog } from '../table/index.js';
import type { CatalogScope } from '../table/index.js';
import { describeError } from '../util/describe-error.js';
import type { ClusterContext } from './cluster-context.js';
import { refuseUnsupportedInCluster } from './cluster-unsupported.js';
import { purgeTable } from './table-purge.js';

export type CatalogKind = 'schema' | 'table';

/** An item of `<prefix>-tables`: a live config (`json`), or the mark a delete leaves (`deleted`). */
export interface CatalogEntry {
  readonly kind: string;
  readonly name: string;
  /** The config as a JSON string; null for a deleted one. */
  readonly json: string | null;
  readonly deleted: boolean;
}

const S = (value: string): AttributeValue => ({ S: value });

/**
 * The local catalog, with every schema and table config also written to `<prefix>-tables`
 * (docs/cluster.md, "Shared catalog"): a table created through any server is seen by all, and a
 * delete through any server leaves a mark (`deleted`) that every server's poll applies locally.
 * Changes in scope `'local'` are a server applying the shared catalog: its disk only.
 */
export class ClusterCatalog extends Catalog {
  constructor(dataDir: string, private readonly ctx: ClusterContext, private readonly logger: Logger) {
    super(dataDir);
  }

  override async putSchema(name: string, json: unknown, scope: CatalogScope = 'cluster'): Promise<void> {
    await super.putSchema(name, json);
    if (scope === 'cluster') await this.put('schema', name, json);
  }

  override async putTable(name: string, json: unknown): Promise<void> {
    refuseUnsupportedInCluster(json);
    await super.putTable(name, json);
    await this.put('table', name, json);
  }

  /**
   * A new table: refused (409) when the cluster already has a live table of that name that this
   * server has not picked up yet, and what a deleted table of that name left (leases, committed
   * segments, S3 objects) is purged first, so it starts clean.
   */
  override async createTable(name: string, json: unknown, scope: CatalogScope = 'cluster'): Promise<void> {
    refuseUnsupportedInCluster(json);
    if (scope === 'local') return super.putTable(name, json);
    const existing = await this.get('table', name);
    if (existing !== null && !existing.deleted) throw new ShardtableError('TABLE_EXISTS', { name: `${name}_REALTIME` });
    await purgeTable(this.ctx, name);
    await super.putTable(name, json);
    try {
      // Only over a deleted mark or nothing: of two servers creating the name at once, one wins.
      await this.put('table', name, json, 'attribute_not_exists(#n) OR deleted = :yes');
    } catch (err) {
      await super.deleteTable(name);
      if (err instanceof ConditionalCheckFailedException) throw new ShardtableError('TABLE_EXISTS', { name: `${name}_REALTIME` });
      throw err;
    }
  }

  /** Refused (409) while a table anywhere in the cluster uses the schema; then deleted here and marked deleted for the others. */
  override async deleteSchema(name: string, scope: CatalogScope = 'cluster'): Promise<void> {
    if (scope === 'cluster') {
      const user = (await scanCatalog(this.ctx)).find((e) => e.kind === 'table' && !e.deleted && schemaCandidatesOf(e).includes(name));
      if (user) throw new ShardtableError('SCHEMA_IN_USE', { name, table: user.name });
    }
    await super.deleteSchema(name);
    if (scope === 'cluster') await this.markDeleted('schema', name);
  }

  /**
   * Deleted here, then marked deleted for the others (each drops its copy at its next poll), then
   * the table's leases, committed segments and S3 objects are removed. A purge that fails is
   * logged, not raised: the table is deleted, and a re-create purges again first.
   */
  override async deleteTable(name: string, scope: CatalogScope = 'cluster'): Promise<void> {
    await super.deleteTable(name);
    if (scope === 'local') return;
    await this.markDeleted('table', name);
    try {
      const report = await purgeTable(this.ctx, name);
      this.logger.info({ table: name, ...report }, 'table deleted from the cluster: leases, committed segments and deep-store objects removed');
    } catch (err) {
      this.logger.warn({ table: name, err: describeError(err) }, 'table deleted, but removing its leases, committed segments or deep-store objects failed; a table created again under this name removes them first');
    }
  }

  private async put(kind: CatalogKind, name: string, json: unknown, condition?: string): Promise<void> {
    await this.ctx.dynamodb.send(new PutItemCommand({
      TableName: this.ctx.tables.tables,
      Item: { kind: S(kind), name: S(name), json: S(JSON.stringify(json)), updatedAtMs: { N: String(Date.now()) } },
      ...(condition !== undefined ? { ConditionExpression: condition, ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':yes': { BOOL: true } } } : {}),
    }));
  }

  private async markDeleted(kind: CatalogKind, name: string): Promise<void> {
    await this.ctx.dynamodb.send(new PutItemCommand({
      TableName: this.ctx.tables.tables,
      Item: { kind: S(kind), name: S(name), deleted: { BOOL: true }, updatedAtMs: { N: String(Date.now()) } },
    }));
  }

  private async get(kind: CatalogKind, name: string): Promise<CatalogEntry | null> {
    const answer = await this.ctx.dynamodb.send(new GetItemCommand({ TableName: this.ctx.tables.tables, Key: { kind: S(kind), name: S(name) }, ConsistentRead: true }));
    return answer.Item ? entryOf(answer.Item) : null;
  }
}

/** The names a table config's schema may have (its `schemaName`, else the table's name). */
export function schemaCandidatesOf(entry: CatalogEntry): string[] {
  try {
    return tableIdentity(JSON.parse(entry.json ?? 'null')).schemaCandidates;
  } catch {
    return [];
  }
}

/** Every item of `<prefix>-tables` (a consistent, paged scan). */
export async function scanCatalog(ctx: ClusterContext): Promise<CatalogEntry[]> {
  const out: CatalogEntry[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.dynamodb.send(new ScanCommand({ TableName: ctx.tables.tables, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) out.push(entryOf(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

function entryOf(item: Record<string, AttributeValue>): CatalogEntry {
  const deleted = item.deleted?.BOOL === true;
  return { kind: item.kind?.S ?? '', name: item.name?.S ?? '', json: deleted ? null : (item.json?.S ?? 'null'), deleted };
}
