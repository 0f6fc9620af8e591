import type { ImmutableColumn } from '../builders/column-builder.js';
import { compareFloat } from '../format/sorted-dictionary.js';

export type { RangeIndexReader } from './index-readers.js';
import type { RangeIndexReader } from './index-readers.js';

type NumericValues = Int32Array | BigInt64Array | Float32Array | Float64Array;

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** True for the stored types a range index is built on. */
export function isRangeIndexable(col: ImmutableColumn): boolean {
  const k = col.values.kind;
  return k === 'INT' || k === 'LONG' || k === 'FLOAT' || k === 'DOUBLE';
}

/**
 * The raw bytes of a range index section (layout: docs/segment-format.md, "Range index"): u32
 * count, pad to 8, `count` values of the stored type ascending, pad to 8, `count` u32 doc ids.
 * `perm` (new doc → old doc) gives the file's doc order.
 */
export function buildRangeIndex(col: ImmutableColumn, perm: Int32Array | null): Uint8Array {
  const v = col.values;
  if (v.kind !== 'INT' && v.kind !== 'LONG' && v.kind !== 'FLOAT' && v.kind !== 'DOUBLE') throw new Error(`column ${col.spec.name}: a range index needs a numeric column`);
  const src = v.values as NumericValues;
  const n = col.offsets === null ? col.numDocs : col.offsets[col.numDocs]!;
  // Value positions in file order, with their (new) doc ids.
  const pos = new Uint32Array(n);
  const docOf = new Uint32Array(n);
  let k = 0;
  for (let d = 0; d < col.numDocs; d++) {
    const old = perm === null ? d : perm[d]!;
    if (col.offsets === null) {
      pos[k] = old;
      docOf[k++] = d;
    } else {
      for (let i = col.offsets[old]!; i < col.offsets[old + 1]!; i++) {
        pos[k] = i;
        docOf[k++] = d;
      }
    }
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  if (src instanceof BigInt64Array) order.sort((a, b) => (src[pos[a]!]! < src[pos[b]!]! ? -1 : src[pos[a]!]! > src[pos[b]!]! ? 1 : a - b));
  else order.sort((a, b) => compareFloat(src[pos[a]!] as number, src[pos[b]!] as number) || a - b);
  const width = src.BYTES_PER_ELEMENT;
  const out = new Uint8Array(8 + pad8(n * width) + pad8(n * 4));
  new DataView(out.buffer).setUint32(0, n, true);
  const values = new (src.constructor as new (b: ArrayBuffer, o: number, l: number) => NumericValues)(out.buffer, 8, n);
  const docs = new Uint32Array(out.buffer, 8 + pad8(n * width), n);
  for (let i = 0; i < n; i++) {
    (values as Float64Array)[i] = src[pos[order[i]!]!] as number;
    docs[i] = docOf[order[i]!]!;
  }
  return out;
}

const WIDTH: Record<string, number> = { INT: 4, LONG: 8, FLOAT: 4, DOUBLE: 8 };

/** Reads a range index section of a column of `storedType`; throws an `Error` when malformed. */
export function readRangeIndex(bytes: Uint8Array, storedType: string, numDocs: number): RangeIndexReader {
  const width = WIDTH[storedType];
  if (width === undefined) throw new Error(`range index on a ${storedType} column`);
  if (bytes.length < 8) throw new Error('range index shorter than its header');
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(0, true);
  if (bytes.length !== 8 + pad8(n * width) + pad8(n * 4)) throw new Error(`range index of ${n} values is ${bytes.length} bytes`);
  const at = bytes.byteOffset + 8;
  const values =
    storedType === 'INT' ? new Int32Array(bytes.buffer, at, n) : storedType === 'LONG' ? new BigInt64Array(bytes.buffer, at, n) : storedType === 'FLOAT' ? new Float32Array(bytes.buffer, at, n) : new Float64Array(bytes.buffer, at, n);
  const docs = new Uint32Array(bytes.buffer, at + pad8(n * width), n);
  for (let i = 0; i < n; i++) {
    if (docs[i]! >= numDocs) throw new Error(`range index doc ${docs[i]} out of range`);
    if (i > 0) {
      const c = values instanceof BigInt64Array ? (values[i - 1]! <= values[i]! ? -1 : 1) : compareFloat(values[i - 1] as number, values[i] as number);
      if (c > 0) throw new Error(`range index values are not ascending at ${i}`);
    }
  }
  return { values, docs };
}
