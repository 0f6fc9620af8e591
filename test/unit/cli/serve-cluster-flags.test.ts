import { describe, expect, it } from 'vitest';
import { clusterServeOptions } from '../../../src/cli/serve-cluster.js';

describe('serve --cluster flags', () => {
  it('without --cluster a server runs alone', () => {
    expect(clusterServeOptions({})).toBeUndefined();
  });

  it('parses the cluster, deep store, server id and membership timings', () => {
    expect(clusterServeOptions({ cluster: 'dynamodb:prod', deepStore: 's3://my-bucket/seg/', serverId: 'a', heartbeatMs: 200, membershipTimeoutMs: 1500 })).toEqual({
      flags: { tablePrefix: 'prod', deepStore: { bucket: 'my-bucket', prefix: 'seg' }, serverId: 'a' },
      heartbeatMs: 200,
      membershipTimeoutMs: 1500,
    });
  });

  it('names the missing or bad flag', () => {
    expect(() => clusterServeOptions({ cluster: 'dynamodb:prod' })).toThrow('--cluster needs --deep-store s3://<bucket>/<prefix>');
    expect(() => clusterServeOptions({ deepStore: 's3://my-bucket/x' })).toThrow('--deep-store needs --cluster dynamodb:<table-prefix>');
    expect(() => clusterServeOptions({ serverId: 'a' })).toThrow('--server-id needs --cluster');
    expect(() => clusterServeOptions({ cluster: 'redis:x', deepStore: 's3://my-bucket/x' })).toThrow('--cluster "redis:x": expected dynamodb:<table-prefix>');
    expect(() => clusterServeOptions({ cluster: 'dynamodb:p', deepStore: 's3://my-bucket/x', serverId: 'a b' })).toThrow('--server-id "a b"');
    expect(() => clusterServeOptions({ cluster: 'dynamodb:p', deepStore: 's3://my-bucket/x', heartbeatMs: 500, membershipTimeoutMs: 400 })).toThrow('--membership-timeout-ms must be longer than the heartbeat interval');
  });
});
