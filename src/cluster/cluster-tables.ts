import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { ShardtableError } from '../errors.js';
import { describeError } from '../util/describe-error.js';
import type { ClusterContext } from './cluster-context.js';

/** Key schema of each table this part creates (docs/cluster.md); `<prefix>-servers` is the membership part's. */
function keysOf(ctx: ClusterContext): { name: string; keys: [string, 'HASH' | 'RANGE'][] }[] {
  return [
    { name: ctx.tables.leases, keys: [['leaseKey', 'HASH']] },
    { name: ctx.tables.segments, keys: [['table', 'HASH'], ['segmentName', 'RANGE']] },
    { name: ctx.tables.tables, keys: [['kind', 'HASH'], ['name', 'RANGE']] },
  ];
}

/** Creates the leases, segments and tables tables when missing (on-demand billing) and waits until they exist. */
export async function ensureClusterTables(ctx: ClusterContext): Promise<void> {
  for (const { name, keys } of keysOf(ctx)) {
    try {
      try {
        await ctx.dynamodb.send(new DescribeTableCommand({ TableName: name }));
        continue;
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
      try {
        await ctx.dynamodb.send(new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: keys.map(([k]): AttributeDefinition => ({ AttributeName: k, AttributeType: 'S' })),
          KeySchema: keys.map(([k, role]): KeySchemaElement => ({ AttributeName: k, KeyType: role })),
        }));
      } catch (err) {
        // Another server created it meanwhile.
        if (!(err instanceof ResourceInUseException)) throw err;
      }
      await waitUntilTableExists({ client: ctx.dynamodb, maxWaitTime: 60, minDelay: 1 }, { TableName: name });
    } catch (err) {
      throw new ShardtableError('CLUSTER_STORE', { what: `DynamoDB table ${name}`, detail: describeError(err) });
    }
  }
}

/** The deep store's bucket must exist (it is not created): a clear error naming it otherwise. */
export async function checkDeepStoreBucket(ctx: ClusterContext): Promise<void> {
  const { bucket } = ctx.deepStore;
  try {
    await ctx.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const detail = status === 404 ? 'the bucket does not exist; create it first (e.g. aws s3 mb s3://' + bucket + ')' : status === 403 ? 'access denied' : describeError(err);
    throw new ShardtableError('CLUSTER_STORE', { what: `deep store bucket s3://${bucket}`, detail });
  }
}
