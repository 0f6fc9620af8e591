import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { tableIngestionFactory } from '../ingest/index.js';
import type { Logger } from '../logger.js';
import { configureQueryThreads } from '../query/index.js';
import { blockCache } from '../segment/reader/block-cache.js';
import { mallocTrimUnavailable } from '../util/malloc-trim.js';
import { buildApp } from '../server/app.js';
import type { HttpLimits } from '../server/http-limits.js';
import { TableManager } from '../table/index.js';
import type { ClusterAttachment } from '../server/cluster-attachment.js';
import { advertisedUrl, startClusterBroker } from './serve-cluster.js';
import type { ClusterServeOptions } from './serve-cluster.js';
import type { StartReport } from '../table/index.js';
import { ClusterNode, createClusterContext } from '../cluster/index.js';

export interface ServeOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  /**
   * Bytes of decoded sealed-column blocks kept in memory, shared by all tables (0 = off). Unset
   * keeps the process default (a quarter of memory, at most 1 GiB).
   */
  readonly blockCacheBytes?: number;
  /** Share of that budget for the compressed tier (0-0.9; `--compressed-tier-percent` / 100). Unset keeps the process default (0: no compressed tier). */
  readonly compressedTierShare?: number;
  /**
   * Query worker threads at most (`--query-threads`): the pool has `min(cores, queryThreads)`; 0
   * runs every query on the main thread. Unset: env `SHARDTABLE_QUERY_THREADS`, else 0 (opt-in).
   */
  readonly queryThreads?: number;
  /** Least rows in a query's sealed segments for it to use the pool (`--query-parallel-min-rows`). */
  readonly queryParallelMinRows?: number;
  /** Split high-cardinality GROUP BY and DISTINCTCOUNT by key on the pool (`--query-split-by-key`). Unset: env `SHARDTABLE_QUERY_SPLIT_BY_KEY`, else off. */
  readonly querySplitByKey?: boolean;
  /** HTTP timeouts, connection cap and body limit; unset fields keep their defaults. */
  readonly httpLimits?: Partial<HttpLimits>;
  /** Time between two retention checks of each table (`--retention-interval-ms`; default 10 minutes). */
  readonly retentionIntervalMs?: number;
  /** `--cluster` and its flags: join the cluster (leases and commits before listening; membership and query fan-out once listening). */
  readonly cluster?: ClusterServeOptions;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly manager: TableManager;
  /** What the table manager loaded at start (every table's sealed segments; streams connect in the background). */
  readonly report: StartReport;
  /** The base URL the server listens on, e.g. `http://127.0.0.1:9000`. */
  readonly url: string;
  /** The cluster member's lease and commit side, when started with `--cluster`. */
  readonly leases?: ClusterNode;
  /** Orderly shutdown: stops consumers (fastify `onClose`), then the HTTP server. */
  close(): Promise<void>;
}

/**
 * Starts the server: listens first (`/health` answers 503 `STARTING` until the tables are loaded),
 * then reloads every schema, table and sealed segment under the data dir and resolves. Streams are
 * reached in the background: each shard resumes after its last sealed segment once its stream
 * answers, and a table whose stream does not answer serves its sealed segments meanwhile.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  if (options.cluster && options.port === 0) throw new Error('--cluster needs a fixed --port: peers reach this server, and know its leases, by its host:port');
  const dataDir = resolve(options.dataDir);
  if (options.compressedTierShare !== undefined) blockCache.setCompressedShare(options.compressedTierShare);
  if (options.blockCacheBytes !== undefined) blockCache.resize(options.blockCacheBytes);
  const noTrim = mallocTrimUnavailable();
  if (noTrim !== undefined) options.logger.warn({ reason: noTrim }, 'freed memory is not returned to the system: resident memory may grow past the memory budget (docs/operations.md)');
  configureQueryThreads({
    ...(options.queryThreads !== undefined ? { threads: options.queryThreads } : {}),
    ...(options.queryParallelMinRows !== undefined ? { minRows: options.queryParallelMinRows } : {}),
    ...(options.querySplitByKey !== undefined ? { splitByKey: options.querySplitByKey } : {}),
  });
  // The query threads start with the first query the cost estimate sends to them (that query,
  // and any until they are up, runs on the main thread): a server that never gets one pays nothing.
  await mkdir(dataDir, { recursive: true });
  // Cluster mode, lease side: the tables and the bucket are checked before listening, so a bad store fails the start.
  // One context (one server id) for the lease side and the broker side.
  const context = options.cluster ? createClusterContext(options.cluster.flags, advertisedUrl(options.host, options.port)) : undefined;
  const retention = options.retentionIntervalMs !== undefined ? { retentionIntervalMs: options.retentionIntervalMs } : {};
  const leases = options.cluster && context ? await ClusterNode.start(context, options.logger, { ...options.cluster, ...retention }) : undefined;
  const manager = new TableManager({
    dataDir,
    runtimeFactory: leases?.runtimeFactory() ?? tableIngestionFactory(options.logger, retention),
    logger: options.logger,
    ...(leases ? { catalog: leases.catalog(dataDir) } : {}),
  });
  const attachment: ClusterAttachment = { node: null };
  const app = buildApp({ manager, logger: options.logger, cluster: attachment, ...(options.httpLimits ? { limits: options.httpLimits } : {}) });
  let url: string;
  try {
    url = await app.listen({ port: options.port, host: options.host });
  } catch (err) {
    await app.close();
    await leases?.stop();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${options.port} on ${options.host} is already in use: stop the other process or pass --port <port>`);
    }
    throw err;
  }
  let report: StartReport;
  try {
    report = await manager.start();
  } catch (err) {
    await app.close();
    await leases?.stop();
    throw err;
  }
  leases?.start(manager);
  let stopCluster: () => Promise<void> = async () => undefined;
  if (options.cluster !== undefined && context !== undefined) {
    try {
      stopCluster = (await startClusterBroker(options.cluster, context, manager, attachment, options.logger)).stop;
    } catch (err) {
      await app.close();
      await leases?.stop();
      throw err;
    }
  }
  return {
    app,
    manager,
    report,
    url,
    ...(leases ? { leases } : {}),
    close: async () => {
      // Leases handed over first (the tables still run to seal and commit), then membership, then the tables.
      await leases?.drain();
      await stopCluster();
      await app.close();
      await leases?.stop();
    },
  };
}

/** Resolves once SIGINT or SIGTERM arrives, for commands that run until stopped. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
