import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterContext } from '../../src/cluster/cluster-context.js';
import type { ClusterContext } from '../../src/cluster/cluster-context.js';
import { checkDeepStoreBucket, ensureClusterTables } from '../../src/cluster/cluster-tables.js';
import { LeaseStore, leaseKeyOf } from '../../src/cluster/lease-store.js';
import { SegmentStore } from '../../src/cluster/segment-store.js';
import type { SealedSegment } from '../../src/segment/index.js';
import { withMoto } from '../helpers/moto.js';

/** A stand-in for a sealed segment: the store reads only its path and metadata. */
function fakeSealed(path: string, name: string, endOfShard = false): SealedSegment {
  return {
    path,
    metadata: { tableName: 'events', segmentName: name, partitionId: 0, shardId: 'shardId-000000000000', numDocs: 3, sizeBytes: 5, startOffset: '1', endOffset: '9', endOfShard },
  } as unknown as SealedSegment;
}

/** The lease and segment stores on moto: conditional writes, and a commit fenced by the lease counter. */
describe('cluster stores on moto (DynamoDB + S3)', () => {
  const moto = withMoto();
  let ctx: ClusterContext;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, moto.server.env());
    ctx = createClusterContext({ tablePrefix: 'stores', deepStore: { bucket: 'deep', prefix: 'p' }, serverId: 'me' }, 'http://127.0.0.1:1');
    dir = await mkdtemp(join(tmpdir(), 'shardtable-cluster-stores-'));
  });
  afterAll(async () => {
    ctx?.destroy();
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('creates its tables (twice is fine) and names a missing bucket', async () => {
    await ensureClusterTables(ctx);
    await ensureClusterTables(ctx);
    await expect(checkDeepStoreBucket(ctx)).rejects.toThrow(/s3:\/\/deep.*does not exist/);
    await ctx.s3.send(new CreateBucketCommand({ Bucket: 'deep' }));
    await checkDeepStoreBucket(ctx);
  });

  it('takes, renews and releases leases only with the counter last seen', async () => {
    const leases = new LeaseStore(ctx.dynamodb, ctx.tables.leases);
    const partition = { partitionId: 1, shardId: 'shardId-000000000001', parentShardIds: [], closed: false };
    await leases.ensure('events', partition);
    await leases.ensure('events', partition);
    const key = leaseKeyOf('events', partition.shardId);
    expect(await leases.take(key, 0, 'a')).toBe(1);
    expect(await leases.take(key, 0, 'b')).toBeNull();
    expect(await leases.renew(key, 1, 'b')).toBeNull();
    expect(await leases.renew(key, 1, 'a')).toBe(2);
    expect(await leases.requestSteal(key, 'a', 'b')).toBe(true);
    expect(await leases.requestSteal(key, 'a', 'c')).toBe(false);
    expect(await leases.release(key, 2, 'a')).toBe(true);
    const [item] = (await leases.scan()).filter((i) => i.leaseKey === key);
    expect(item).toMatchObject({ leaseOwner: null, leaseCounter: 3, stealRequestedBy: null, partition: 1, finished: false });
  });

  it('commits a segment under the held counter, and refuses (fenced) once the lease was taken', async () => {
    const leases = new LeaseStore(ctx.dynamodb, ctx.tables.leases);
    const segments = new SegmentStore(ctx);
    const partition = { partitionId: 0, shardId: 'shardId-000000000000', parentShardIds: [], closed: false };
    await leases.ensure('events', partition);
    const key = leaseKeyOf('events', partition.shardId);
    const counter = (await leases.take(key, 0, 'me'))!;
    const file = join(dir, 'a.seg');
    await writeFile(file, 'bytes');
    const first = fakeSealed(file, 'events__0__0__20260101T0000Z');
    await segments.upload(first);
    expect(await segments.commit(first, { leaseKey: key, counter })).toBe('committed');
    // The same commit again (an answer lost on the way): already there, not an error.
    expect(await segments.commit(first, { leaseKey: key, counter })).toBe('alreadyCommitted');

    // Another server takes the lease (as after this one paused past the timeout).
    await ctx.dynamodb.send(new UpdateItemCommand({
      TableName: ctx.tables.leases, Key: { leaseKey: { S: key } },
      UpdateExpression: 'SET leaseOwner = :o, leaseCounter = :n', ConditionExpression: 'leaseCounter = :c',
      ExpressionAttributeValues: { ':o': { S: 'intruder' }, ':n': { N: String(counter + 1) }, ':c': { N: String(counter) } },
    }));
    const second = fakeSealed(file, 'events__0__1__20260101T0001Z', true);
    expect(await segments.commit(second, { leaseKey: key, counter })).toBe('fenced');
    const committed = await segments.listCommitted('events');
    expect(committed.map((c) => c.segmentName)).toEqual(['events__0__0__20260101T0000Z']);
    const lease = await ctx.dynamodb.send(new GetItemCommand({ TableName: ctx.tables.leases, Key: { leaseKey: { S: key } }, ConsistentRead: true }));
    expect(lease.Item?.finished?.BOOL).toBe(false);

    // What was committed is downloadable into another data dir.
    const other = join(dir, 'other');
    await segments.download(committed[0]!, other);
    expect(await readFile(join(other, 'events__0__0__20260101T0000Z.seg'), 'utf8')).toBe('bytes');
  });
});
