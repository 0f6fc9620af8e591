import { HASH_SEED, KIND_LONG, KIND_NUM, KIND_POOL, KeyPool, kindOf, mixKey, sameCode } from './key-columns.js';
import type { KeyColumnPartial, NumericKeyKind } from './key-columns.js';
import { SegmentGroups } from './segment-groups.js';

const MIN_GROUPS = 1024;
const MIN_SLOTS = 2048;

/**
 * The groups of one query: key values → dense group ids `0, 1, …` in order of first sight. The
 * limit (`numGroupsLimit`) applies per segment, as Pinot's group key generators apply it: a
 * segment may touch at most `limit` distinct groups (new or already made by earlier segments);
 * a key beyond that gets -1 for the rest of the segment and sets `limitReached` (Pinot's
 * `numGroupsLimitReached`). Call `beginSegment` before each segment's rows.
 *
 * Equal keys are what `valueKey` makes equal: numbers by SameValueZero (-0 = 0, NaN = NaN),
 * bigints, strings and bytes by value, and a number never equals a bigint.
 *
 * Compact by construction (issue 16: ten million groups must not cost gigabytes): no object,
 * string or boxed number per group. Key `j` of group `g` is a kind and a double code in typed
 * columns (`kinds[j][g]`, `codes[j][g]`: the number itself, a safe-integer bigint as its number,
 * or the id of a string or other value interned once per distinct value in the column's
 * `KeyPool`); groups are found through one open-addressing hash table of `[hash, group + 1]`
 * int32 pairs (linear probing, at most 3/4 full), the hash kept so that a probe rejects other
 * keys without reading their codes and a resize does not rehash. 21-36 bytes per group for a
 * single numeric key (`byteSize`), plus 9-14 per further key.
 */
