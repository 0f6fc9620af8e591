import { ShardtableError } from '../errors.js';

/**
 * Refuses (400 `CLUSTER_UNSUPPORTED`, naming the field) a table config cluster mode cannot run:
 * upsert and dedup tables keep one key map over all of a table's shards, which a server holding
 * some of the shards cannot have (docs/cluster.md, "Not done yet").
 */
export function refuseUnsupportedInCluster(json: unknown): void {
  if (json === null || typeof json !== 'object') return;
  const config = json as { upsertConfig?: { mode?: unknown }; dedupConfig?: { dedupEnabled?: unknown } };
  const mode = typeof config.upsertConfig?.mode === 'string' ? config.upsertConfig.mode.toUpperCase() : 'FULL';
  if (config.upsertConfig !== undefined && config.upsertConfig !== null && mode !== 'NONE') {
    throw new ShardtableError('CLUSTER_UNSUPPORTED', { field: 'upsertConfig', reason: `an upsert table (mode ${mode}) keeps one key map over all its shards, which no server of a cluster holds; use mode NONE or a server without --cluster` });
  }
  if (config.dedupConfig?.dedupEnabled === true) {
    throw new ShardtableError('CLUSTER_UNSUPPORTED', { field: 'dedupConfig.dedupEnabled', reason: 'a dedup table keeps one key map over all its shards, which no server of a cluster holds; use a server without --cluster' });
  }
}
