import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, QueryCommand, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { CommittedSegment } from '../ingest/cluster-hooks.js';
import { parseLlcSegmentName, SEGMENT_FILE_SUFFIX } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import type { ClusterContext } from './cluster-context.js';

/** An item of `<prefix>-segments` (docs/cluster.md). */
export interface CommittedItem extends CommittedSegment {
  readonly s3Key: string;
  readonly numDocs: number;
  readonly sizeBytes: number;
}

/** The lease a commit is fenced by: its key and the counter of the holder's latest successful write. */
export interface FencingLease {
  readonly leaseKey: string;
  readonly counter: number;
}

export type CommitOutcome = 'committed' | 'alreadyCommitted' | 'fenced';

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

/**
 * The deep store (S3) and the segment metadata (`<prefix>-segments`). A segment is committed by
 * uploading its file, then one transactional write: the metadata item (which must not exist) and
 * a condition on the shard's lease (`leaseOwner` = this server and `leaseCounter` = the counter it
 * holds). The end-of-shard segment's write also marks the lease `finished` (an update with the
 * same condition, since one transaction cannot name the lease twice).
 */
export class SegmentStore {
  constructor(private readonly ctx: ClusterContext) {}

  /**
   * `<prefix>/<table>/<segmentName>/<serverId>-<random>`: one key per upload, so that two files of
   * one name (a fenced server's and the new holder's, sealed in the same minute at the same LLC
   * sequence) never overwrite each other; the committed item names the one that counts.
   */
  s3KeyOf(table: string, segmentName: string): string {
    return `${tableS3Prefix(this.ctx.deepStore.prefix, table)}${segmentName}/${this.ctx.serverId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${randomBytes(6).toString('hex')}`;
  }

  /** Uploads the segment's file under a key of its own; returns the key. */
  async upload(segment: SealedSegment): Promise<string> {
    const { tableName, segmentName } = segment.metadata;
    const key = this.s3KeyOf(tableName, segmentName);
    await this.ctx.s3.send(new PutObjectCommand({ Bucket: this.ctx.deepStore.bucket, Key: key, Body: await readFile(segment.path) }));
    return key;
  }

  /** Removes an upload whose commit failed (best effort: an orphan object is harmless, only unused). */
  async deleteUpload(s3Key: string): Promise<void> {
    await this.ctx.s3.send(new DeleteObjectCommand({ Bucket: this.ctx.deepStore.bucket, Key: s3Key })).catch(() => undefined);
  }

