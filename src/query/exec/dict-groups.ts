import { storedTypeOf } from '../../config/data-type.js';
import type { Dictionary } from '../../segment/segment-view.js';
import type { DictKey } from './dict-keys.js';
import type { GroupKeyTable } from './group-keys.js';
import { dictionaryNumbers } from './numeric-values.js';
import type { ColumnBlock } from './segment-snapshot.js';
import { NumberTable } from './number-table.js';
import { SortedKeyIndex } from './sorted-key-index.js';

const UNKNOWN = -1;
const DROPPED = -2;
/** Composite dictionary ids up to this many combinations get an array instead of a map. */
const DENSE_COMPOSITE_LIMIT = 1 << 20;
/** Selections smaller than this resolve ids lazily rather than merging the whole dictionary. */
const BULK_LOOKUP_MIN_ROWS = 1024;

/** Per-dictionary memo of id (or composite of ids) → group: UNKNOWN, DROPPED or a group id. */
interface IdMemo {
  readonly dicts: readonly Dictionary[];
  readonly sizes: readonly number[];
  readonly dense: Int32Array | null;
  /** Composite → group + 2 (so DROPPED is 0) when combinations are too many for an array: typed, as it may hold a million entries per segment. */
  readonly sparse: NumberTable | null;
  /** Groups from here on were created while this memo was current. */
  readonly firstGroup: number;
  /** The dictionary's numbers when it is a sorted integer key that `SortedKeyIndex` keeps. */
  readonly sortedInts: Float64Array | null;
  /**
   * Set when the index held every group of the table as this memo began and all ids were looked
   * up in it: an id it did not find has no group yet, made without a hash lookup.
   */
  readonly fresh: boolean;
}

/**
 * Groups of rows whose keys are dictionary-encoded: each distinct id (or combination of ids) of
 * the current segment is resolved to a group once and memoised in an array indexed by id, so a
 * row costs one array read. Group ids go to `gids[i]` for `sel[i]` (negative: dropped by the
 * limit); the methods return whether any row was dropped.
 *
 * A sorted integer key column (a sealed segment's dictionary) also feeds a `SortedKeyIndex`, so
 * the next segment's ids find their groups in one merge pass rather than one hash probe each.
 */
export class DictGroups {
  private memo: IdMemo | null = null;
  private readonly index = new SortedKeyIndex();
  /**
   * The dense memos' buffer, reused by the memo of each next segment (a memo is retired before
   * the next is made): a GROUP BY over many segments allocates it once, not once per segment.
   */
  private denseBuffer = new Int32Array(0);

  constructor(private readonly table: GroupKeyTable) {}

  /** Bytes of the current memo and the sorted key index (for the query's memory reservation). */
  byteSize(): number {
    const m = this.memo;
    return this.index.byteSize() + this.denseBuffer.byteLength + (m?.sparse?.byteSize() ?? 0);
  }

  /** A dense memo of `size` entries, all `UNKNOWN`, in the reused buffer. */
  private denseMemo(size: number): Int32Array {
    // An eighth more than asked: the segments' dictionaries are about the same size.
    if (this.denseBuffer.length < size) this.denseBuffer = new Int32Array(size + (size >>> 3));
    return this.denseBuffer.subarray(0, size).fill(UNKNOWN);
  }

