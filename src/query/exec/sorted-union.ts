/**
 * The distinct union of two ascending runs (each without duplicates), one body per typed-array
 * type on purpose: `unionDocs` merges inverted-index doc lists (Uint32Array) for IN, and
 * `unionNumbers` the sorted integer runs of DISTINCTCOUNT (Float64Array). The loop reads an
 * element of each array per step; written once over `Uint32Array | Float64Array`, those loads
 * would see two element kinds and V8 would compile them as polymorphic loads with a map check
 * each, in place of the plain loads of a loop that sees one. Keep the two bodies in step.
 */

/** The distinct union of the ascending doc lists `a` and `b`. */
export function unionDocs(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out[n++] = x;
      i++;
    } else if (y < x) {
      out[n++] = y;
      j++;
    } else {
      out[n++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  return n === out.length ? out : out.slice(0, n);
}

/** The distinct union of the ascending runs `a` (null: none yet) and `b[0..m)`. */
export function unionNumbers(a: Float64Array | null, b: Float64Array, m: number): Float64Array {
  if (a === null || a.length === 0) return b.slice(0, m);
  const out = new Float64Array(a.length + m);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length && j < m) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out[w++] = x;
      i++;
    } else if (y < x) {
      out[w++] = y;
      j++;
    } else {
      out[w++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[w++] = a[i++]!;
  while (j < m) out[w++] = b[j++]!;
  return w === out.length ? out : out.slice(0, w);
}