  async commit(segment: SealedSegment, s3Key: string, lease: FencingLease): Promise<CommitOutcome> {
    const m = segment.metadata;
    const { serverId } = this.ctx;
    const item: Record<string, AttributeValue> = {
      table: S(m.tableName),
      segmentName: S(m.segmentName),
      s3Key: S(s3Key),
      partition: N(m.partitionId),
      shardId: S(m.shardId),
      numDocs: N(m.numDocs),
      sizeBytes: N(m.sizeBytes),
      endOfShard: { BOOL: m.endOfShard },
      leaseCounter: N(lease.counter),
      serverId: S(serverId),
      committedAtMs: N(Date.now()),
      ...(m.startOffset !== null ? { startOffset: S(m.startOffset) } : {}),
      ...(m.endOffset !== null ? { endOffset: S(m.endOffset) } : {}),
    };
    const fence = {
      TableName: this.ctx.tables.leases,
      Key: { leaseKey: S(lease.leaseKey) },
      ConditionExpression: 'leaseOwner = :me AND leaseCounter = :held',
      ExpressionAttributeValues: { ':me': S(serverId), ':held': N(lease.counter) },
    };
    const leaseOp: TransactWriteItem = m.endOfShard
      ? { Update: { ...fence, UpdateExpression: 'SET finished = :done', ExpressionAttributeValues: { ...fence.ExpressionAttributeValues, ':done': { BOOL: true } } } }
      : { ConditionCheck: fence };
    try {
      await this.ctx.dynamodb.send(new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: this.ctx.tables.segments, Item: item, ConditionExpression: 'attribute_not_exists(segmentName)' } }, leaseOp],
      }));
      return 'committed';
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const [put, held] = (err.CancellationReasons ?? []).map((r) => r.Code);
      if (held === 'ConditionalCheckFailed') return 'fenced';
      // The item exists and the lease is still ours: an earlier attempt whose answer was lost
      // committed it — or another segment has this name, which must never pass for a commit.
      if (put === 'ConditionalCheckFailed') {
        const existing = await this.ctx.dynamodb.send(new GetItemCommand({ TableName: this.ctx.tables.segments, Key: { table: S(m.tableName), segmentName: S(m.segmentName) }, ConsistentRead: true }));
        const same = existing.Item?.serverId?.S === serverId && existing.Item?.endOffset?.S === item.endOffset?.S && existing.Item?.startOffset?.S === item.startOffset?.S;
        if (same) return 'alreadyCommitted';
        throw new Error(`segment ${m.segmentName} of table ${m.tableName} is already committed with other rows (by ${existing.Item?.serverId?.S ?? 'unknown'}); not committed again`);
      }
      throw err;
    }
  }

  /**
   * Deletes committed segments (docs/cluster.md, "Deleting segments"): for each name committed and
   * not yet deleted, its item goes (conditioned on the `s3Key` read, so only that commit is
   * removed), except the item of its shard's latest segment (highest LLC sequence, deleted ones
   * included), which stays marked `deleted` so the shard's checkpoint and next sequence survive;
   * then its S3 object. Marks no longer the latest of their shard are removed. Answers the names deleted.
   */
  async deleteCommitted(table: string, names: readonly string[]): Promise<string[]> {
    const all = await this.listCommitted(table);
    const byName = new Map(all.map((c) => [c.segmentName, c]));
    const latest = latestOfShards(all);
    const deleted: string[] = [];
    for (const name of new Set(names)) {
      const item = byName.get(name);
      if (item === undefined || item.deleted) continue;
      const ok = latest.get(item.shardId) === name ? await this.markDeleted(table, item) : await this.deleteItem(table, name, 's3Key = :k', { ':k': S(item.s3Key) });
      if (!ok) continue;
      await this.deleteUpload(item.s3Key);
      deleted.push(name);
    }
    // Marks that a later segment of their shard has superseded carry nothing any more.
    for (const c of all) if (c.deleted && latest.get(c.shardId) !== c.segmentName) await this.deleteItem(table, c.segmentName, 'deleted = :yes', { ':yes': { BOOL: true } });
    return deleted;
  }

  private async markDeleted(table: string, item: CommittedItem): Promise<boolean> {
    return conditional(this.ctx.dynamodb.send(new UpdateItemCommand({
      TableName: this.ctx.tables.segments,
      Key: segmentItemKey(table, item.segmentName),
      UpdateExpression: 'SET deleted = :yes, deletedAtMs = :now',
      ConditionExpression: 's3Key = :k AND attribute_not_exists(deleted)',
      ExpressionAttributeValues: { ':yes': { BOOL: true }, ':now': N(Date.now()), ':k': S(item.s3Key) },
    })));
  }

  private async deleteItem(table: string, segmentName: string, condition: string, values: Record<string, AttributeValue>): Promise<boolean> {
    return conditional(this.ctx.dynamodb.send(new DeleteItemCommand({ TableName: this.ctx.tables.segments, Key: segmentItemKey(table, segmentName), ConditionExpression: condition, ExpressionAttributeValues: values })));
  }

  /**
   * Every committed segment of the table (a consistent, paged query on its partition key), or with
   * `partitionId` those of one partition only: its LLC names' prefix `<table>__<partitionId>__`
   * on the range key, so a lease take reads its shard's items, not the whole table's history.
   */
  async listCommitted(table: string, partitionId?: number): Promise<CommittedItem[]> {
    const items: CommittedItem[] = [];
    const onePartition = partitionId !== undefined;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.ctx.dynamodb.send(new QueryCommand({
        TableName: this.ctx.tables.segments,
        KeyConditionExpression: onePartition ? '#t = :t AND begins_with(#n, :p)' : '#t = :t',
        ExpressionAttributeNames: { '#t': 'table', ...(onePartition ? { '#n': 'segmentName' } : {}) },
        ExpressionAttributeValues: { ':t': S(table), ...(onePartition ? { ':p': S(`${table}__${partitionId}__`) } : {}) },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const item of page.Items ?? []) items.push(committedOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Puts a committed segment's file into `tableDir` (temp file, then rename: a crash leaves no half file under the real name). */
  async download(item: CommittedItem, tableDir: string): Promise<void> {
    const answer = await this.ctx.s3.send(new GetObjectCommand({ Bucket: this.ctx.deepStore.bucket, Key: item.s3Key }));
    const bytes = await answer.Body!.transformToByteArray();
    await mkdir(tableDir, { recursive: true });
    const path = join(tableDir, item.segmentName + SEGMENT_FILE_SUFFIX);
    await writeFile(`${path}.download`, bytes);
    await rename(`${path}.download`, path);
  }
}

/** Per shard, the name of its segment with the highest LLC sequence (deleted ones included): the one holding its checkpoint. */
export function latestOfShards(items: readonly CommittedSegment[]): Map<string, string> {
  const best = new Map<string, { name: string; sequence: number }>();
  for (const c of items) {
    const sequence = parseLlcSegmentName(c.segmentName)?.sequence ?? -1;
    const previous = best.get(c.shardId);
    if (previous === undefined || sequence > previous.sequence) best.set(c.shardId, { name: c.segmentName, sequence });
  }
  return new Map([...best].map(([shardId, b]) => [shardId, b.name]));
}

/** True when the write happened; false when its condition failed (another server changed the item first). */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** Where a table's objects live in the deep store: `<prefix>/<table>/` (with its trailing slash, so `t` never names `t2`'s). */
export function tableS3Prefix(prefix: string, table: string): string {
  return prefix === '' ? `${table}/` : `${prefix}/${table}/`;
}

/** The key of a segment's item in `<prefix>-segments`. */
export function segmentItemKey(table: string, segmentName: string): Record<string, AttributeValue> {
  return { table: S(table), segmentName: S(segmentName) };
}

export function committedOf(item: Record<string, AttributeValue>): CommittedItem {
  return {
    segmentName: item.segmentName?.S ?? '',
    shardId: item.shardId?.S ?? '',
    partitionId: Number(item.partition?.N ?? 0),
    startOffset: item.startOffset?.S ?? null,
    endOffset: item.endOffset?.S ?? null,
    endOfShard: item.endOfShard?.BOOL === true,
    s3Key: item.s3Key?.S ?? '',
    numDocs: Number(item.numDocs?.N ?? 0),
    sizeBytes: Number(item.sizeBytes?.N ?? 0),
    deleted: item.deleted?.BOOL === true,
  };
}
