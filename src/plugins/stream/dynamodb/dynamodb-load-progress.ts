/** What the initial load has read so far, for status and metrics (one per table runtime). */
export class LoadProgress {
  items = 0;
  bytes = 0;
  capacityUnits = 0;

  page(items: number, bytes: number, units: number): void {
    this.items += items;
    this.bytes += bytes;
    this.capacityUnits += units;
  }

  /** Percent of `itemCount` read (DynamoDB's approximate count; capped at 100, null when unknown). */
  percentOf(itemCount: number): number | null {
    if (itemCount <= 0) return null;
    return Math.min(100, Math.round((this.items / itemCount) * 1000) / 10);
  }
}
