import { hostname } from 'node:os';
import { BrokerNode } from '../cluster/broker/index.js';
import { parseClusterFlag, parseDeepStoreFlag } from '../cluster/cluster-context.js';
import type { ClusterContext, ClusterFlags } from '../cluster/cluster-context.js';
import type { Logger } from '../logger.js';
import type { ClusterAttachment } from '../server/cluster-attachment.js';
import { managerTableResolver } from '../server/routes/query-routes.js';
import type { TableManager } from '../table/index.js';

/** What `serve` needs to join a cluster (the broker side: membership and query fan-out). */
export interface ClusterServeOptions {
  readonly flags: ClusterFlags;
  /** `--heartbeat-ms` (default 1000). */
  readonly heartbeatMs?: number;
  /** `--membership-timeout-ms` (default 6000). */
  readonly membershipTimeoutMs?: number;
  /** `--lease-timeout-ms` (lease side, default 10 000): a shard lease unchanged this long is taken. */
  readonly leaseTimeoutMs?: number;
}

/** The serve flags as commander gives them. */
export interface ClusterCliFlags {
  readonly cluster?: string;
  readonly deepStore?: string;
  readonly serverId?: string;
  readonly heartbeatMs?: number;
  readonly membershipTimeoutMs?: number;
  readonly leaseTimeoutMs?: number;
}

/**
 * `--cluster`, `--deep-store`, `--server-id`, `--heartbeat-ms`, `--membership-timeout-ms` →
 * cluster options, or undefined without `--cluster`. Throws naming the missing or bad flag.
 */
export function clusterServeOptions(flags: ClusterCliFlags): ClusterServeOptions | undefined {
  if (flags.cluster === undefined && flags.deepStore === undefined) {
    if (flags.serverId !== undefined) throw new Error('--server-id needs --cluster dynamodb:<table-prefix> and --deep-store s3://<bucket>/<prefix>');
    if (flags.leaseTimeoutMs !== undefined) throw new Error('--lease-timeout-ms needs --cluster dynamodb:<table-prefix> and --deep-store s3://<bucket>/<prefix>');
    return undefined;
  }
  if (flags.cluster === undefined) throw new Error('--deep-store needs --cluster dynamodb:<table-prefix>');
  if (flags.deepStore === undefined) throw new Error('--cluster needs --deep-store s3://<bucket>/<prefix>');
  if (flags.serverId !== undefined && !/^[A-Za-z0-9_.:-]{1,200}$/.test(flags.serverId)) throw new Error(`--server-id ${JSON.stringify(flags.serverId)}: use letters, digits, '_', '-', '.', ':' (at most 200)`);
  if (flags.heartbeatMs !== undefined && flags.heartbeatMs < 50) throw new Error('--heartbeat-ms must be at least 50');
  if (flags.leaseTimeoutMs !== undefined && flags.leaseTimeoutMs < 300) throw new Error(`--lease-timeout-ms ${flags.leaseTimeoutMs}: must be at least 300`);
  const timeout = flags.membershipTimeoutMs;
  if (timeout !== undefined && timeout <= (flags.heartbeatMs ?? 1000)) throw new Error('--membership-timeout-ms must be longer than the heartbeat interval (--heartbeat-ms, default 1000)');
  return {
    flags: { tablePrefix: parseClusterFlag(flags.cluster), deepStore: parseDeepStoreFlag(flags.deepStore), ...(flags.serverId !== undefined ? { serverId: flags.serverId } : {}) },
    ...(flags.heartbeatMs !== undefined ? { heartbeatMs: flags.heartbeatMs } : {}),
    ...(timeout !== undefined ? { membershipTimeoutMs: timeout } : {}),
    ...(flags.leaseTimeoutMs !== undefined ? { leaseTimeoutMs: flags.leaseTimeoutMs } : {}),
  };
}

/**
 * The URL peers use, from the address the server will listen on: a wildcard address becomes this
 * host's name. Its host:port is also the default server id, so the lease side and the broker side
 * must both use this one value (a wildcard id would be the same on every machine).
 */
export function advertisedUrl(host: string, port: number): string {
  const u = new URL(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = hostname();
  return u.origin;
}

/**
 * Starts the broker side of cluster mode once the app listens: this server's membership and the
 * broker `/query/sql` then uses (attached to the app), on the cluster context the lease side also
 * uses (its owner destroys it). Answers a stop function: deregister.
 */
export async function startClusterBroker(options: ClusterServeOptions, context: ClusterContext, manager: TableManager, attachment: ClusterAttachment, logger: Logger): Promise<{ node: BrokerNode; stop(): Promise<void> }> {
  let node: BrokerNode;
  try {
    node = await BrokerNode.start({
      context,
      tables: () => managerTableResolver(manager),
      logger,
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.membershipTimeoutMs !== undefined ? { membershipTimeoutMs: options.membershipTimeoutMs } : {}),
    });
  } catch (err) {
    throw new Error(`could not join the cluster (DynamoDB table ${context.tables.servers}): ${(err as Error).message}`, { cause: err });
  }
  attachment.node = node;
  logger.info({ serverId: context.serverId, url: context.advertisedUrl, servers: context.tables.servers }, 'cluster member: registered; queries fan out to the live servers');
  return {
    node,
    async stop() {
      attachment.node = null;
      await node.close();
    },
  };
}
