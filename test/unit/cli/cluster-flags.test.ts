import { describe, expect, it } from 'vitest';
import { clusterOptionsOf } from '../../../src/cli/cluster-flags.js';

describe('serve cluster flags', () => {
  it('runs alone without --cluster', () => {
    expect(clusterOptionsOf({})).toBeUndefined();
  });

  it('parses the pair, the server id and the lease timeout', () => {
    expect(clusterOptionsOf({ cluster: 'dynamodb:prod', deepStore: 's3://my-bucket/seg/ments/', serverId: 'node-1', leaseTimeoutMs: 2000 })).toEqual({
      tablePrefix: 'prod', deepStore: { bucket: 'my-bucket', prefix: 'seg/ments' }, serverId: 'node-1', leaseTimeoutMs: 2000,
    });
    expect(clusterOptionsOf({ cluster: 'dynamodb:p', deepStore: 's3://bucket' })).toEqual({ tablePrefix: 'p', deepStore: { bucket: 'bucket', prefix: '' } });
  });

  it('names the missing or bad flag', () => {
    expect(() => clusterOptionsOf({ cluster: 'dynamodb:p' })).toThrow(/--cluster needs --deep-store/);
    expect(() => clusterOptionsOf({ deepStore: 's3://bucket/p' })).toThrow(/--deep-store needs --cluster/);
    expect(() => clusterOptionsOf({ serverId: 'x' })).toThrow(/--server-id needs --cluster/);
    expect(() => clusterOptionsOf({ leaseTimeoutMs: 5000 })).toThrow(/--lease-timeout-ms needs --cluster/);
    expect(() => clusterOptionsOf({ cluster: 'redis:p', deepStore: 's3://bucket/p' })).toThrow(/--cluster "redis:p": expected dynamodb:<table-prefix>/);
    expect(() => clusterOptionsOf({ cluster: 'dynamodb:p', deepStore: 'gs://bucket/p' })).toThrow(/--deep-store "gs:\/\/bucket\/p"/);
    expect(() => clusterOptionsOf({ cluster: 'dynamodb:p', deepStore: 's3://bucket/p', serverId: 'a b' })).toThrow(/--server-id "a b"/);
    expect(() => clusterOptionsOf({ cluster: 'dynamodb:p', deepStore: 's3://bucket/p', leaseTimeoutMs: 10 })).toThrow(/--lease-timeout-ms 10: must be at least 300/);
  });
});