export class GroupKeyTable {
  size = 0;
  private readonly width: number;
  private readonly kinds: Uint8Array[];
  private readonly codes: Float64Array[];
  readonly pools: KeyPool[];
  /** Room in the per-group columns. */
  private capacity = 0;
  /** Slot `s`: hash at `2s`, group + 1 at `2s + 1` (0 = empty). */
  private slots: Int32Array = new Int32Array(2 * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  /** Where the last failed lookup stopped: the free slot its key would take. */
  private probe = 0;
  /**
   * Groups `[unhashedFrom, size)` (single numeric keys made by `appendNumeric`) are not in the
   * hash slots yet: any lookup by hash files them first (`fileUnhashed`). -1: none.
   */
  private unhashedFrom = -1;
  /** Pinot's per-segment limit (`SegmentGroups`; a merge sets its `limitReached` from a partial's). */
  readonly segment: SegmentGroups;
  /** A composite key being looked up. */
  private readonly tupleKinds: Uint8Array;
  private readonly tupleCodes: Float64Array;

  /**
   * `resultCap`: groups the answer can show at most when any will do (GROUP BY without ORDER BY
   * or HAVING: `offset + limit`, as Pinot stops accepting new groups there). Once that many exist,
   * a new key is skipped (-1) without being counted or flagged: the groups answered still
   * aggregate every one of their rows. `beforeGrow`: lets the query's reservation make room first.
   */
  constructor(
    numKeys: number,
    limit: number,
    private readonly resultCap = Number.POSITIVE_INFINITY,
    private readonly beforeGrow?: (bytes: number) => void, // told what a resize will allocate beside the arrays it replaces
  ) {
    this.segment = new SegmentGroups(limit);
    this.width = numKeys;
    this.kinds = Array.from({ length: numKeys }, () => new Uint8Array(0));
    this.codes = Array.from({ length: numKeys }, () => new Float64Array(0));
    this.pools = Array.from({ length: numKeys }, () => new KeyPool());
    this.tupleKinds = new Uint8Array(numKeys);
    this.tupleCodes = new Float64Array(numKeys);
    this.growGroups(MIN_GROUPS);
  }

  /**
   * The group of the single key filed under number `k`: the number itself (`num`), or the
   * bigint equal to it (`long`, `k` a safe integer); created if new; -1 when the limit drops it.
   */
  idOfNumeric(kind: NumericKeyKind, k: number): number {
    if (this.unhashedFrom >= 0) this.fileUnhashed();
    return this.idOfSingle(kind === 'num' ? KIND_NUM : KIND_LONG, k);
  }

  /**
   * A new group for the single key filed under number `k` (as `idOfNumeric` files it), for a
   * caller that knows no group has that key (a sorted index of every group missed it): the group
   * is not filed in the hash slots until a lookup by hash needs them, so a scan that finds
   * every group through `SortedKeyIndex` never builds them. -1 when the limit or the result cap
   * refuses it (as `idOfNumeric` for a new key).
   */
  appendNumeric(kind: NumericKeyKind, k: number): number {
    const g = this.create();
    if (g < 0) return g;
    if (this.unhashedFrom < 0) this.unhashedFrom = g;
    this.setKey(0, g, kind === 'num' ? KIND_NUM : KIND_LONG, k);
    return g;
  }

  /** Files the groups `appendNumeric` made in the hash slots. */
  private fileUnhashed(): void {
    const from = this.unhashedFrom;
    this.unhashedFrom = -1;
    for (let g = from; g < this.size; g++) this.place(g, mixKey(HASH_SEED, this.kinds[0]![g]!, this.codes[0]![g]!));
  }

  /** Makes room for `count` more groups without resizing (`hashed` false: in the group columns only, for `appendNumeric`). */
  reserve(count: number, hashed = true): void {
    const want = this.size + count;
    if (want > this.capacity) this.growGroups(want);
    if (!hashed) return;
    let slots = this.mask + 1;
    while (want > slots - (slots >>> 2)) slots *= 2;
    if (slots > this.mask + 1) this.rehash(slots);
  }

  /** The group of a single key value, created if new; -1 when the limit drops it. */
  idOf(v: unknown): number {
    if (this.unhashedFrom >= 0) this.fileUnhashed();
    const kind = kindOf(v);
    if (kind !== KIND_POOL) return this.idOfSingle(kind, kind === KIND_NUM ? (v as number) : Number(v as bigint));
    const pool = this.pools[0]!;
    const id = pool.lookup(v);
    if (id >= 0) return this.idOfSingle(KIND_POOL, id);
    // A value never seen: its group is new.
    const g = this.create();
    if (g >= 0) this.place(g, mixKey(HASH_SEED, KIND_POOL, this.setKey(0, g, KIND_POOL, pool.intern(v))));
    return g;
  }

  /** The group of a composite key (one value per GROUP BY expression), created if new; -1 when dropped. */
  idOfComposite(values: readonly unknown[]): number {
    if (this.unhashedFrom >= 0) this.fileUnhashed();
    const kinds = this.tupleKinds;
    const codes = this.tupleCodes;
    let known = true;
    for (let j = 0; j < this.width; j++) {
      const v = values[j];
      const kind = kindOf(v);
      kinds[j] = kind;
      if (kind === KIND_NUM) codes[j] = v as number;
      else if (kind === KIND_LONG) codes[j] = Number(v as bigint);
      else {
        const id = this.pools[j]!.lookup(v);
        codes[j] = id;
        if (id < 0) known = false;
      }
    }
    if (known) return this.idOfTuple();
    const g = this.create();
    if (g < 0) return g;
    for (let j = 0; j < this.width; j++) if (kinds[j] === KIND_POOL) codes[j] = this.pools[j]!.intern(values[j]);
    this.place(g, this.storeTuple(g));
    return g;
  }

  /**
   * Adds the groups of a partial made elsewhere (its key columns, `count` groups, first-seen
   * order) and returns the local group of each, without building any key value.
   */
  importGroups(keys: readonly KeyColumnPartial[], count: number): Int32Array {
    if (this.unhashedFrom >= 0) this.fileUnhashed();
    this.reserve(count);
    const gids = new Int32Array(count);
    // Pool ids of the partial → pool ids here.
    const remap = keys.map((k, j) => Int32Array.from(k.pool, (v) => this.pools[j]!.intern(v)));
    const kinds = this.tupleKinds;
    const codes = this.tupleCodes;
    for (let g = 0; g < count; g++) {
      for (let j = 0; j < this.width; j++) {
        const kind = keys[j]!.kinds[g]!;
        const code = keys[j]!.codes[g]!;
        kinds[j] = kind;
        codes[j] = kind === KIND_POOL ? remap[j]![code]! : code;
      }
      gids[g] = this.width === 1 ? this.idOfSingle(kinds[0]!, codes[0]!) : this.idOfTuple();
    }
    return gids;
  }

  /** Every group's keys as typed columns (see `KeyColumnPartial`), for `importGroups` elsewhere. */
  exportGroups(): KeyColumnPartial[] {
    return this.kinds.map((kinds, j) => ({ kinds: kinds.slice(0, this.size), codes: this.codes[j]!.slice(0, this.size), pool: this.pools[j]!.values.slice() }));
  }

  /** The value of key `j` of group `g`. */
  keyValue(j: number, g: number): unknown {
    const code = this.codes[j]![g]!;
    const kind = this.kinds[j]![g]!;
    if (kind === KIND_NUM) return code;
    if (kind === KIND_LONG) return BigInt(code);
    return this.pools[j]!.values[code];
  }

  /** The key values of group `g`. */
  keysOf(g: number): unknown[] {
    return Array.from({ length: this.width }, (_, j) => this.keyValue(j, g));
  }

  /**
   * Key `j` of every group, for ordering only: a bigint may appear as the number equal to it,
   * which `compareValues` orders the same. The code column itself when no value is pooled.
   */
  sortKeys(j: number): ArrayLike<unknown> {
    const codes = this.codes[j]!.subarray(0, this.size);
    if (this.pools[j]!.values.length === 0) return codes;
    const kinds = this.kinds[j]!;
    const values = this.pools[j]!.values;
    return Array.from(codes, (c, g) => (kinds[g] === KIND_POOL ? values[c] : c));
  }

  /** Bytes held by the table's typed arrays (the per-group cost; pooled values not included). */
  byteSize(): number {
    let bytes = this.slots.byteLength + this.segment.byteLength;
    for (let j = 0; j < this.width; j++) bytes += this.kinds[j]!.byteLength + this.codes[j]!.byteLength;
    return bytes;
  }

  /** Whether a segment met a group it could not touch (Pinot's `numGroupsLimitReached`). */
  get limitReached(): boolean {
    return this.segment.limitReached;
  }

  /** Starts a new segment: it may touch `limit` distinct groups again. */
  beginSegment(): void {
    this.segment.beginSegment();
  }

  /** Starts merging a partial made elsewhere (see `SegmentGroups.beginMerge`): no group is dropped. */
  beginMerge(): void {
    this.segment.beginMerge();
  }

  /** Whether the current segment can still touch `count` more new groups (bulk callers ask first). */
  segmentHasRoomFor(count: number): boolean {
    return this.segment.hasRoomFor(count);
  }

  /** How many more groups the current segment may touch. */
  segmentRoom(): number {
    return this.segment.room();
  }

  /** A single key's group by kind and code (a pool id for `KIND_POOL`), created if new. */
  private idOfSingle(kind: number, code: number): number {
    const h = mixKey(HASH_SEED, kind, code);
    if (this.segment.full) return this.segment.admit(this.findSingle(kind, code, h));
    if (this.size >= this.resultCap) {
      const g = this.findSingle(kind, code, h);
      return g < 0 ? -1 : this.segment.admit(g);
    }
    this.ensureSlot();
    const g = this.findSingle(kind, code, h);
    if (g >= 0) return this.segment.admit(g);
    const id = this.size;
    this.touchNew(id);
    this.size++;
    this.setKey(0, id, kind, code);
    this.slots[2 * this.probe] = h;
    this.slots[2 * this.probe + 1] = id + 1;
    return id;
  }

  /** The group of the tuple in `tupleKinds` / `tupleCodes` (pooled values all interned), created if new. */
  private idOfTuple(): number {
    let h = HASH_SEED;
    for (let j = 0; j < this.width; j++) h = mixKey(h, this.tupleKinds[j]!, this.tupleCodes[j]!);
    const mayCreate = !this.segment.full && this.size < this.resultCap;
    if (mayCreate) this.ensureSlot();
    const g = this.findTuple(h);
    if (g >= 0) return this.segment.admit(g);
    const id = this.create();
    if (id < 0) return id;
    // The slot table did not resize since the lookup (`ensureSlot` above): file at its free slot.
    this.storeTuple(id);
    this.slots[2 * this.probe] = h;
    this.slots[2 * this.probe + 1] = id + 1;
    return id;
  }

  private findSingle(kind: number, code: number, h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const codes = this.codes[0]!;
    const kinds = this.kinds[0]!;
    let s = h & mask;
    for (;;) {
      const e = slots[2 * s + 1]!;
      if (e === 0) {
        this.probe = s;
        return -1;
      }
      if (slots[2 * s] === h && sameCode(codes[e - 1]!, code) && kinds[e - 1] === kind) return e - 1;
      s = (s + 1) & mask;
    }
  }

  private findTuple(h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const e = slots[2 * s + 1]!;
      if (e === 0) {
        this.probe = s;
        return -1;
      }
      if (slots[2 * s] === h && this.tupleAt(e - 1)) return e - 1;
      s = (s + 1) & mask;
    }
  }

