/**
 * The checks a block's decoded arrays pass before they are cached (a block that fails them raises
 * `SEGMENT_CORRUPT`): dictionary ids inside the dictionary, value offsets that never decrease.
 * They run on every decode, from the file or from the compressed tier, so each is one tight loop
 * over one array type (a loop shared by `Uint8Array`, `Uint16Array` and `Int32Array` reads its
 * elements through a generic path, several times slower), and an id width that cannot hold an id
 * past the dictionary is not looped over at all.
 */

/** Throws unless every id is in `[0, cardinality)`. */
export function checkDictIds(ids: Uint8Array | Uint16Array | Int32Array, cardinality: number): void {
  let max: number;
  if (ids instanceof Uint8Array) {
    if (cardinality >= 0x100) return;
    max = maxU8(ids);
  } else if (ids instanceof Uint16Array) {
    if (cardinality >= 0x10000) return;
    max = maxU16(ids);
  } else {
    if (minI32(ids) < 0) throw new Error(`dictionary id ${minI32(ids)} out of range`);
    max = maxI32(ids);
  }
  if (ids.length > 0 && max >= cardinality) throw new Error(`dictionary id ${max} out of range`);
}

/** Throws unless `offsets` (one per doc, plus the end) start at 0, never decrease and end at `numValues`. */
export function checkValueOffsets(offsets: Uint32Array, numValues: number): void {
  const n = offsets.length - 1;
  if (offsets[0] !== 0 || offsets[n] !== numValues) throw new Error('value offsets do not match the value count');
  let prev = 0;
  let bad = 0;
  for (let d = 1; d <= n; d++) {
    const o = offsets[d]!;
    bad |= o < prev ? 1 : 0;
    prev = o;
  }
  if (bad !== 0) throw new Error('value offsets decrease');
}

function maxU8(a: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = a[i]! > m ? a[i]! : m;
  return m;
}

function maxU16(a: Uint16Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = a[i]! > m ? a[i]! : m;
  return m;
}

function maxI32(a: Int32Array): number {
  let m = -1;
  for (let i = 0; i < a.length; i++) m = a[i]! > m ? a[i]! : m;
  return m;
}

function minI32(a: Int32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = a[i]! < m ? a[i]! : m;
  return m;
}
