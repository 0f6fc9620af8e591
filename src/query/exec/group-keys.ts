import { valueKey } from '../functions/values.js';
import { NumberTable } from './number-table.js';

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Where a single key value lives in the table's maps: numbers, or bigints keyed by their number. */
export type NumericKeyKind = 'num' | 'long';

/**
 * The groups of one query: key values → dense group ids `0, 1, …` in order of first sight. The
 * limit (`numGroupsLimit`) applies per segment, as Pinot's group key generators apply it: a
 * segment may touch at most `limit` distinct groups (new or already made by earlier segments);
 * a key beyond that gets -1 for the rest of the segment and sets `limitReached` (Pinot's
 * `numGroupsLimitReached`). Call `beginSegment` before each segment's rows.
 *
 * Equal keys are what `valueKey` makes equal: numbers by SameValueZero (-0 = 0, NaN = NaN),
 * bigints, strings and bytes by value, and a number never equals a bigint. A single key is looked
 * up without building a string: numbers, and bigints that are safe integers (as their number),
 * in two typed hash tables (`NumberTable`); other bigints and strings in JS maps. Several keys
 * are joined into one `valueKey` string.
 */
export class GroupKeyTable {
  /**
   * `values[j][g]`: the value of key `j` of group `g` (as first seen), except that a single bigint
   * key created by `idOfNumeric` is held as its number (flagged in `asNumber`) until read.
   */
  private readonly values: unknown[][];
  private asNumber: Uint8Array = new Uint8Array(0);
  size = 0;
  limitReached = false;
  /** `seenIn[g]`: the last segment (`epoch`) that touched group `g`. */
  private seenIn: Int32Array = new Int32Array(1024);
  private epoch = 1;
  /** Distinct groups the current segment has touched. */
  private segmentGroups = 0;
  private readonly nums = new NumberTable();
  private readonly longs = new NumberTable();
  private readonly bigs = new Map<bigint, number>();
  private readonly strs = new Map<string, number>();
  /** Single keys of other types, and composite keys, by `valueKey` text. */
  private readonly texts = new Map<string, number>();

  /**
   * `resultCap`: groups the answer can show at most when any will do (GROUP BY without ORDER BY
   * or HAVING: `offset + limit`, as Pinot stops accepting new groups there). Once that many exist,
   * a new key is skipped (-1) without being counted or flagged: the groups answered still
   * aggregate every one of their rows.
   */
  constructor(
    numKeys: number,
    private readonly limit: number,
    private readonly resultCap = Number.POSITIVE_INFINITY,
  ) {
    this.values = Array.from({ length: numKeys }, () => []);
  }

  /**
   * The group of the single key filed under number `k`: the number itself (`num`), or the
   * bigint equal to it (`long`, `k` a safe integer); created if new; -1 when the limit drops it.
   */
  idOfNumeric(kind: NumericKeyKind, k: number): number {
    const table = kind === 'num' ? this.nums : this.longs;
    if (this.segmentGroups >= this.limit) return this.admit(table.get(k));
    if (this.size >= this.resultCap) {
      const g = table.get(k);
      return g < 0 ? -1 : this.admit(g);
    }
    const g = table.getOrInsert(k, this.size);
    if (g >= 0) return this.admit(g);
    this.touchNew(this.size);
    this.values[0]!.push(k);
    if (kind === 'long') {
      if (this.asNumber.length <= this.size) {
        const grown = new Uint8Array(Math.max(1024, this.size * 2));
        grown.set(this.asNumber);
        this.asNumber = grown;
      }
      this.asNumber[this.size] = 1;
    }
    return this.size++;
  }

  /** Makes room for `count` more single numeric keys without rehashing. */
  reserveNumeric(kind: NumericKeyKind, count: number): void {
    (kind === 'num' ? this.nums : this.longs).reserve(Math.min(count, this.limit));
  }

  /** The group of a single key value, created if new; -1 when the limit drops it. */
  idOf(v: unknown): number {
    if (typeof v === 'number') return this.idOfNumber(this.nums, v, v);
    if (typeof v === 'bigint' && v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG) return this.idOfNumber(this.longs, Number(v), v);
    let map: Map<unknown, number>;
    let k: unknown = v;
    if (typeof v === 'bigint') map = this.bigs;
    else if (typeof v === 'string') map = this.strs;
    else {
      map = this.texts;
      k = valueKey(v);
    }
    const g = map.get(k);
    if (g !== undefined) return this.admit(g);
    const id = this.create();
    if (id >= 0) {
      map.set(k, id);
      this.values[0]!.push(v);
    }
    return id;
  }

