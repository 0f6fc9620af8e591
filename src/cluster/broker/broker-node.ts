import type { Logger } from '../../logger.js';
import type { QueryScatter, TableResolver } from '../../query/index.js';
import type { ClusterContext } from '../cluster-context.js';
import { ClusterBroker } from './cluster-broker.js';
import { CommittedSegments } from './committed-segments.js';
import { LocalPeer } from './local-peer.js';
import { Membership } from './membership.js';
import type { ServerRecord } from './liveness.js';
import { HttpPeer } from './peers.js';
import type { ClusterPeer } from './peers.js';

export interface BrokerNodeOptions {
  readonly context: ClusterContext;
  /** This server's tables, as its query endpoints resolve them. */
  readonly tables: () => TableResolver;
  readonly logger?: Logger;
  /** Heartbeat interval (default 1 s). */
  readonly heartbeatMs?: number;
  /** A server whose heartbeat counter is unchanged this long is gone (default 6 s). */
  readonly membershipTimeoutMs?: number;
}

/** What the HTTP layer needs of a cluster member: who it is, who is alive, and its broker. */
export interface ClusterMember {
  readonly serverId: string;
  readonly broker: QueryScatter;
  /** The live servers (this one included), by server id. */
  liveServers(): ServerRecord[];
}

/**
 * The broker side of one cluster member: its membership (`<prefix>-servers`) and the broker that
 * scatters queries to the live servers (itself in process, the others over HTTP).
 */
export class BrokerNode implements ClusterMember {
  readonly broker: ClusterBroker;
  private readonly peers = new Map<string, ClusterPeer>();

  private constructor(
    readonly context: ClusterContext,
    readonly membership: Membership,
    private readonly tables: () => TableResolver,
    logger: Logger | undefined,
  ) {
    this.broker = new ClusterBroker(() => this.livePeers(), new CommittedSegments(context.dynamodb, context.tables.segments), logger);
  }

  /** Registers this server (creating the servers table when missing) and starts its heartbeat. */
  static async start(options: BrokerNodeOptions): Promise<BrokerNode> {
    const { context } = options;
    const membership = new Membership({
      dynamodb: context.dynamodb,
      table: context.tables.servers,
      serverId: context.serverId,
      url: context.advertisedUrl,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.membershipTimeoutMs !== undefined ? { timeoutMs: options.membershipTimeoutMs } : {}),
    });
    await membership.start();
    return new BrokerNode(context, membership, options.tables, options.logger);
  }

  get serverId(): string {
    return this.context.serverId;
  }

  /** The live servers (this one included), by server id. */
  liveServers(): ServerRecord[] {
    return this.membership.liveServers();
  }

  /** Deregisters this server (its item is deleted: brokers stop routing to it at their next read). */
  async close(): Promise<void> {
    await this.membership.close();
  }

  private livePeers(): ClusterPeer[] {
    return this.liveServers().map((s) => {
      const key = `${s.serverId}\u0000${s.url}`;
      let peer = this.peers.get(key);
      if (peer === undefined) {
        peer = s.serverId === this.serverId ? new LocalPeer(s.serverId, s.url, this.tables) : new HttpPeer(s.serverId, s.url);
        this.peers.set(key, peer);
      }
      return peer;
    });
  }
}
