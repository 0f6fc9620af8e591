import { blockCache } from '../../segment/reader/block-cache.js';
import { currentReservation } from '../../segment/reader/query-memory.js';

/**
 * Counts `bytes` that queries derived from `owner` (a sealed dictionary's decoded numbers or
 * values, its predicate matches) and that live as long as it does: into the owner's cache entry
 * when it is cached (they leave the budget together), else into the running query's reservation.
 */
export function chargeDerived(owner: object, bytes: number): void {
  if (bytes <= 0) return;
  if (!blockCache.chargeValue(owner, bytes)) currentReservation()?.add(bytes);
}