  /** Whether group `g`'s keys are the tuple being looked up. */
  private tupleAt(g: number): boolean {
    for (let j = 0; j < this.width; j++) {
      if (this.kinds[j]![g] !== this.tupleKinds[j] || !sameCode(this.codes[j]![g]!, this.tupleCodes[j]!)) return false;
    }
    return true;
  }

  /** Writes the tuple being looked up as group `g`'s keys; returns its hash. */
  private storeTuple(g: number): number {
    let h = HASH_SEED;
    for (let j = 0; j < this.width; j++) h = mixKey(h, this.tupleKinds[j]!, this.setKey(j, g, this.tupleKinds[j]!, this.tupleCodes[j]!));
    return h;
  }

  /** Sets key `j` of new group `g`; returns the code. */
  private setKey(j: number, g: number, kind: number, code: number): number {
    this.kinds[j]![g] = kind;
    this.codes[j]![g] = code;
    return code;
  }

  /** Files new group `g` (its keys set) under hash `h`. */
  private place(g: number, h: number): void {
    this.ensureSlot();
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
    slots[2 * s] = h;
    slots[2 * s + 1] = g + 1;
  }

  /** Resizes the hash table before it passes 3/4 full with one more group. */
  private ensureSlot(): void {
    const slots = this.mask + 1;
    if (this.size + 1 > slots - (slots >>> 2)) this.rehash(2 * slots);
  }

