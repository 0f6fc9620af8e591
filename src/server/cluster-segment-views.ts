import { placeSegments } from '../cluster/broker/index.js';
import type { ClusterController, SegmentPlacement } from '../cluster/broker/index.js';
import type { CommittedItem } from '../cluster/segment-store.js';
import { ShardtableError } from '../errors.js';
import type { TableManager } from '../table/table-manager.js';
import { instanceNames } from './instance-names.js';
import { withType } from './table-type.js';

/**
 * The segment endpoints in cluster mode (docs/cluster.md, "Controller endpoints"): every committed
 * segment of the table (deleted marks excluded) and every live server's consuming segments, each
 * with the servers that serve it now, named as `/instances` names them (`Server_<host>_<port>`).
 */
export class ClusterSegmentViews {
  constructor(
    private readonly controller: ClusterController,
    private readonly manager: TableManager,
  ) {}

  /** `[{"REALTIME": [...]}]`: committed segments, then the consuming ones. */
  async names(table: string): Promise<[{ REALTIME: string[] }]> {
    return [{ REALTIME: (await this.placements(table)).map((p) => p.name) }];
  }

  /**
   * Pinot's `GET /segments/{t}/servers`: `[{tableName, serverToSegmentsMap, serverToSegmentsCountMap}]`,
   * every live server listed (a server serving nothing has an empty list), plus
   * `shardtableServersNotResponding` (instance name → why) when a server did not say what it serves.
   */
  async servers(table: string): Promise<[Record<string, unknown>]> {
    const view = await this.view(table);
    const map: Record<string, string[]> = {};
    for (const record of this.controller.liveServers()) map[this.instanceOf(record.serverId)] = [];
    for (const p of view.placements) for (const id of p.servers) (map[this.instanceOf(id)] ??= []).push(p.name);
    const counts = Object.fromEntries(Object.entries(map).map(([server, names]) => [server, names.length]));
    const failing = Object.fromEntries(view.failing.map((f) => [this.instanceOf(f.serverId), f.error]));
    return [{ tableName: withType(table), serverToSegmentsMap: map, serverToSegmentsCountMap: counts, ...(view.failing.length > 0 ? { shardtableServersNotResponding: failing } : {}) }];
  }

  /** Every committed segment's summary by name (a dimension table: every sealed copy), with its `servers`. */
  async metadataByName(table: string): Promise<Record<string, Record<string, unknown>>> {
    const placements = await this.placements(table);
    return Object.fromEntries(placements.filter((p) => !p.consuming).map((p) => [p.name, this.metadataOf(table, p)]));
  }

  /** One segment's metadata (this server's own copy when it serves it), with its `servers`; 404 when neither committed nor consuming anywhere. */
  async metadata(table: string, segment: string): Promise<Record<string, unknown>> {
    const found = (await this.placements(table)).find((p) => p.name === segment);
    if (found === undefined) throw new ShardtableError('SEGMENT_NOT_FOUND', { segment, table: withType(table) });
    return this.metadataOf(table, found);
  }

  private metadataOf(table: string, placement: SegmentPlacement): Record<string, unknown> {
    const servers = placement.servers.map((id) => this.instanceOf(id));
    if (placement.servers.includes(this.controller.serverId)) {
      try {
        return { ...this.manager.segmentMetadata(table, placement.name), servers };
      } catch (err) {
        // Dropped here since the listing (a lease moved): answer from the committed item below.
        if (!(err instanceof ShardtableError)) throw err;
      }
    }
    if (placement.committed !== null) return { ...committedSummary(placement.committed), status: 'DONE', servers };
    return { segmentName: placement.name, status: placement.consuming ? 'IN_PROGRESS' : 'DONE', servers };
  }

  private async placements(table: string): Promise<SegmentPlacement[]> {
    return (await this.view(table)).placements;
  }

  private async view(table: string): Promise<{ placements: SegmentPlacement[]; failing: { serverId: string; error: string }[] }> {
    // 404 for an unknown table; a dimension table's every server holds its own copy (none committed).
    const everyListed = this.manager.getTableConfig(table).isDimTable === true;
    const view = await this.controller.tableView(table);
    const failing = view.servers.flatMap((s) => (s.error !== null ? [{ serverId: s.serverId, error: s.error }] : []));
    return { placements: placeSegments(view, { everyListed }), failing };
  }

  /** A server id as an instance name (its advertised URL's host and port); the id itself when it is no longer live. */
  private instanceOf(serverId: string): string {
    const record = this.controller.liveServers().find((r) => r.serverId === serverId);
    return record === undefined ? serverId : instanceNames(record.url).server;
  }
}

/** A committed item in the shape of a segment summary (`GET /segments/{t}/metadata`). */
function committedSummary(item: CommittedItem): Record<string, unknown> {
  return {
    segmentName: item.segmentName,
    partitionId: item.partitionId,
    shardId: item.shardId,
    numDocs: item.numDocs,
    startOffset: item.startOffset,
    endOffset: item.endOffset,
    endOfShard: item.endOfShard,
    sizeBytes: item.sizeBytes,
  };
}
