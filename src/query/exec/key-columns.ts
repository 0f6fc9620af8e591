import { valueKey } from '../functions/values.js';

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * How a group key value is held in a key column: a number as itself (`NUM`), a bigint that is a
 * safe integer as its number (`LONG`: 1 and 1n stay different groups), anything else (strings,
 * larger bigints, bytes, null, …) as its id in the column's `KeyPool` (`POOL`).
 */
export const KIND_NUM = 0;
/** Where a single numeric key is filed: a number, or a safe-integer bigint as its number. */
export type NumericKeyKind = 'num' | 'long';
export const KIND_LONG = 1;
export const KIND_POOL = 2;

/**
 * One key column of a group table's partial (worker thread or cluster server → merge): the kind
 * and code of every group's value, and the pooled values their `POOL` codes index. Typed arrays:
 * cheap to transfer, structured-clone and `v8.serialize`.
 */
export interface KeyColumnPartial {
  readonly kinds: Uint8Array;
  readonly codes: Float64Array;
  readonly pool: unknown[];
}

/**
 * The distinct values of one key column that are not numbers or safe-integer bigints, each once,
 * with a dense id: strings and bigints by value, anything else by `valueKey` (so equal bytes are
 * one value). A key column holds the id per group, so a string costs one pointer and map entry
 * per distinct value, not per group or per row.
 */
export class KeyPool {
  readonly values: unknown[] = [];
  private readonly strs = new Map<string, number>();
  private readonly bigs = new Map<bigint, number>();
  private readonly others = new Map<string, number>();

  /** The id of `v`, or -1 when it was never interned. */
  lookup(v: unknown): number {
    if (typeof v === 'string') return this.strs.get(v) ?? -1;
    if (typeof v === 'bigint') return this.bigs.get(v) ?? -1;
    return this.others.get(valueKey(v)) ?? -1;
  }

  /** The id of `v`, interned if new. */
  intern(v: unknown): number {
    const found = this.lookup(v);
    if (found >= 0) return found;
    const id = this.values.length;
    this.values.push(v);
    if (typeof v === 'string') this.strs.set(v, id);
    else if (typeof v === 'bigint') this.bigs.set(v, id);
    else this.others.set(valueKey(v), id);
    return id;
  }
}

/** The kind `v` is held as, without its pool id (see `KIND_*`). */
export function kindOf(v: unknown): number {
  if (typeof v === 'number') return KIND_NUM;
  if (typeof v === 'bigint' && v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG) return KIND_LONG;
  return KIND_POOL;
}

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** A 32-bit hash of a double: equal for -0 and 0, and for every NaN. */
export function hashNumber(k: number): number {
  if ((k | 0) === k) return k;
  if (k !== k) return 0x7ff80000;
  if (k >= -9007199254740991 && k <= 9007199254740991 && Math.floor(k) === k) return (k | 0) ^ Math.floor(k / 4294967296);
  bits[0] = k;
  return words[0]! ^ Math.imul(words[1]!, 31);
}

/** Folds the code of one key (and its kind) into hash `h`. */
export function mixKey(h: number, kind: number, code: number): number {
  h = Math.imul(h ^ (hashNumber(code) + Math.imul(kind, 0x632be5ab)), 0x9e3779b1);
  return h ^ (h >>> 15);
}

export const HASH_SEED = 0x2545f491;

/** Codes are equal as group keys: SameValueZero (-0 = 0, NaN = NaN). */
export function sameCode(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}
