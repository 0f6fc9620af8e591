import { storedTypeOf } from '../config/data-type.js';
import type { ColumnBuilder, ImmutableColumn } from './builders/column-builder.js';
import { bitmapBytes } from './builders/null-bitmap.js';
import type { SealedValues } from './builders/value-builder.js';
import type { Dictionary } from './segment-view.js';

function entries<V>(dictionary: Dictionary): V[] {
  const out = new Array<V>(dictionary.size);
  for (let id = 0; id < out.length; id++) out[id] = dictionary.get(id) as V;
  return out;
}

/** Set bits among the first `bits` of a bitmap. */
function countBits(bitmap: Uint8Array, bits: number): number {
  let count = 0;
  for (let i = 0; i < bits >> 3; i++) {
    let b = bitmap[i]!;
    while (b !== 0) {
      b &= b - 1;
      count++;
    }
  }
  for (let i = bits & ~7; i < bits; i++) if ((bitmap[i >> 3]! >> (i & 7)) & 1) count++;
  return count;
}

/**
 * The first `numDocs` docs of a consuming column as the segment writer takes them, without
 * copying: views of the builder's arrays (`ColumnBuilder.prefix`), which never change below
 * `numDocs` while indexing continues. Copying them instead — a hundred megabytes for a million
 * rows — made the main thread's garbage collector pause for hundreds of milliseconds during a
 * seal. A dictionary is listed as it is now (an array of its entries).
 *
 * Null bitmaps: the builder's view when null handling is on. When it is off, a column reads as
 * having no nulls (the file keeps no bitmap then), except when `keepNulls` — the time column,
 * whose null docs are left out of the segment's time range: that column is copied
 * (`ColumnBuilder.seal`), the only way to read its bitmap with null handling off.
 */
export function columnSnapshot(builder: ColumnBuilder, numDocs: number, keepNulls: boolean, noNulls: Uint8Array): ImmutableColumn {
  if (keepNulls) return builder.seal();
  const prefix = builder.prefix(numDocs);
  const spec = builder.spec;
  const kind = storedTypeOf(spec.dataType);
  let values: SealedValues;
  if (kind === 'STRING') values = { kind, ids: prefix.dictIds!, dictionary: entries<string>(prefix.dictionary!) };
  else if (kind === 'BYTES') values = { kind, ids: prefix.dictIds!, dictionary: entries<Uint8Array>(prefix.dictionary!) };
  else values = { kind, values: prefix.values } as SealedValues;
  const nulls = prefix.nulls === null ? noNulls : prefix.nulls.subarray(0, bitmapBytes(numDocs));
  return Object.freeze({
    spec,
    numDocs,
    values,
    offsets: prefix.offsets,
    nulls,
    nullCount: prefix.nulls === null ? 0 : countBits(prefix.nulls, numDocs),
  });
}
