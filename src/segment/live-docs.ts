/**
 * Which docs of one segment are live in an upsert table, as two bitmaps (bit d = doc d):
 * `valid` holds each primary key's latest row (deleted keys' included), `queryable` the same
 * without deleted keys. Rows of an append table have no `LiveDocs`; every row is live.
 *
 * Frozen views: the owner (the table's key map) mutates the bitmaps as records arrive; a query
 * calls {@link LiveDocs.freeze} at the moment it takes its segment snapshot and gets arrays that
 * never change afterwards (copy-on-write: the next mutation copies first). All freezes of a table
 * are taken in one synchronous step, and every key-map update (old row out, new row in) is one
 * synchronous step too, so a query sees each key's live row exactly once.
 *
 * @example
 *   const live = new LiveDocs();
 *   live.add(0, false);
 *   const frozen = live.freeze(); // isBitSet(frozen.queryable, 0) stays true after live.remove(0)
 */
export interface FrozenLiveDocs {
  readonly valid: Uint8Array;
  readonly queryable: Uint8Array;
  /** Bits set in `valid` and `queryable` when frozen (the broker response's live-row count). */
  readonly numValid: number;
  readonly numQueryable: number;
}

export class LiveDocs {
  private valid: Uint8Array;
  private queryable: Uint8Array;
  private shared = false;
  private validCount = 0;
  private queryableCount = 0;

  constructor(capacityDocs = 64) {
    this.valid = new Uint8Array(Math.max(8, (capacityDocs + 7) >> 3));
    this.queryable = new Uint8Array(this.valid.length);
  }

  /** Rows that are some key's latest (deleted keys included). */
  get numValid(): number {
    return this.validCount;
  }

  /** Rows a query sees by default. */
  get numQueryable(): number {
    return this.queryableCount;
  }

  isValid(doc: number): boolean {
    return ((this.valid[doc >> 3] ?? 0) & (1 << (doc & 7))) !== 0;
  }

  isQueryable(doc: number): boolean {
    return ((this.queryable[doc >> 3] ?? 0) & (1 << (doc & 7))) !== 0;
  }

  /** Marks `doc` as its key's latest row; `deleted` keeps it out of default queries. */
  add(doc: number, deleted: boolean): void {
    this.writable(doc);
    const byte = doc >> 3;
    const bit = 1 << (doc & 7);
    if ((this.valid[byte]! & bit) === 0) this.validCount++;
    this.valid[byte]! |= bit;
    const wasQueryable = (this.queryable[byte]! & bit) !== 0;
    if (deleted) {
      if (wasQueryable) this.queryableCount--;
      this.queryable[byte]! &= ~bit;
    } else {
      if (!wasQueryable) this.queryableCount++;
      this.queryable[byte]! |= bit;
    }
  }

  /** `doc` is no longer its key's latest row. */
  remove(doc: number): void {
    if (!this.isValid(doc)) return;
    this.writable(doc);
    const byte = doc >> 3;
    const bit = 1 << (doc & 7);
    this.validCount--;
    this.valid[byte]! &= ~bit;
    if ((this.queryable[byte]! & bit) !== 0) this.queryableCount--;
    this.queryable[byte]! &= ~bit;
  }

  /** The bitmaps as they are now, never changed afterwards (see the class comment). */
  freeze(): FrozenLiveDocs {
    this.shared = true;
    return { valid: this.valid, queryable: this.queryable, numValid: this.validCount, numQueryable: this.queryableCount };
  }

  /** A copy with docs renumbered: `perm[newDoc] = oldDoc` (a seal's sort order). */
  permuted(perm: Int32Array | null, numDocs: number): LiveDocs {
    const out = new LiveDocs(numDocs);
    for (let d = 0; d < numDocs; d++) {
      const old = perm === null ? d : perm[d]!;
      if (this.isValid(old)) out.add(d, !this.isQueryable(old));
    }
    return out;
  }

  private writable(doc: number): void {
    const need = (doc >> 3) + 1;
    if (!this.shared && need <= this.valid.length) return;
    const size = need <= this.valid.length ? this.valid.length : Math.max(need, this.valid.length * 2);
    const valid = new Uint8Array(size);
    valid.set(this.valid);
    const queryable = new Uint8Array(size);
    queryable.set(this.queryable);
    this.valid = valid;
    this.queryable = queryable;
    this.shared = false;
  }
}