  /** The group of a composite key (one value per GROUP BY expression), created if new; -1 when dropped. */
  idOfComposite(values: readonly unknown[]): number {
    let text = valueKey(values[0]);
    for (let j = 1; j < values.length; j++) text += `\u0001${valueKey(values[j])}`;
    const g = this.texts.get(text);
    if (g !== undefined) return this.admit(g);
    const id = this.create();
    if (id >= 0) {
      this.texts.set(text, id);
      for (let j = 0; j < values.length; j++) this.values[j]!.push(values[j]);
    }
    return id;
  }

  private idOfNumber(table: NumberTable, k: number, v: unknown): number {
    const g = table.get(k);
    if (g >= 0) return this.admit(g);
    const id = this.create();
    if (id >= 0) {
      table.insert(k, id);
      this.values[0]!.push(v);
    }
    return id;
  }

  /**
   * A single key's values as doubles when every group's key is filed as a number of one kind
   * (`num`: numbers; `long`: bigints held as their number), for `idOfNumeric` elsewhere; null
   * otherwise (several keys, strings, large bigints, or both kinds).
   */
  numericKeys(): { kind: NumericKeyKind; values: Float64Array } | null {
    if (this.values.length !== 1) return null;
    const values = this.values[0]!;
    const n = this.size;
    const long = n > 0 && this.asNumber[0] === 1;
    const out = new Float64Array(n);
    for (let g = 0; g < n; g++) {
      const v = values[g];
      if (typeof v !== 'number' || (this.asNumber[g] === 1) !== long) return null;
      out[g] = v;
    }
    return { kind: long ? 'long' : 'num', values: out };
  }

  /** The value of key `j` of group `g`. */
  keyValue(j: number, g: number): unknown {
    const v = this.values[j]![g];
    return j === 0 && this.asNumber[g] === 1 ? BigInt(v as number) : v;
  }

  /** The key values of group `g`. */
  keysOf(g: number): unknown[] {
    return this.values.map((_, j) => this.keyValue(j, g));
  }

  /**
   * Key `j` of every group, for ordering only: a bigint may appear as the number equal to it,
   * which `compareValues` orders the same.
   */
  sortKeys(j: number): readonly unknown[] {
    return this.values[j]!;
  }

  /** Starts a new segment: it may touch `limit` distinct groups again. */
  beginSegment(): void {
    this.epoch++;
    this.segmentGroups = 0;
  }

  /**
   * Starts merging a partial made elsewhere (a batch of segments, each held to `limit` where it
   * was scanned): its groups may exceed `limit` together, and none is dropped.
   */
  beginMerge(): void {
    this.epoch++;
    // Far below any limit, and still a small integer (V8 keeps the field unboxed).
    this.segmentGroups = -(2 ** 30);
  }

  /**
   * Whether the current segment can still touch `count` more groups it has not touched (a
   * caller that resolves ids in bulk, bypassing `idOf*`, asks first).
   */
  segmentHasRoomFor(count: number): boolean {
    return this.segmentGroups + count <= this.limit;
  }

  /** Existing group `g` (or -1) as this segment may use it: -1 once the segment is full. */
  private admit(g: number): number {
    if (g < 0) {
      this.limitReached = true;
      return -1;
    }
    if (this.seenIn[g] === this.epoch) return g;
    if (this.segmentGroups >= this.limit) {
      this.limitReached = true;
      return -1;
    }
    this.seenIn[g] = this.epoch;
    this.segmentGroups++;
    return g;
  }

  /** Marks new group `g` as touched by this segment. */
  private touchNew(g: number): void {
    if (g >= this.seenIn.length) {
      const grown = new Int32Array(Math.max(g + 1, this.seenIn.length * 2));
      grown.set(this.seenIn);
      this.seenIn = grown;
    }
    this.seenIn[g] = this.epoch;
    this.segmentGroups++;
  }

  private create(): number {
    if (this.segmentGroups >= this.limit) {
      this.limitReached = true;
      return -1;
    }
    if (this.size >= this.resultCap) return -1;
    this.touchNew(this.size);
    return this.size++;
  }
}
