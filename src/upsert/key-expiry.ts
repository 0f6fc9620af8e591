/** How `KeyExpiry.run` reads and removes the key map's entries. */
export interface ExpiringKeys {
  isKey(id: number): boolean;
  isDeleted(id: number): boolean;
  comparison(id: number): number;
  /** The partition of the segment holding the key's live row (its watermark applies). */
  partition(id: number): number;
  /** Takes `id` out of the map; `invalidateRow`: its row stops being valid too (deletedKeysTTL). */
  remove(id: number, invalidateRow: boolean): void;
}

/**
 * `metadataTTL` and `deletedKeysTTL` of an upsert table, as Pinot enforces them, at each commit
 * (`docs/upsert.md`, "TTLs"). Each partition has its watermark, as in Pinot: the largest
 * comparison value of its committed rows. A key is held against the watermark of the partition of
 * its live row: below `watermark − metadataTTL` it leaves the key map (its row stays live), a
 * deleted key below `watermark − deletedKeysTTL` leaves it and its row stops being valid.
 * Removed ids are queued until `release` says nothing can name them any more.
 *
 * @example
 *   expiry.committed(slot.partition, slot.maxCmp);
 *   expiry.run(index.idLimit, keys);
 */
export class KeyExpiry {
  /** True when a TTL is set (the config layer has checked the comparison column is numeric). */
  readonly enabled: boolean;
  /** Watermark by partition. */
  private readonly watermarks = new Map<number, number>();
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

  /** The largest comparison value committed so far in `partition` (-Infinity before the first). */
  watermarkOf(partition: number): number {
    return this.watermarks.get(partition) ?? Number.NEGATIVE_INFINITY;
  }

  /** A segment of `partition` with this largest comparison value was committed. */
  committed(partition: number, maxComparison: number): void {
    if (maxComparison > this.watermarkOf(partition)) this.watermarks.set(partition, maxComparison);
  }

  /**
   * Removes the expired keys among ids below `idLimit`. `metadataToo: false` (a rebuild, see
   * `UpsertKeyMap.rebuild`) applies only `deletedKeysTTL`, and not to keys already below the
   * `metadataTTL` threshold: a run would have removed those by `metadataTTL`, keeping their rows
   * valid, so they wait for the first commit's full run.
   */
  run(idLimit: number, keys: ExpiringKeys, metadataToo = true): void {
    if (!this.enabled || this.watermarks.size === 0) return;
    const metadataTTL = this.metadataTTL > 0 ? this.metadataTTL : Number.POSITIVE_INFINITY;
    const deletedTTL = this.deletedKeysTTL > 0 ? this.deletedKeysTTL : Number.POSITIVE_INFINITY;
    this.runs++;
    let lastPartition = Number.NaN;
    let metadata = Number.NEGATIVE_INFINITY;
    let deleted = Number.NEGATIVE_INFINITY;
    for (let id = 0; id < idLimit; id++) {
      if (!keys.isKey(id)) continue;
      const partition = keys.partition(id);
      if (partition !== lastPartition) {
        lastPartition = partition;
        const mark = this.watermarkOf(partition);
        metadata = mark - metadataTTL;
        deleted = mark - deletedTTL;
      }
      const value = keys.comparison(id);
      if (value < metadata) {
        if (!metadataToo) continue;
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
