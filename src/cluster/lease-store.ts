import { ConditionalCheckFailedException, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PartitionInfo } from '../spi/metadata-provider.js';

/** One item of `<prefix>-leases` (docs/cluster.md). */
export interface LeaseItem {
  readonly leaseKey: string;
  readonly table: string;
  readonly shardId: string;
  readonly partition: number;
  readonly leaseOwner: string | null;
  readonly leaseCounter: number;
  readonly parentShardIds: readonly string[];
  readonly finished: boolean;
  /** A server below its fair share asked the owner to hand this lease over at its next segment boundary. */
  readonly stealRequestedBy: string | null;
}

export function leaseKeyOf(table: string, shardId: string): string {
  return `${table}#${shardId}`;
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

/**
 * The conditional writes on `<prefix>-leases`, as the KCL makes them: every take, renewal and
 * release is conditioned on the counter the writer last saw (and on the owner for a holder's own
 * writes), and sets the next counter, so of two servers racing for a lease exactly one wins and a
 * holder whose lease was taken learns it at its next write.
 */
export class LeaseStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Creates the shard's lease (free, counter 0) unless it exists. */
  async ensure(table: string, partition: PartitionInfo): Promise<void> {
    await ifCondition(this.ddb.send(new PutItemCommand({
      TableName: this.tableName,
      Item: {
        leaseKey: S(leaseKeyOf(table, partition.shardId)),
        table: S(table),
        shardId: S(partition.shardId),
        partition: N(partition.partitionId),
        leaseCounter: N(0),
        parentShardIds: S(JSON.stringify(partition.parentShardIds)),
        finished: { BOOL: false },
      },
      ConditionExpression: 'attribute_not_exists(leaseKey)',
    })));
  }

  /** Every lease (a consistent, paged scan: the lease table has one item per shard). */
  async scan(): Promise<LeaseItem[]> {
    const items: LeaseItem[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.ddb.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) items.push(leaseOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Takes a free or expired lease last seen with `observed`; its new counter, or null when someone else wrote it first. */
  take(leaseKey: string, observed: number, me: string): Promise<number | null> {
    return this.update(leaseKey, 'SET leaseOwner = :me, leaseCounter = :next REMOVE stealRequestedBy', 'leaseCounter = :seen', { ':me': S(me), ':seen': N(observed) }, observed + 1);
  }

  /** Renews a held lease; its new counter, or null when the lease is no longer this server's (lost). */
  renew(leaseKey: string, held: number, me: string): Promise<number | null> {
    return this.update(leaseKey, 'SET leaseCounter = :next', 'leaseOwner = :me AND leaseCounter = :seen', { ':me': S(me), ':seen': N(held) }, held + 1);
  }

  /** Lets a held lease go (free for anyone at once); false when it was no longer this server's. */
  async release(leaseKey: string, held: number, me: string): Promise<boolean> {
    return (await this.update(leaseKey, 'SET leaseCounter = :next REMOVE leaseOwner, stealRequestedBy', 'leaseOwner = :me AND leaseCounter = :seen', { ':me': S(me), ':seen': N(held) }, held + 1)) !== null;
  }

  /** Asks `owner` to hand the lease over at its next segment boundary (the counter is not touched). */
  async requestSteal(leaseKey: string, owner: string, me: string): Promise<boolean> {
    const result = await ifCondition(this.ddb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { leaseKey: S(leaseKey) },
      UpdateExpression: 'SET stealRequestedBy = :me',
      ConditionExpression: 'leaseOwner = :owner AND attribute_not_exists(stealRequestedBy)',
      ExpressionAttributeValues: { ':me': S(me), ':owner': S(owner) },
    })));
    return result !== null;
  }

  /** Turns down a hand-over request (the owner would drop below the asker's share). */
  async clearSteal(leaseKey: string, me: string): Promise<void> {
    await ifCondition(this.ddb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { leaseKey: S(leaseKey) },
      UpdateExpression: 'REMOVE stealRequestedBy',
      ConditionExpression: 'leaseOwner = :me',
      ExpressionAttributeValues: { ':me': S(me) },
    })));
  }

  private async update(leaseKey: string, expression: string, condition: string, values: Record<string, AttributeValue>, next: number): Promise<number | null> {
    const result = await ifCondition(this.ddb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { leaseKey: S(leaseKey) },
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeValues: { ...values, ':next': N(next) },
    })));
    return result === null ? null : next;
  }
}

/** The write's result, or null when its condition failed. */
async function ifCondition<T>(write: Promise<T>): Promise<T | null> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return null;
    throw err;
  }
}

function leaseOf(item: Record<string, AttributeValue>): LeaseItem {
  return {
    leaseKey: item.leaseKey?.S ?? '',
    table: item.table?.S ?? '',
    shardId: item.shardId?.S ?? '',
    partition: Number(item.partition?.N ?? 0),
    leaseOwner: item.leaseOwner?.S ?? null,
    leaseCounter: Number(item.leaseCounter?.N ?? 0),
    parentShardIds: JSON.parse(item.parentShardIds?.S ?? '[]') as string[],
    finished: item.finished?.BOOL === true,
    stealRequestedBy: item.stealRequestedBy?.S ?? null,
  };
}
