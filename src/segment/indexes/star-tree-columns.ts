import type { ImmutableColumn } from '../builders/column-builder.js';

/** A per-doc id of the doc's value (equal values, equal ids; -0 and +0 distinct, one NaN). */
export function valueIds(col: ImmutableColumn): (doc: number) => number {
  const v = col.values;
  if (v.kind === 'STRING' || v.kind === 'BYTES') return (d) => v.ids[d]!;
  const ids = new Map<unknown, number>();
  const values = v.values as ArrayLike<number | bigint>;
  return (d) => {
    const x = values[d]!;
    const key = Object.is(x, -0) ? '-0' : x;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return id;
  };
}

/** A per-doc reader of a star-tree metric column as a number. */
export function numbersOf(col: ImmutableColumn): (doc: number) => number {
  const v = col.values;
  if (v.kind === 'STRING' || v.kind === 'BYTES') throw new Error(`star-tree metric ${col.spec.name} is not numeric`);
  const values = v.values as ArrayLike<number | bigint>;
  return (d) => Number(values[d]!);
}
