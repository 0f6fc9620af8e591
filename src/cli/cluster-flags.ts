import { parseClusterFlag, parseDeepStoreFlag } from '../cluster/index.js';
import type { ClusterFlags, ClusterNodeOptions } from '../cluster/index.js';

/** The cluster flags of `serve` as commander hands them over. */
export interface ServeClusterFlags {
  readonly cluster?: string;
  readonly deepStore?: string;
  readonly serverId?: string;
  readonly leaseTimeoutMs?: number;
}

/**
 * `--cluster dynamodb:<prefix> --deep-store s3://<bucket>/<prefix> [--server-id] [--lease-timeout-ms]`
 * → the cluster options, or undefined when the server runs alone. Throws a message naming the bad
 * or missing flag (a usage error): one of the pair without the other, a flag of the wrong form,
 * `--server-id` or `--lease-timeout-ms` without `--cluster`.
 */
export function clusterOptionsOf(flags: ServeClusterFlags): (ClusterFlags & ClusterNodeOptions) | undefined {
  if (flags.cluster === undefined) {
    if (flags.deepStore !== undefined) throw new Error('--deep-store needs --cluster dynamodb:<table-prefix> (a lone server keeps its segments on its own disk)');
    if (flags.serverId !== undefined) throw new Error('--server-id needs --cluster dynamodb:<table-prefix>');
    if (flags.leaseTimeoutMs !== undefined) throw new Error('--lease-timeout-ms needs --cluster dynamodb:<table-prefix>');
    return undefined;
  }
  const tablePrefix = parseClusterFlag(flags.cluster);
  if (flags.deepStore === undefined) throw new Error('--cluster needs --deep-store s3://<bucket>/<prefix>: where the cluster keeps its sealed segments');
  const deepStore = parseDeepStoreFlag(flags.deepStore);
  if (flags.serverId !== undefined && !/^[A-Za-z0-9_.:-]{1,200}$/.test(flags.serverId)) {
    throw new Error(`--server-id ${JSON.stringify(flags.serverId)}: use 1-200 letters, digits, '_', '.', ':' or '-'`);
  }
  if (flags.leaseTimeoutMs !== undefined && flags.leaseTimeoutMs < 300) throw new Error(`--lease-timeout-ms ${flags.leaseTimeoutMs}: must be at least 300`);
  return {
    tablePrefix,
    deepStore,
    ...(flags.serverId !== undefined ? { serverId: flags.serverId } : {}),
    ...(flags.leaseTimeoutMs !== undefined ? { leaseTimeoutMs: flags.leaseTimeoutMs } : {}),
  };
}
