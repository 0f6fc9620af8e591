import { describe, expect, it } from 'vitest';
import { clusterServeOptions } from '../../../src/cli/serve-cluster.js';

/** The lease side's flag (the others: serve-cluster-flags.test.ts). */
describe('serve --lease-timeout-ms', () => {
  it('is passed on with the cluster flags', () => {
    expect(clusterServeOptions({ cluster: 'dynamodb:p', deepStore: 's3://bucket/p', leaseTimeoutMs: 2000 })?.leaseTimeoutMs).toBe(2000);
    expect(clusterServeOptions({ cluster: 'dynamodb:p', deepStore: 's3://bucket/p' })?.leaseTimeoutMs).toBeUndefined();
  });

  it('names itself when bad or without --cluster', () => {
    expect(() => clusterServeOptions({ leaseTimeoutMs: 5000 })).toThrow(/--lease-timeout-ms needs --cluster/);
    expect(() => clusterServeOptions({ cluster: 'dynamodb:p', deepStore: 's3://bucket/p', leaseTimeoutMs: 10 })).toThrow(/--lease-timeout-ms 10: must be at least 300/);
  });
});
