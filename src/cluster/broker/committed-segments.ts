import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** How long one read of a table's committed segments is reused by later queries. */
const CACHE_MS = 1_000;

/**
 * The names of a table's committed sealed segments, from `<prefix>-segments` (hash key `table`,
 * range key `segmentName`; written by the commit side). A missing table means none are committed
 * yet (a cluster before its first commit, or a build without the commit side): an empty list.
 * Reads are reused for a second, so a burst of queries costs one DynamoDB query per table.
 */
export class CommittedSegments {
  private readonly cache = new Map<string, { atMs: number; names: Promise<string[]> }>();

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  names(tableName: string): Promise<string[]> {
    const now = Date.now();
    const hit = this.cache.get(tableName);
    if (hit !== undefined && now - hit.atMs < CACHE_MS) return hit.names;
    const names = this.read(tableName);
    this.cache.set(tableName, { atMs: now, names });
    names.catch(() => this.cache.delete(tableName));
    return names;
  }

  private async read(tableName: string): Promise<string[]> {
    const names: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const page = await this.dynamodb.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: '#t = :t',
            ExpressionAttributeNames: { '#t': 'table', '#s': 'segmentName', '#d': 'deleted' },
            ExpressionAttributeValues: { ':t': { S: tableName } },
            ProjectionExpression: '#s, #d',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        // A deleted segment's item kept for its shard's checkpoint (`deleted`) is not a segment to serve.
        for (const item of page.Items ?? []) if (item.segmentName?.S !== undefined && item.deleted?.BOOL !== true) names.push(item.segmentName.S);
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return [];
      throw err;
    }
    return names;
  }
}