  /** A single key column; null when its memo cannot be built. */
  byId(col: ColumnBlock, sel: Int32Array, n: number, gids: Int32Array): boolean | null {
    const memo = this.memoFor([col], n);
    if (memo === null) return null;
    const ids = col.dictIds!;
    const byId = memo.dense!;
    const resolve = this.resolver(col);
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const id = ids[sel[i]!]!;
      let g = byId[id]!;
      if (g === UNKNOWN) {
        g = resolve(id);
        byId[id] = g < 0 ? DROPPED : g;
      }
      if (g < 0) dropped = true;
      gids[i] = g;
    }
    return dropped;
  }

  /**
   * The groups of dictionary ids `ids[0..n)` of `col`'s dictionary (ascending, distinct: ids
   * with rows counted per id, `IdCounts`), created if new, to `gids`; null when its memo cannot
   * be built. Negative: dropped.
   */
  ofIds(col: ColumnBlock, ids: Int32Array, n: number, gids: Int32Array): boolean | null {
    const memo = this.memoFor([col], n);
    if (memo === null) return null;
    const byId = memo.dense!;
    const resolve = this.resolver(col);
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      let g = byId[id]!;
      if (g === UNKNOWN) {
        g = resolve(id);
        byId[id] = g < 0 ? DROPPED : g;
      }
      if (g < 0) dropped = true;
      gids[i] = g;
    }
    return dropped;
  }

  /** The group of a dictionary id, created if new; -1 when dropped. */
  private resolver(col: ColumnBlock): (id: number) => number {
    const dict = col.dictionary!;
    const table = this.table;
    const stored = storedTypeOf(col.spec.dataType);
    if (stored === 'STRING' || stored === 'BYTES') return (id) => table.idOf(dict.get(id));
    // Numbers, and bigints that are safe integers, are filed under their double: no bigint is made.
    const nums = dictionaryNumbers(dict);
    const kind = stored === 'LONG' ? 'long' : 'num';
    // Ids the sorted index did not find are new keys (`IdMemo.fresh`): no hash lookup.
    const fresh = this.memo?.fresh === true;
    return (id) => {
      const x = nums[id]!;
      if (kind === 'num' || (x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER)) return fresh ? table.appendNumeric(kind, x) : table.idOfNumeric(kind, x);
      return table.idOf(dict.get(id));
    };
  }

  /** An expression over one dictionary column: evaluated once per id (or once per run of ids). */
  byKey(key: DictKey, sel: Int32Array, n: number, gids: Int32Array): boolean {
    const memo = this.memoFor([key.column], 0)!;
    const ids = key.column.dictIds!;
    const byId = memo.dense!;
    const size = memo.sizes[0]!;
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const id = ids[sel[i]!]!;
      let g = byId[id]!;
      if (g === UNKNOWN) {
        const k = key.runKey === null ? Number.NaN : key.runKey(id);
        if (k === k) {
          g = this.table.idOfNumeric('long', k);
          const [lo, hi] = runAround(key.runKey!, id, k, size);
          byId.fill(g < 0 ? DROPPED : g, lo, hi + 1);
        } else {
          g = this.table.idOf(key.exact(id));
          byId[id] = g < 0 ? DROPPED : g;
        }
      }
      if (g < 0) dropped = true;
      gids[i] = g;
    }
    return dropped;
  }

  /** Several key columns: the memo maps each combination of ids; null when combinations do not fit a double. */
  byIds(cols: readonly ColumnBlock[], sel: Int32Array, n: number, gids: Int32Array): boolean | null {
    const memo = this.memoFor(cols, n);
    if (memo === null) return null;
    const ids = cols.map((c) => c.dictIds!);
    const dicts = memo.dicts;
    const k = cols.length;
    const strides: number[] = [];
    let stride = 1;
    for (let j = 0; j < k; j++) {
      strides.push(stride);
      stride *= memo.sizes[j]!;
    }
    const values = new Array<unknown>(k);
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      let composite = 0;
      for (let j = 0; j < k; j++) composite += ids[j]![r]! * strides[j]!;
      let g = memo.dense !== null ? memo.dense[composite]! : sparseGet(memo.sparse!, composite);
      if (g === UNKNOWN) {
        for (let j = 0; j < k; j++) values[j] = dicts[j]!.get(ids[j]![r]!);
        g = this.table.idOfComposite(values);
        if (g < 0) g = DROPPED;
        if (memo.dense !== null) memo.dense[composite] = g;
        else memo.sparse!.insert(composite, g + 2);
      }
      if (g < 0) dropped = true;
      gids[i] = g;
    }
    return dropped;
  }

  /**
   * The id memo of these dictionaries (kept while blocks come from the same segment); null if
   * ids do not fit a double. A new memo for a sorted integer key column starts with the groups
   * `SortedKeyIndex` knows, when `n` rows make that worth a pass over the dictionary.
   */
  private memoFor(cols: readonly ColumnBlock[], n: number): IdMemo | null {
    const dicts = cols.map((c) => c.dictionary!);
    const sizes = dicts.map((d) => d.size);
    const m = this.memo;
    if (m !== null && m.dicts.every((d, j) => d === dicts[j] && m.sizes[j] === sizes[j])) return m;
    // A consuming dictionary that grew changes the strides: start a new memo (cheap, rare).
    let combinations = 1;
    for (const s of sizes) combinations *= Math.max(1, s);
    if (combinations >= 2 ** 52) return null;
    this.retireMemo();
    const dense = cols.length === 1 || combinations <= DENSE_COMPOSITE_LIMIT ? this.denseMemo(Math.max(1, combinations)) : null;
    const stored = storedTypeOf(cols[0]!.spec.dataType);
    const indexable = n > 0 && cols.length === 1 && dicts[0]!.sorted && (stored === 'INT' || stored === 'LONG');
    const sortedInts = indexable ? dictionaryNumbers(dicts[0]!) : null;
    let fresh = false;
    // Bulk lookup bypasses the per-segment group count, so only where the limit cannot bind.
    if (sortedInts !== null && n >= BULK_LOOKUP_MIN_ROWS && this.table.segmentHasRoomFor(sizes[0]!)) {
      // A scan of the segment: most ids will be looked up, so find them in one merge pass and
      // size the hash table for the ones that may be new. When the index holds every group (every
      // group so far came through such memos), the ones it misses are new: made without hashing.
      fresh = this.index.size === this.table.size;
      const found = this.index.size > 0 ? this.index.lookupAll(sortedInts, sizes[0]!, dense!) : 0;
      this.table.reserve(Math.min(sizes[0]! - found, this.table.segmentRoom()), !fresh);
    }
    this.memo = { dicts, sizes, dense, sparse: dense === null ? new NumberTable() : null, firstGroup: this.table.size, sortedInts, fresh };
    return this.memo;
  }

  /** Adds the groups created through the current memo to the sorted index (ids ascend, so keys do). */
  private retireMemo(): void {
    const m = this.memo;
    this.memo = null;
    if (m === null || m.sortedInts === null) return;
    const byId = m.dense!;
    const nums = m.sortedInts;
    const size = m.sizes[0]!;
    let count = 0;
    for (let id = 0; id < size; id++) if (byId[id]! >= m.firstGroup) count++;
    const keys = new Float64Array(count);
    const gids = new Int32Array(count);
    let j = 0;
    for (let id = 0; id < size; id++) {
      const g = byId[id]!;
      const k = nums[id]!;
      if (g >= m.firstGroup && k >= -Number.MAX_SAFE_INTEGER && k <= Number.MAX_SAFE_INTEGER) {
        keys[j] = k;
        gids[j++] = g;
      }
    }
    this.index.add(keys, gids, j);
  }

  /** A single multi-value dictionary column: `emit(row, group)` once per value of each cell (dropped values left out). */
  byIdsMv(col: ColumnBlock, sel: Int32Array, n: number, emit: (row: number, g: number) => void): void {
    const memo = this.memoFor([col], 0)!;
    const ids = col.dictIds!;
    const offsets = col.offsets!;
    const resolve = this.resolver(col);
    const byId = memo.dense!;
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      const end = offsets[r + 1]!;
      for (let v = offsets[r]!; v < end; v++) {
        const id = ids[v]!;
        let g = byId[id]!;
        if (g === UNKNOWN) {
          g = resolve(id);
          byId[id] = g < 0 ? DROPPED : g;
        }
        if (g >= 0) emit(r, g);
      }
    }
  }
}

/** A sparse memo's group for `composite`, UNKNOWN when it has none. */
function sparseGet(sparse: NumberTable, composite: number): number {
  const v = sparse.get(composite);
  return v < 0 ? UNKNOWN : v - 2;
}

/**
 * The ids `[lo, hi]` around `id` whose key is `k`, for a key monotone in the id: galloping out
 * from `id`, then binary search.
 */
function runAround(key: (id: number) => number, id: number, k: number, size: number): [number, number] {
  let inside = id;
  let step = 1;
  let outside = id + step;
  while (outside < size && key(outside) === k) {
    inside = outside;
    step *= 2;
    outside = id + step;
  }
  outside = Math.min(outside, size);
  while (outside - inside > 1) {
    const mid = (inside + outside) >>> 1;
    if (key(mid) === k) inside = mid;
    else outside = mid;
  }
  const hi = inside;
  inside = id;
  step = 1;
  outside = id - step;
  while (outside >= 0 && key(outside) === k) {
    inside = outside;
    step *= 2;
    outside = id - step;
  }
  outside = Math.max(outside, -1);
  while (inside - outside > 1) {
    const mid = (inside + outside) >>> 1;
    if (key(mid) === k) inside = mid;
    else outside = mid;
  }
  return [inside, hi];
}

