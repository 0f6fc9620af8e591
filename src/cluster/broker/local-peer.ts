import { QueryError, listServedSegments, runPartialQuery } from '../../query/index.js';
import type { PartialQueryRequest, ServedSegment, ServerPartial, TableResolver } from '../../query/index.js';
import { ShardtableError } from '../../errors.js';
import { PeerQueryError } from './peers.js';
import type { ClusterPeer } from './peers.js';

/** This server as its own broker reaches it: the same functions the internal endpoints call, without HTTP. */
export class LocalPeer implements ClusterPeer {
  constructor(
    readonly serverId: string,
    readonly url: string,
    private readonly tables: () => TableResolver,
  ) {}

  async listSegments(table: string): Promise<ServedSegment[] | null> {
    try {
      return listServedSegments(this.tables(), table);
    } catch (err) {
      if (err instanceof ShardtableError && err.errorName === 'TABLE_NOT_FOUND') return null;
      throw err;
    }
  }

  async query(request: PartialQueryRequest): Promise<ServerPartial> {
    try {
      return await runPartialQuery(this.tables(), request);
    } catch (err) {
      if (err instanceof QueryError) throw new PeerQueryError(err.errorCode, err.message);
      throw err;
    }
  }
}
