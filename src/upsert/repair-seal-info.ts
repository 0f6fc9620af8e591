import type { TableSchema } from '../config/schema.js';
import type { UpsertSettings } from '../config/upsert-config.js';
import { sealPermutation } from '../segment/index.js';
import type { ConsumingSegment, UpsertSealInfo } from '../segment/index.js';
import { isNumericComparison } from './comparison-values.js';
import { keyColumnsOf, primaryKeyOf } from './record-keys.js';
import { storedComparisons, tieLosersOf } from './upsert-slots.js';

/**
 * The upsert footer of an online repair segment that stands in for one quarantined segment
 * (`docs/upsert.md`, "Gap repairs"): the quarantined file's `commitOrder`, so a rebuild applies
 * the re-read rows where the lost ones were and their ties with rows before and after resolve as
 * they did, and the repair's own tie losers (rows of one key with its greatest comparison value
 * in the repair, all but the last read), in the sealed file's doc order. The repair indexes
 * without the key map, so a key's rows are grouped here by their stored key cells.
 *
 * Several comparison columns: no tie losers (the file carries no replay order; its rows are
 * applied in doc order, as a repair at start's are).
 *
 * @example
 *   await sealSegment(repair, { tableDir, endOfShard: false, upsert: repairSealInfo(schema, config.upsert, repair, 7) });
 */
export function repairSealInfo(schema: TableSchema, settings: UpsertSettings, segment: ConsumingSegment, commitOrder: number): UpsertSealInfo {
  const columns = keyColumnsOf(schema, settings);
  if (columns.comparisons.length > 1) return { commitOrder, tieLosers: [] };
  const n = segment.numDocs;
  const keyNames = columns.keys.map((i) => schema.columns[i]!.name);
  const ids = new Map<string, number>();
  const entries = new Int32Array(n);
  for (let doc = 0; doc < n; doc++) {
    const key = primaryKeyOf(keyNames.map((name) => segment.getValue(name, doc)));
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    entries[doc] = id;
  }
  const perm = sealPermutation(segment.snapshot(), segment.indexing);
  const comparisons = storedComparisons(schema, columns.comparisons, isNumericComparison(schema, columns.comparisons), segment);
  return { commitOrder, tieLosers: tieLosersOf(entries, n, ids.size, perm, ...comparisons) };
}
