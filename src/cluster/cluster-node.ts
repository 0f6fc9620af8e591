import { TableIngestion } from '../ingest/index.js';
import type { Logger } from '../logger.js';
import type { TableManager, TableRuntimeFactory } from '../table/index.js';
import { CatalogPoller } from './catalog-poller.js';
import { ClusterCatalog } from './cluster-catalog.js';
import type { ClusterContext } from './cluster-context.js';
import { checkDeepStoreBucket, ensureClusterTables } from './cluster-tables.js';
import { ClusterTableHooks } from './cluster-table-hooks.js';
import { refuseUnsupportedInCluster } from './cluster-unsupported.js';
import { LeaseCoordinator } from './lease-coordinator.js';
import { LeaseStore } from './lease-store.js';
import { SegmentStore } from './segment-store.js';

export const DEFAULT_LEASE_TIMEOUT_MS = 10_000;
export const DEFAULT_CATALOG_POLL_MS = 3_000;
/** How long a graceful stop waits for its shards' last seals and commits before dropping the rest. */
const DRAIN_TIMEOUT_MS = 20_000;

export interface ClusterNodeOptions {
  /** A lease whose counter stays unchanged this long is expired and may be taken (`--lease-timeout-ms`). */
  readonly leaseTimeoutMs?: number;
  /** How often `<prefix>-tables` is read for schemas and tables this server lacks. */
  readonly catalogPollMs?: number;
  /** Time between two retention checks of a table (`--retention-interval-ms`, default 10 minutes). */
  readonly retentionIntervalMs?: number;
}

/**
 * This server as a cluster member, lease and commit side (docs/cluster.md): its table runtimes
 * consume and serve only the shards whose leases it holds, commit sealed segments to the deep
 * store fenced by those leases, and share the catalog. Lifecycle: {@link startClusterNode}
 * (tables created, bucket checked), then `start(manager)` once the table manager has loaded, and
 * `stop()` after the manager closed (every held lease is released).
 */
export class ClusterNode {
  readonly coordinator: LeaseCoordinator;
  private readonly leases: LeaseStore;
  private readonly segments: SegmentStore;
  private poller: CatalogPoller | null = null;

  private constructor(readonly context: ClusterContext, private readonly logger: Logger, private readonly options: ClusterNodeOptions) {
    this.leases = new LeaseStore(context.dynamodb, context.tables.leases);
    this.segments = new SegmentStore(context);
    this.coordinator = new LeaseCoordinator({
      store: this.leases,
      serverId: context.serverId,
      leaseTimeoutMs: options.leaseTimeoutMs ?? DEFAULT_LEASE_TIMEOUT_MS,
      logger: logger.child({ cluster: 'leases', serverId: context.serverId }),
    });
  }

  static async start(context: ClusterContext, logger: Logger, options: ClusterNodeOptions = {}): Promise<ClusterNode> {
    await ensureClusterTables(context);
    await checkDeepStoreBucket(context);
    return new ClusterNode(context, logger, options);
  }

  /** Runtimes whose shards follow this server's leases. */
  runtimeFactory(): TableRuntimeFactory {
    const parts = { serverId: this.context.serverId, leases: this.leases, coordinator: this.coordinator, segments: this.segments };
    const retention = this.options.retentionIntervalMs !== undefined ? { retentionIntervalMs: this.options.retentionIntervalMs } : {};
    return ({ table, tableDir }) => {
      // A table from this server's own disk (kept from before --cluster) fails to start, saying why.
      refuseUnsupportedInCluster(table.config.pinot);
      return new TableIngestion({ table, tableDir, logger: this.logger, cluster: new ClusterTableHooks(table.config.tableName, parts), ...retention });
    };
  }

  /** The catalog that also writes `<prefix>-tables`. */
  catalog(dataDir: string): ClusterCatalog {
    return new ClusterCatalog(dataDir, this.context, this.logger.child({ cluster: 'catalog' }));
  }

  /** Starts the lease rounds and the catalog poll (after the table manager loaded its tables). */
  start(manager: TableManager): void {
    // After each catalog pass: every table drops the segments deleted from the cluster (by a delete or retention elsewhere).
    this.poller = new CatalogPoller(this.context, manager, this.options.catalogPollMs ?? DEFAULT_CATALOG_POLL_MS, this.logger, async () => this.coordinator.syncCommitted());
    this.poller.start();
    this.coordinator.start();
    this.logger.info({ serverId: this.context.serverId, tables: this.context.tables, deepStore: this.context.deepStore }, 'cluster member started');
  }

  /**
   * A graceful stop's first half, before the tables stop: no table is created from the catalog
   * any more, and every held lease is handed over at a segment boundary (sealed, committed,
   * released), so the others resume without re-reading and without waiting for the timeout.
   */
  async drain(): Promise<void> {
    await this.poller?.stop();
    await this.coordinator.drain(DRAIN_TIMEOUT_MS);
  }

  /** After the runtimes stopped: releases every held lease, then closes the clients. */
  async stop(): Promise<void> {
    await this.poller?.stop();
    await this.coordinator.stop();
    this.context.destroy();
  }
}
