/** Upsert and dedup tables: the key map, live-row bitmaps over segments, partial-upsert merges. */
export { UpsertKeyMap } from './upsert-key-map.js';
export type { UpsertCounters } from './upsert-counters.js';
export { DedupKeys } from './dedup-keys.js';
export type { KeyedRows } from './keyed-rows.js';
export { mergePartialRow, planPartialUpsert, PARTIAL_UPSERT_STRATEGIES } from './partial-merge.js';
export type { PartialUpsertPlan, PartialUpsertStrategy, UpsertRow } from './partial-merge.js';
export { repairSealInfo } from './repair-seal-info.js';