  private rehash(count: number): void {
    const old = this.slots;
    this.beforeGrow?.(8 * count);
    const slots = new Int32Array(2 * count);
    const mask = count - 1;
    for (let s = 0; s < old.length; s += 2) {
      const e = old[s + 1]!;
      if (e === 0) continue;
      const h = old[s]!;
      let t = h & mask;
      while (slots[2 * t + 1] !== 0) t = (t + 1) & mask;
      slots[2 * t] = h;
      slots[2 * t + 1] = e;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** Grows the per-group columns to hold at least `count` groups (by half again at least). */
  private growGroups(count: number): void {
    const capacity = Math.max(count, Math.ceil(this.capacity * 1.5), MIN_GROUPS);
    this.beforeGrow?.(capacity * (9 * this.width + 1)); // a kind and a code per key, the segment's mark
    const grown = <A extends Uint8Array | Float64Array>(a: A, b: A): A => {
      b.set(a.subarray(0, this.size));
      return b;
    };
    for (let j = 0; j < this.width; j++) {
      this.kinds[j] = grown(this.kinds[j]!, new Uint8Array(capacity));
      this.codes[j] = grown(this.codes[j]!, new Float64Array(capacity));
    }
    this.segment.grow(capacity, this.size);
    this.capacity = capacity;
  }

  /** Marks new group `g` as touched by this segment (making room for it). */
  private touchNew(g: number): void {
    if (g >= this.capacity) this.growGroups(g + 1);
    this.segment.touchNew(g);
  }

  /** A new group's id (keys to be set by the caller), or -1 when the limit or the result cap refuses it. */
  private create(): number {
    if (this.segment.full) {
      this.segment.limitReached = true;
      return -1;
    }
    if (this.size >= this.resultCap) return -1;
    this.touchNew(this.size);
    return this.size++;
  }
}
