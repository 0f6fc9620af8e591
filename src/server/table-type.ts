import { rawTableName, REALTIME_SUFFIX } from '../config/table-config-validation.js';
import { ShardtableError } from '../errors.js';

/** Pinot's `?type=` query parameter. */
export interface TypeQuery {
  type?: string;
}

/** Pinot's `?type=` filter: only `realtime` (or none) can match a shardtable table. */
export function wantsOffline(query: TypeQuery): boolean {
  return query.type !== undefined && query.type.toUpperCase() === 'OFFLINE';
}

/**
 * The raw name of a table a per-table endpoint addresses; `?type=offline` is a 404 naming the
 * `_OFFLINE` table, as Pinot answers for a realtime-only table.
 */
export function realtimeTable(name: string, query: TypeQuery): string {
  const tableName = rawTableName(name);
  if (wantsOffline(query)) throw new ShardtableError('TABLE_NOT_FOUND', { name: `${tableName}_OFFLINE` });
  return tableName;
}

/** `events` → `events_REALTIME`. */
export function withType(tableName: string): string {
  return `${tableName}${REALTIME_SUFFIX}`;
}
