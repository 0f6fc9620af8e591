import type { ScalarValue, StoredType } from '../../config/data-type.js';
import type { DecodedRun, ValueLayout } from '../format/byte-layout.js';
import { readRun, runBytesAt, runString } from '../format/byte-layout.js';
import { compareBytes, compareFloat, compareString } from '../format/sorted-dictionary.js';
import type { Dictionary, DictionaryBounds } from '../segment-view.js';

/** How values of a stored type are laid out in dictionaries and RAW blocks. */
export function layoutOf(type: StoredType): ValueLayout {
  switch (type) {
    case 'INT':
      return 'i32';
    case 'LONG':
      return 'i64';
    case 'FLOAT':
      return 'f32';
    case 'DOUBLE':
      return 'f64';
    case 'STRING':
    case 'BYTES':
      return 'var';
  }
}

/** Orders two values of one stored type as the file does. */
export function comparatorOf(type: StoredType): (a: ScalarValue, b: ScalarValue) => number {
  switch (type) {
    case 'INT':
      return (a, b) => (a as number) - (b as number);
    case 'FLOAT':
    case 'DOUBLE':
      return (a, b) => compareFloat(a as number, b as number);
    case 'LONG':
      return (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
    case 'STRING':
      return (a, b) => compareString(a as string, b as string);
    case 'BYTES':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
  }
}

/**
 * The sorted dictionary of a sealed column, decoded from its section. Ids compare like values,
 * so `indexOf` is a binary search. Strings are decoded on first access and cached.
 */
export class SealedDictionary implements Dictionary {
  readonly sorted = true;
  private readonly run: DecodedRun;
  private readonly strings: (string | undefined)[] | null;
  private readonly compare: (a: ScalarValue, b: ScalarValue) => number;

  constructor(
    private readonly type: StoredType,
    readonly size: number,
    bytes: Uint8Array,
  ) {
    this.run = readRun(bytes, 0, size, layoutOf(type)).run;
    this.strings = type === 'STRING' ? new Array<string | undefined>(size) : null;
    this.compare = comparatorOf(type);
  }

  get(id: number): ScalarValue {
    if (!(id >= 0 && id < this.size)) throw new RangeError(`dictionary id ${id} out of range [0, ${this.size})`);
    const run = this.run;
    if ('fixed' in run) return run.fixed[id]!;
    if (this.strings) return (this.strings[id] ??= runString(run, id));
    return runBytesAt(run, id);
  }

  indexOf(value: ScalarValue): number {
    let lo = 0;
    let hi = this.size - 1;
    const probe = this.type === 'FLOAT' && typeof value === 'number' ? Math.fround(value) : value;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.compare(this.get(mid), probe);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * The first id in `[from, to)` whose value is after `value` (`after`) or not before it, in the
   * dictionary's order; `to` when there is none. `value` is compared as given (a FLOAT bound is
   * not rounded: the ids of values passing a range test of it are found exactly).
   */
  bound(value: ScalarValue, after: boolean, from = 0, to = this.size): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(this.get(mid), value);
      if (c > 0 || (c === 0 && !after)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  idRange(bounds: DictionaryBounds): readonly [number, number] {
    return rangeOfBounds(bounds, this.size, (v, after) => this.bound(v, after));
  }
}

/**
 * Ids `[from, to)` of `bounds` in a sorted dictionary of `size` values, from `bound(v, after)`: the
 * first id after `v` (`after`) or not before it. An empty range is `[from, from]`.
 */
export function rangeOfBounds(bounds: DictionaryBounds, size: number, bound: (value: ScalarValue, after: boolean) => number): readonly [number, number] {
  const from = bounds.lo === null ? 0 : bound(bounds.lo, !bounds.loInclusive);
  const to = bounds.hi === null ? size : bound(bounds.hi, bounds.hiInclusive);
  return [from, Math.max(from, to)];
}
