import { CreateTableCommand, DeleteItemCommand, DescribeTableCommand, PutItemCommand, ScanCommand, UpdateItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../../logger.js';
import { LivenessTracker } from './liveness.js';
import type { ServerRecord } from './liveness.js';

export const DEFAULT_HEARTBEAT_MS = 1_000;
export const DEFAULT_MEMBERSHIP_TIMEOUT_MS = 6_000;
/** An item whose counter has not moved for this many membership timeouts is deleted (its server is long gone). */
const FORGET_AFTER_TIMEOUTS = 10;

export interface MembershipOptions {
  readonly dynamodb: DynamoDBClient;
  /** The `<prefix>-servers` table. */
  readonly table: string;
  readonly serverId: string;
  readonly url: string;
  readonly logger?: Logger;
  /** How often this server bumps its counter and re-reads the table (default 1 s). */
  readonly heartbeatMs?: number;
  /** A server whose counter is unchanged this long is gone (default 6 s). */
  readonly timeoutMs?: number;
}

function errorName(err: unknown): string {
  return (err as { name?: string } | null)?.name ?? '';
}

/** Creates the servers table (key `serverId`, on-demand) unless it exists, and waits until it is active. */
export async function ensureServersTable(dynamodb: DynamoDBClient, table: string): Promise<void> {
  try {
    const d = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    if (d.Table?.TableStatus === 'ACTIVE') return;
  } catch (err) {
    if (errorName(err) !== 'ResourceNotFoundException') throw err;
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'serverId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'serverId', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (createErr) {
      // Another server created it first.
      if (errorName(createErr) !== 'ResourceInUseException') throw createErr;
    }
  }
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: table });
}

function recordOf(item: Record<string, AttributeValue>): ServerRecord | null {
  const serverId = item.serverId?.S;
  const url = item.url?.S;
  const counter = Number(item.heartbeatCounter?.N);
  if (serverId === undefined || url === undefined || !Number.isFinite(counter)) return null;
  return { serverId, url, heartbeatCounter: counter, startedAtMs: Number(item.startedAtMs?.N ?? 0) };
}

/**
 * This server's membership in the cluster (`<prefix>-servers`): registers `{serverId, url,
 * heartbeatCounter, startedAtMs}`, bumps the counter every heartbeat, re-reads the table as often
 * and judges who is alive with a `LivenessTracker` (counter unchanged for the timeout = gone).
 * `close()` deletes this server's item (a graceful leave is seen at the next read). Errors of
 * DynamoDB are logged and retried at the next heartbeat; the last view stays in use meanwhile.
 */
export class Membership {
  private readonly tracker: LivenessTracker;
  private readonly heartbeatMs: number;
  private readonly timeoutMs: number;
  private readonly startedAtMs = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private closed = false;
  private failing = false;

  constructor(private readonly options: MembershipOptions) {
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_MEMBERSHIP_TIMEOUT_MS;
    this.tracker = new LivenessTracker(this.timeoutMs);
  }

  get serverId(): string {
    return this.options.serverId;
  }

  /** Creates the table when missing, registers this server, reads the table once and starts the heartbeat. */
  async start(): Promise<void> {
    const { dynamodb, table, serverId, url } = this.options;
    await ensureServersTable(dynamodb, table);
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: { serverId: { S: serverId }, url: { S: url }, heartbeatCounter: { N: '0' }, startedAtMs: { N: String(this.startedAtMs) } },
      }),
    );
    await this.refresh();
    this.schedule();
  }

  /** The servers alive now (this one always among them), by server id. */
  liveServers(): ServerRecord[] {
    const live = this.tracker.live(Date.now()).filter((s) => s.serverId !== this.options.serverId);
    live.push({ serverId: this.options.serverId, url: this.options.url, heartbeatCounter: -1, startedAtMs: this.startedAtMs });
    return live.sort((a, b) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0));
  }

  /** Stops the heartbeat and deletes this server's item. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.ticking;
    try {
      await this.options.dynamodb.send(new DeleteItemCommand({ TableName: this.options.table, Key: { serverId: { S: this.options.serverId } } }));
    } catch (err) {
      this.options.logger?.warn({ err: (err as Error).message }, 'cluster membership: could not deregister');
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, this.heartbeatMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const { dynamodb, table, serverId, url, logger } = this.options;
    try {
      // ADD creates the item again if someone deleted it.
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { serverId: { S: serverId } },
          UpdateExpression: 'ADD heartbeatCounter :one SET #url = :url, startedAtMs = :started',
          ExpressionAttributeNames: { '#url': 'url' },
          ExpressionAttributeValues: { ':one': { N: '1' }, ':url': { S: url }, ':started': { N: String(this.startedAtMs) } },
        }),
      );
      await this.refresh();
      await this.forgetLongGone();
      if (this.failing) logger?.info('cluster membership: heartbeats written again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) logger?.warn({ err: (err as Error).message, table }, 'cluster membership: heartbeat failed; retrying every heartbeat');
      this.failing = true;
    }
  }

  private async refresh(): Promise<void> {
    const records: ServerRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.options.dynamodb.send(new ScanCommand({ TableName: this.options.table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) {
        const r = recordOf(item);
        if (r !== null) records.push(r);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    this.tracker.observe(records, Date.now());
  }

  /** Deletes the items of servers silent for many timeouts, only if their counter is still the one seen. */
  private async forgetLongGone(): Promise<void> {
    for (const r of this.tracker.silentFor(this.timeoutMs * FORGET_AFTER_TIMEOUTS, Date.now())) {
      if (r.serverId === this.options.serverId) continue;
      try {
        await this.options.dynamodb.send(
          new DeleteItemCommand({
            TableName: this.options.table,
            Key: { serverId: { S: r.serverId } },
            ConditionExpression: 'heartbeatCounter = :seen',
            ExpressionAttributeValues: { ':seen': { N: String(r.heartbeatCounter) } },
          }),
        );
      } catch (err) {
        if (errorName(err) !== 'ConditionalCheckFailedException') throw err;
      }
    }
  }
}
