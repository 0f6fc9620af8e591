import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetItemCommand, QueryCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { CommittedSegment } from '../ingest/cluster-hooks.js';
import { SEGMENT_FILE_SUFFIX } from '../segment/index.js';
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
    const { prefix } = this.ctx.deepStore;
    const key = `${table}/${segmentName}/${this.ctx.serverId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${randomBytes(6).toString('hex')}`;
    return prefix === '' ? key : `${prefix}/${key}`;
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

function committedOf(item: Record<string, AttributeValue>): CommittedItem {
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
  };
}
