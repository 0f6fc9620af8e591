import type { TableConfig } from '../config/table-config.js';

/** How a table merges its small sealed segments (`task.taskTypeConfigsMap.MergeRollupTask`). */
export interface CompactionSettings {
  /** Rows a merged segment holds at most (`maxNumRecordsPerSegment`). */
  readonly maxRowsPerSegment: number;
  /** Segments with fewer rows than this are merge candidates (`shardtable.smallSegmentRows`). */
  readonly smallSegmentRows: number;
  /** A merge needs at least this many adjacent small segments (`shardtable.minSegmentsToMerge`). */
  readonly minSegments: number;
  /** Time between background checks (`shardtable.intervalMs`). */
  readonly intervalMs: number;
}

const DEFAULT_MAX_ROWS = 5_000_000;
const DEFAULT_INTERVAL_MS = 60_000;

/**
 * Reads the table's compaction settings from Pinot's task config:
 * `task.taskTypeConfigsMap.MergeRollupTask` with `mergeType` (`concat`; `rollup` is refused — a
 * table with ingest-time rollup rolls up when it merges), `maxNumRecordsPerSegment`, and our own `shardtable.smallSegmentRows`,
 * `shardtable.minSegmentsToMerge`, `shardtable.intervalMs`. Pinot's per-level prefixes
 * (`1day.mergeType`) are accepted: the first level found is used. Null when the task is absent.
 * Throws an `Error` naming the key for a bad value.
 */
export function compactionSettingsOf(config: TableConfig): CompactionSettings | null {
  const task = (config.pinot as { task?: { taskTypeConfigsMap?: Record<string, Record<string, unknown>> } }).task;
  const map = task?.taskTypeConfigsMap?.MergeRollupTask;
  if (map === undefined || map === null || typeof map !== 'object') return null;
  const prefix = levelPrefix(map);
  const key = (name: string): string => `task.taskTypeConfigsMap.MergeRollupTask.${prefix}${name}`;
  const get = (name: string): unknown => map[`${prefix}${name}`] ?? map[name];
  const positive = (name: string, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${key(name)}: must be a positive whole number, got ${JSON.stringify(raw)}`);
    return n;
  };
  const mergeType = String(get('mergeType') ?? 'concat').toLowerCase();
  if (mergeType !== 'concat') throw new Error(`${key('mergeType')}: only "concat" is supported, got ${JSON.stringify(get('mergeType'))}`);
  const maxRowsPerSegment = positive('maxNumRecordsPerSegment', DEFAULT_MAX_ROWS);
  return {
    maxRowsPerSegment,
    smallSegmentRows: positive('shardtable.smallSegmentRows', Math.max(1, Math.floor(maxRowsPerSegment / 2))),
    minSegments: Math.max(2, positive('shardtable.minSegmentsToMerge', 2)),
    intervalMs: positive('shardtable.intervalMs', DEFAULT_INTERVAL_MS),
  };
}

function levelPrefix(map: Record<string, unknown>): string {
  for (const k of Object.keys(map)) {
    const m = /^([^.]+)\.mergeType$/.exec(k);
    if (m) return `${m[1]}.`;
  }
  return '';
}
