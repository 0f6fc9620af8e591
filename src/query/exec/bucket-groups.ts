import { storedTypeOf } from '../../config/data-type.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import { dateTruncSpec, fixedBuckets } from './date-trunc-keys.js';
import type { GroupKeyTable } from './group-keys.js';
import type { BlockStatsOf } from './numeric-keys.js';
import type { BlockColumns } from './numeric-values.js';
import { selectsEveryRow } from './scratch.js';

/** Most buckets a segment may span for the dense path (an `Int32Array` of this many group ids). */
export const DENSE_BUCKETS = 1 << 14;

/** A block's values must lie within this many millis of its first bucket's start (int32 deltas). */
const MAX_DELTA = 2 ** 31;

/** Bound on |millis| under which `floor((t + shift) / width)` in doubles is the exact integer quotient. */
const EXACT = 2 ** 51;

const UNKNOWN = -1;
/** A bucket whose group the limit dropped in this segment. */
const DROPPED = -2;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The dense small-range key path of `GROUP BY DATETRUNC(unit, t)` for fixed-width units over an
 * INT/LONG column of epoch millis (a sealed segment's raw time column). A segment's min/max
 * give its first bucket and how many it spans; when at most `DENSE_BUCKETS`, a row's group is
 * `groupOf[bucket - firstBucket]`, an array read, and the table is probed once per bucket per
 * segment instead of per row.
 *
 * A block is read this way when its min/max (from the block statistics) lie within 2^31 ms
 * (~24.8 days) of the start of its first bucket: then `t - start` is the low 32 bits of `t`
 * minus those of `start`, taken as an int32, so a LONG row costs one 32-bit load, a subtraction
 * and an integer division, with no double made of the 64-bit value. Keys are the same numbers
 * `truncateInPlace` gives (`floor((t + shift) / width) * width - shift`; exact for |t| < 2^51).
 * Nulls are their stored default value, as on every other path.
 */
export class DenseBuckets {
  private groupOf = new Int32Array(0);
  /** Bucket index (`floor((t + shift) / width)`) of the segment's first bucket, and how many; 0: not dense. */
  private first = 0;
  private count = 0;

  private constructor(
    private readonly column: string,
    private readonly width: number,
    private readonly shift: number,
    private readonly table: GroupKeyTable,
  ) {}

  /** The dense path for `key`, or null when it is not a fixed-width DATETRUNC of an INT/LONG column in millis. */
  static of(key: BoundExpr, table: GroupKeyTable): DenseBuckets | null {
    if (key.kind !== 'call' || key.fn !== 'datetrunc' || !key.type.sv) return null;
    const spec = dateTruncSpec(key);
    if (spec === null || spec.input.kind !== 'column' || !spec.input.type.sv) return null;
    const stored = storedTypeOf(spec.input.type.dataType);
    if (stored !== 'INT' && stored !== 'LONG') return null;
    const fixed = fixedBuckets(spec);
    return fixed === null ? null : new DenseBuckets(spec.input.column.name, fixed.width, fixed.shift, table);
  }

  /** Starts a segment, given its min/max of a column (null when unknown: the segment is not read densely). */
  beginSegment(columnStats: ((column: string) => { readonly min: unknown; readonly max: unknown } | null) | null): void {
    this.count = 0;
    const stats = columnStats === null ? null : columnStats(this.column);
    const range = stats === null ? null : this.bucketRange(stats.min, stats.max);
    if (range === null || range.last - range.first >= DENSE_BUCKETS) return;
    this.first = range.first;
    this.count = range.last - range.first + 1;
    if (this.groupOf.length < this.count) this.groupOf = new Int32Array(Math.max(this.count, 2 * this.groupOf.length, 64));
    this.groupOf.fill(UNKNOWN, 0, this.count);
  }

  /**
   * Writes the groups of rows `sel[0..n)` to `gids` (-1 for rows whose group the limit drops) and
   * answers whether any row was dropped; null when this block cannot be read densely.
   */
  group(block: BlockColumns, stats: BlockStatsOf | null, sel: Int32Array, n: number, gids: Int32Array): boolean | null {
    if (this.count === 0 || stats === null) return null;
    const s = stats(this.column);
    const range = s === null ? null : this.bucketRange(s.min, s.max);
    if (range === null || range.first < this.first || range.last >= this.first + this.count) return null;
    const start = range.first * this.width - this.shift;
    if (Number(s!.max) - start >= MAX_DELTA) return null;
    const values = block(this.column).values;
    const offset = range.first - this.first;
    if (values instanceof BigInt64Array && LITTLE_ENDIAN) {
      // The low word of each value; `start`'s low word as an unsigned 32-bit number.
      const lo = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
      const startLo = start - Math.floor(start / 4294967296) * 4294967296;
      return this.fromLowWords(lo, startLo, offset, sel, n, gids);
    }
    if (values instanceof Int32Array || values instanceof Uint16Array) return this.fromInts(values, start, offset, sel, n, gids);
    return null;
  }

  private fromLowWords(lo: Uint32Array, startLo: number, offset: number, sel: Int32Array, n: number, gids: Int32Array): boolean {
    const groupOf = this.groupOf;
    const width = this.width;
    let dropped = false;
    // Every row of the block (no filter): row i's word without the selection's indirection (a
    // jump taken the same way for the whole loop; the 10M bench's time-bucket 115 → 111 ms).
    const whole = selectsEveryRow(sel, n);
    for (let i = 0; i < n; i++) {
      // t - start, in [0, 2^31): the difference of the low words, wrapped to an int32.
      const d = (lo[2 * (whole ? i : sel[i]!)]! - startLo) | 0;
      const k = offset + ((d / width) | 0);
      let g = groupOf[k]!;
      if (g < 0) {
        if (g === UNKNOWN) g = this.resolve(k);
        if (g < 0) dropped = true;
      }
      gids[i] = g;
    }
    return dropped;
  }

  private fromInts(values: Int32Array | Uint16Array, start: number, offset: number, sel: Int32Array, n: number, gids: Int32Array): boolean {
    const groupOf = this.groupOf;
    const width = this.width;
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const d = (values[sel[i]!]! - start) | 0;
      const k = offset + ((d / width) | 0);
      let g = groupOf[k]!;
      if (g < 0) {
        if (g === UNKNOWN) g = this.resolve(k);
        if (g < 0) dropped = true;
      }
      gids[i] = g;
    }
    return dropped;
  }

  /** The group of bucket `first + k`, made on its first row in the segment (the limit counts it then). */
  private resolve(k: number): number {
    const g = this.table.idOfNumeric('long', (this.first + k) * this.width - this.shift);
    this.groupOf[k] = g < 0 ? DROPPED : g;
    return g < 0 ? DROPPED : g;
  }

  /** Bucket indexes of `min` and `max`, or null unless both are integers with |t| < 2^51. */
  private bucketRange(min: unknown, max: unknown): { first: number; last: number } | null {
    const lo = typeof min === 'bigint' || typeof min === 'number' ? Number(min) : Number.NaN;
    const hi = typeof max === 'bigint' || typeof max === 'number' ? Number(max) : Number.NaN;
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && Math.abs(lo) < EXACT && Math.abs(hi) < EXACT && lo <= hi)) return null;
    return { first: Math.floor((lo + this.shift) / this.width), last: Math.floor((hi + this.shift) / this.width) };
  }
}
