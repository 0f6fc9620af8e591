import { DeleteItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ClusterContext } from './cluster-context.js';
import { segmentItemKey, tableS3Prefix } from './segment-store.js';

/** What {@link purgeTable} removed. */
export interface PurgeReport {
  readonly leases: number;
  readonly segmentItems: number;
  readonly s3Objects: number;
}

/**
 * Removes everything the cluster keeps of a table besides its catalog item: its lease items (a
 * server still running the table then fails its next renewal or commit: fenced, nothing more is
 * committed), its items in `<prefix>-segments` (tombstones included) and every S3 object under
 * `<prefix>/<table>/` (committed files and orphans of failed commits alike). Idempotent: run by the
 * server that took the delete, and again before a table of that name is created, so a re-create
 * starts clean even if a server committed something after the delete.
 */
export async function purgeTable(ctx: ClusterContext, table: string): Promise<PurgeReport> {
  let leases = 0;
  let segmentItems = 0;
  let s3Objects = 0;
  for await (const key of scanKeys(ctx, ctx.tables.leases, ['leaseKey'], table)) {
    await ctx.dynamodb.send(new DeleteItemCommand({ TableName: ctx.tables.leases, Key: key }));
    leases++;
  }
  for await (const name of segmentNamesOf(ctx, table)) {
    await ctx.dynamodb.send(new DeleteItemCommand({ TableName: ctx.tables.segments, Key: segmentItemKey(table, name) }));
    segmentItems++;
  }
  const prefix = tableS3Prefix(ctx.deepStore.prefix, table);
  let token: string | undefined;
  do {
    const page = await ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.deepStore.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
    if (keys.length > 0) {
      await ctx.s3.send(new DeleteObjectsCommand({ Bucket: ctx.deepStore.bucket, Delete: { Objects: keys, Quiet: true } }));
      s3Objects += keys.length;
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { leases, segmentItems, s3Objects };
}

/** The names of a table's items in `<prefix>-segments` (a query on its hash key, paged). */
async function* segmentNamesOf(ctx: ClusterContext, table: string): AsyncGenerator<string> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.dynamodb.send(new QueryCommand({
      TableName: ctx.tables.segments,
      ConsistentRead: true,
      KeyConditionExpression: '#t = :t',
      ProjectionExpression: '#s',
      ExpressionAttributeNames: { '#t': 'table', '#s': 'segmentName' },
      ExpressionAttributeValues: { ':t': { S: table } },
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    for (const item of page.Items ?? []) if (item.segmentName?.S !== undefined) yield item.segmentName.S;
    start = page.LastEvaluatedKey;
  } while (start);
}

/** The keys of a table's items (`table` attribute equal) in a table keyed otherwise, paged. */
async function* scanKeys(ctx: ClusterContext, tableName: string, keys: readonly string[], table: string): AsyncGenerator<Record<string, AttributeValue>> {
  let start: Record<string, AttributeValue> | undefined;
  const names = Object.fromEntries([['#t', 'table'], ...keys.map((k, i) => [`#k${i}`, k])]) as Record<string, string>;
  do {
    const page = await ctx.dynamodb.send(new ScanCommand({
      TableName: tableName,
      ConsistentRead: true,
      FilterExpression: '#t = :t',
      ProjectionExpression: keys.map((_, i) => `#k${i}`).join(', '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':t': { S: table } },
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    for (const item of page.Items ?? []) yield item;
    start = page.LastEvaluatedKey;
  } while (start);
}
