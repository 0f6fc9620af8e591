import { storedTypeOf } from '../../config/data-type.js';
import type { ColumnSpec } from '../../config/schema.js';
import { compareFloat } from '../format/sorted-dictionary.js';
import type { BlockStats } from '../segment-view.js';
import type { ColumnPrefix } from './column-builder.js';

/**
 * Min, max and null count of docs `[firstDoc, firstDoc + numDocs)` of a single-value INT, LONG,
 * FLOAT or DOUBLE column held raw in a builder's arrays (`BlockStats`, as a sealed block has in
 * its footer; a consuming segment keeps numbers raw, a dictionary is for strings and bytes); null
 * for any other column. Floats order as the seal orders them (NaN last, -0 before 0).
 */
export function rawBlockStats(spec: ColumnSpec, prefix: ColumnPrefix, firstDoc: number, numDocs: number): BlockStats | null {
  const stored = storedTypeOf(spec.dataType);
  const values = prefix.values;
  if (prefix.offsets !== null || prefix.dictIds !== null || values === null || numDocs === 0 || !(stored === 'INT' || stored === 'LONG' || stored === 'FLOAT' || stored === 'DOUBLE')) return null;
  const float = stored === 'FLOAT' || stored === 'DOUBLE';
  const end = firstDoc + numDocs;
  let min = values[firstDoc]!;
  let max = min;
  for (let i = firstDoc + 1; i < end; i++) {
    const v = values[i]!;
    if (float ? compareFloat(v as number, min as number) < 0 : v < min) min = v;
    if (float ? compareFloat(v as number, max as number) > 0 : v > max) max = v;
  }
  let nullCount = 0;
  const nulls = prefix.nulls;
  if (nulls !== null) for (let i = firstDoc; i < end; i++) nullCount += (nulls[i >> 3]! >> (i & 7)) & 1;
  return { firstDoc, numDocs, min, max, nullCount };
}
