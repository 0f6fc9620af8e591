import type { ServedSegment } from '../../query/index.js';
import type { LeaseItem } from '../lease-store.js';
import type { CommittedItem } from '../segment-store.js';
import type { ClusterPeer } from './peers.js';

/** How long one server may take to say what it serves, for a controller answer. */
export const LISTING_TIMEOUT_MS = 2_000;

/** What one live server said it serves of a table: null segments when the table is not there; `error` when it did not answer. */
export interface ServerListing {
  readonly serverId: string;
  readonly url: string;
  readonly segments: readonly ServedSegment[] | null;
  readonly error: string | null;
}

/** A table across the cluster, for the controller endpoints: its live committed segments and every live server's listing. */
export interface TableClusterView {
  /** Committed sealed segments of `<prefix>-segments`, deleted marks excluded. */
  readonly committed: readonly CommittedItem[];
  /** Every live server, in server-id order. */
  readonly servers: readonly ServerListing[];
}

/** One segment of a table and the servers that serve it now. */
export interface SegmentPlacement {
  readonly name: string;
  /** Consuming on some server and not committed (yet). */
  readonly consuming: boolean;
  /** Its committed item; null for a consuming segment. */
  readonly committed: CommittedItem | null;
  /** Ids of the servers that listed it, in server-id order (empty: committed but served by no one now). */
  readonly servers: readonly string[];
}

/**
 * Every segment of the view: the committed ones (in their table order), then the consuming ones
 * not committed, each with the servers listing it. A segment a server lists but that is neither
 * committed nor consuming (a copy a delete has not reached yet) is left out, unless
 * `everyListed` (a dimension table: every server seals its own copy, nothing is committed).
 */
export function placeSegments(view: TableClusterView, options: { everyListed?: boolean } = {}): SegmentPlacement[] {
  const servers = new Map<string, string[]>();
  const consuming = new Set<string>();
  for (const listing of view.servers) {
    for (const s of listing.segments ?? []) {
      servers.set(s.name, [...(servers.get(s.name) ?? []), listing.serverId]);
      if (s.consuming) consuming.add(s.name);
    }
  }
  const committedNames = new Set(view.committed.map((c) => c.segmentName));
  const out: SegmentPlacement[] = view.committed.map((c) => ({ name: c.segmentName, consuming: false, committed: c, servers: servers.get(c.segmentName) ?? [] }));
  for (const name of consuming) {
    if (!committedNames.has(name)) out.push({ name, consuming: true, committed: null, servers: servers.get(name) ?? [] });
  }
  if (options.everyListed === true) {
    for (const [name, on] of servers) if (!committedNames.has(name) && !consuming.has(name)) out.push({ name, consuming: false, committed: null, servers: on });
  }
  return out;
}

/** Each of the table's shards with the server holding its lease (null: free, or its holder is gone and it is not taken yet). */
export interface ShardHolder {
  readonly shardId: string;
  readonly partition: number;
  readonly holder: string | null;
  readonly leaseCounter: number;
  readonly finished: boolean;
}

export function shardHolders(leases: readonly LeaseItem[], table: string): ShardHolder[] {
  return leases
    .filter((l) => l.table === table)
    .sort((a, b) => a.partition - b.partition || a.shardId.localeCompare(b.shardId))
    .map((l) => ({ shardId: l.shardId, partition: l.partition, holder: l.leaseOwner, leaseCounter: l.leaseCounter, finished: l.finished }));
}

/** Asks every peer what it serves of `table` (each within {@link LISTING_TIMEOUT_MS}); a peer that fails is reported with its error. */
export async function listEverywhere(peers: readonly ClusterPeer[], table: string): Promise<ServerListing[]> {
  const listings = await Promise.all(
    peers.map(async (peer): Promise<ServerListing> => {
      const signal = AbortSignal.timeout(LISTING_TIMEOUT_MS);
      try {
        return { serverId: peer.serverId, url: peer.url, segments: await peer.listSegments(table, signal), error: null };
      } catch (err) {
        return { serverId: peer.serverId, url: peer.url, segments: null, error: signal.aborted ? `no answer within ${LISTING_TIMEOUT_MS} ms` : (err as Error).message };
      }
    }),
  );
  return listings.sort((a, b) => a.serverId.localeCompare(b.serverId));
}
