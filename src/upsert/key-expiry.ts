/** How `KeyExpiry.run` reads and removes the key map's entries. */
export interface ExpiringKeys {
  isKey(id: number): boolean;
  isDeleted(id: number): boolean;
  comparison(id: number): number;
  /** Takes `id` out of the map; `invalidateRow`: its row stops being valid too (deletedKeysTTL). */
  remove(id: number, invalidateRow: boolean): void;
}

/**
 * `metadataTTL` and `deletedKeysTTL` of an upsert table, as Pinot enforces them, at each commit
 * (`docs/upsert.md`, "TTLs"). The watermark is the largest comparison value of the committed
 * rows; a key whose comparison value is below `watermark − metadataTTL` leaves the key map (its
 * row stays live), a deleted key below `watermark − deletedKeysTTL` leaves it and its row stops
 * being valid. Removed ids are queued until `release` says nothing can name them any more.
 *
 * @example
 *   expiry.committed(slot.maxCmp);
 *   expiry.run(index.idLimit, keys);
 */
export class KeyExpiry {
  /** True when a TTL is set (the config layer has checked the comparison column is numeric). */
  readonly enabled: boolean;
  private watermark = Number.NEGATIVE_INFINITY;
  /** Expiry runs so far (a slot records it at birth). */
  runs = 0;
  private queueIds: number[] = [];
  private queueRuns: number[] = [];
  private head = 0;
  readonly counts = { metadataTTLKeysRemoved: 0, deletedKeysTTLKeysRemoved: 0 };

  constructor(
    private readonly metadataTTL: number,
    private readonly deletedKeysTTL: number,
    numeric: boolean,
  ) {
    this.enabled = numeric && (metadataTTL > 0 || deletedKeysTTL > 0);
  }

  /** The largest comparison value committed so far (-Infinity before the first). */
  get largestCommitted(): number {
    return this.watermark;
  }

  /** A segment with this largest comparison value was committed. */
  committed(maxComparison: number): void {
    if (maxComparison > this.watermark) this.watermark = maxComparison;
  }

  /**
   * Removes the expired keys among ids below `idLimit`; `metadata: false` applies only
   * `deletedKeysTTL` (a rebuild: see `UpsertKeyMap.rebuild`).
   */
  run(idLimit: number, keys: ExpiringKeys, metadataToo = true): void {
    if (!this.enabled || this.watermark === Number.NEGATIVE_INFINITY) return;
    const metadata = this.metadataTTL > 0 && metadataToo ? this.watermark - this.metadataTTL : Number.NEGATIVE_INFINITY;
    const deleted = this.deletedKeysTTL > 0 ? this.watermark - this.deletedKeysTTL : Number.NEGATIVE_INFINITY;
    this.runs++;
    for (let id = 0; id < idLimit; id++) {
      if (!keys.isKey(id)) continue;
      const value = keys.comparison(id);
      if (value < metadata) {
        keys.remove(id, false);
        this.counts.metadataTTLKeysRemoved++;
      } else if (value < deleted && keys.isDeleted(id)) {
        keys.remove(id, true);
        this.counts.deletedKeysTTLKeysRemoved++;
      } else continue;
      this.queueIds.push(id);
      this.queueRuns.push(this.runs);
    }
  }

  /** Ids removed outside a TTL run (their segment left the table): queued as if expired now. */
  removed(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.runs++;
    for (const id of ids) {
      this.queueIds.push(id);
      this.queueRuns.push(this.runs);
    }
  }

  /** Hands back the ids removed by runs up to `oldestEpoch` (the oldest consuming slot's birth). */
  release(oldestEpoch: number, recycle: (id: number) => void): void {
    while (this.head < this.queueIds.length && this.queueRuns[this.head]! <= oldestEpoch) recycle(this.queueIds[this.head++]!);
    if (this.head > 4096 && this.head * 2 > this.queueIds.length) {
      this.queueIds = this.queueIds.slice(this.head);
      this.queueRuns = this.queueRuns.slice(this.head);
      this.head = 0;
    }
  }
}
