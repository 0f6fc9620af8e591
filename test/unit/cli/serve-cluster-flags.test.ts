import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { advertisedUrl, clusterServeOptions } from '../../../src/cli/serve-cluster.js';
import { startServer } from '../../../src/cli/serve.js';
import { createLogger } from '../../../src/logger.js';

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

describe('the address a cluster member is known by', () => {
  it('is the listening host:port, a wildcard address replaced by the host name (the same on both sides of the server)', () => {
    expect(advertisedUrl('127.0.0.1', 9001)).toBe('http://127.0.0.1:9001');
    expect(advertisedUrl('0.0.0.0', 9001)).toBe(`http://${hostname().toLowerCase()}:9001`);
    expect(advertisedUrl('::', 9001)).toBe(`http://${hostname().toLowerCase()}:9001`);
    expect(advertisedUrl('::1', 9001)).toBe('http://[::1]:9001');
  });

  it('a cluster member needs a fixed port: --port 0 is refused before anything is started', async () => {
    const flags = clusterServeOptions({ cluster: 'dynamodb:prod', deepStore: 's3://my-bucket/seg' })!;
    await expect(startServer({ dataDir: '/nonexistent-shardtable-dir', port: 0, host: '127.0.0.1', logger: createLogger('silent'), cluster: flags })).rejects.toThrow(
      '--cluster needs a fixed --port: peers reach this server, and know its leases, by its host:port',
    );
  });
});
