import { storedTypeOf } from '../../config/data-type.js';
import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';
import type { Dictionary } from '../../segment/segment-view.js';
import { compileOverIds, soleColumn } from './dict-expr.js';
import { dateTruncSpec, truncateInPlace } from './date-trunc-keys.js';
import type { Fn } from './compile-expr.js';
import { dictionaryNumbers } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';
import type { ColumnBlock } from './segment-snapshot.js';

/**
 * A GROUP BY expression over one dictionary-encoded column, evaluated per dictionary id instead
 * of per row: `exact(id)` is the key of every row holding `id`. When the dictionary is sorted and
 * the expression is monotone in the column (`DATETRUNC`), `runKey(id)` gives the key as the
 * number `GroupKeyTable` files it under (`long` kind; NaN if none), and ids with equal run keys
 * are contiguous, so one lookup serves a whole run of ids (one per hour of a time column).
 */
export interface DictKey {
  readonly column: ColumnBlock;
  readonly exact: Fn<number>;
  readonly runKey: ((id: number) => number) | null;
}

/**
 * The per-id form of `key` for this block, or null: the expression must read exactly one column,
 * single-value and dictionary-encoded here, and be a function of its value alone (no `IS NULL`,
 * which depends on the row's null bit, and no `now()`).
 */
export function dictKey(key: BoundExpr, block: BlockColumns): DictKey | null {
  if (!key.type.sv) return null;
  const col = soleColumn(key);
  if (col === null) return null;
  const b = block(col.column.name);
  const buckets = timestampKey(key, col, b);
  if (buckets !== null) return buckets;
  if (b.dictIds === null || b.dictionary === null || b.offsets !== null) return null;
  const dict = b.dictionary;
  return { column: b, exact: compileOverIds(key, dict), runKey: dict.sorted ? monotoneKey(key, col, dict) : null };
}

/**
 * `DATETRUNC(unit, column [, 'MILLISECONDS' [, 'UTC' [, 'MILLISECONDS']]])` on a sealed column
 * whose timestamp index has `unit`: the precomputed buckets are the key's dictionary (Pinot
 * rewrites the call to the derived `$column$UNIT` column for the same reason).
 */
function timestampKey(key: BoundExpr, col: BoundOf<'column'>, b: ColumnBlock): DictKey | null {
  if (b.timestampBuckets === undefined || key.kind !== 'call' || key.fn !== 'datetrunc' || b.offsets !== null) return null;
  const spec = dateTruncSpec(key);
  if (spec === null || spec.input !== col || (spec.zone !== undefined && spec.zone.toUpperCase() !== 'UTC')) return null;
  const buckets = b.timestampBuckets(spec.unit);
  if (buckets === null) return null;
  const { dictionary, dictIds } = buckets;
  const column: ColumnBlock = { spec: b.spec, dictionary, dictIds, values: null, offsets: null, nulls: b.nulls };
  return { column, exact: (id) => dictionary.get(id), runKey: (id) => Number(dictionary.get(id)) };
}

/** `DATETRUNC(unit, column [, 'MILLISECONDS' [, zone [, 'MILLISECONDS']]])` over an integer column, per id. */
function monotoneKey(key: BoundExpr, col: BoundOf<'column'>, dict: Dictionary): ((id: number) => number) | null {
  if (key.kind !== 'call' || key.fn !== 'datetrunc') return null;
  const spec = dateTruncSpec(key);
  const stored = storedTypeOf(col.type.dataType);
  if (spec === null || spec.input !== col || (stored !== 'INT' && stored !== 'LONG')) return null;
  const nums = dictionaryNumbers(dict);
  const one = new Float64Array(1);
  return (id) => {
    one[0] = nums[id]!;
    truncateInPlace(spec, one, 1);
    return one[0];
  };
}
