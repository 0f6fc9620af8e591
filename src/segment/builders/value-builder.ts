import type { ScalarValue, StoredType } from '../../config/data-type.js';
import type { Dictionary } from '../segment-view.js';

/**
 * The sealed, immutable values of one column (single-value: one per doc; multi-value: all values
 * of all docs in order). STRING and BYTES come dictionary-encoded in arrival order.
 */
export type SealedValues =
  | { readonly kind: 'INT'; readonly values: Int32Array }
  | { readonly kind: 'LONG'; readonly values: BigInt64Array }
  | { readonly kind: 'FLOAT'; readonly values: Float32Array }
  | { readonly kind: 'DOUBLE'; readonly values: Float64Array }
  | { readonly kind: 'STRING'; readonly ids: Int32Array; readonly dictionary: readonly string[] }
  | { readonly kind: 'BYTES'; readonly ids: Int32Array; readonly dictionary: readonly Uint8Array[] };

/** What `ValueBuilder.prefix` returns: raw numbers, or dictionary ids (Int32Array). */
export type PrefixArray = Int32Array | BigInt64Array | Float32Array | Float64Array;

/**
 * Appends values of one stored type. Lifecycle: `append` any number of times → `seal()` once →
 * the returned `SealedValues` is immutable; the builder is not used after sealing.
 *
 * Contract: `append` receives a value already in the in-memory representation of its type (see
 * `data-type.ts`); it does not convert. Values are never moved in a way that changes what
 * `valueAt(i)` returns for `i < length` (see `GrowableBuffer`).
 */
export interface ValueBuilder {
  readonly storedType: StoredType;
  readonly length: number;
  append(value: ScalarValue): void;
  /** Value number `index` (doc for single-value columns, value slot for multi-value). */
  valueAt(index: number): ScalarValue;
  /**
   * Fixed-width builders only: rewrites value `index` in place. Breaks the "written values never
   * change" promise on purpose, for a rollup segment's metric columns, whose readers take copies.
   */
  set?(index: number, value: ScalarValue): void;
  /** Arrival-order dictionary (STRING and BYTES builders), else null. */
  readonly dictionary: Dictionary | null;
  /** Dictionary id of value `index` (builders with a dictionary). */
  dictId(index: number): number;
  /**
   * The first `length` values — dictionary ids for builders with a dictionary, else the raw
   * values — as a view of the builder's array, valid while appends continue (see
   * `GrowableBuffer.prefix`).
   */
  prefix(length: number): PrefixArray;
  /** Rolls back to `length` values (a row that failed half-way). */
  truncate(length: number): void;
  readonly estimatedBytes: number;
  seal(): SealedValues;
}
