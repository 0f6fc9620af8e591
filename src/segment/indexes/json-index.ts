import { flattenJson } from './json-flatten.js';

/** Separates a key path from its value in posting keys (Pinot's `KEY_VALUE_SEPARATOR`). */
export const KEY_VALUE_SEPARATOR = '\0';

/**
 * A JSON index (`jsonIndexColumns`): every document flattened (`json-flatten.ts`) into records
 * numbered 0, 1, … across the segment ("flattened docs"); for each key path `k` the flattened
 * docs holding it, and for each `k` `\0` value the flattened docs holding that value; and which
 * segment doc each flattened doc came from.
 */
export interface JsonIndexReader {
  /** Flattened docs holding `key` (a path, or path `\0` value), ascending; null when none. */
  postings(key: string): Uint32Array | null;
  /** Every posting key starting with `prefix`, with its flattened docs (for range predicates). */
  withPrefix(prefix: string): Iterable<[string, Uint32Array]>;
  /** Segment doc of each flattened doc (non-decreasing). */
  readonly docOf: Uint32Array;
}

const HEADER_U32 = 4;

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Builds the raw bytes of a JSON index section from the column's stored text of each doc, in
 * file order (layout: docs/segment-format.md, "JSON index"). Keys are sorted by UTF-16 code
 * units.
 */
export function buildJsonIndex(docs: Iterable<string>): Uint8Array {
  const postings = new Map<string, number[]>();
  const docOf: number[] = [];
  let doc = 0;
  for (const text of docs) {
    for (const record of flattenJson(text)) {
      const flat = docOf.length;
      docOf.push(doc);
      for (const [k, v] of record) {
        for (const key of [k, k + KEY_VALUE_SEPARATOR + v]) {
          let list = postings.get(key);
          if (list === undefined) postings.set(key, (list = []));
          list.push(flat);
        }
      }
    }
    doc++;
  }
  const keys = [...postings.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const keyBytes = keys.map((k) => Buffer.from(k, 'utf8'));
  const totalKeyBytes = keyBytes.reduce((s, b) => s + b.length, 0);
  let totalPostings = 0;
  for (const list of postings.values()) totalPostings += list.length;
  const n = keys.length;
  const size = pad8(HEADER_U32 * 4) + pad8((n + 1) * 4) + pad8(totalKeyBytes) + pad8((n + 1) * 4) + pad8(totalPostings * 4) + pad8(docOf.length * 4);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, docOf.length, true);
  view.setUint32(4, n, true);
  view.setUint32(8, totalKeyBytes, true);
  view.setUint32(12, totalPostings, true);
  let pos = pad8(HEADER_U32 * 4);
  const keyOffsets = new Uint32Array(out.buffer, pos, n + 1);
  pos += pad8((n + 1) * 4);
  let at = 0;
  keyBytes.forEach((b, i) => {
    keyOffsets[i] = at;
    out.set(b, pos + at);
    at += b.length;
  });
  keyOffsets[n] = at;
  pos += pad8(totalKeyBytes);
  const postingOffsets = new Uint32Array(out.buffer, pos, n + 1);
  pos += pad8((n + 1) * 4);
  const all = new Uint32Array(out.buffer, pos, totalPostings);
  pos += pad8(totalPostings * 4);
  let p = 0;
  keys.forEach((k, i) => {
    postingOffsets[i] = p;
    for (const f of postings.get(k)!) all[p++] = f;
  });
  postingOffsets[n] = p;
  new Uint32Array(out.buffer, pos, docOf.length).set(docOf);
  return out;
}

/**
 * Reads a JSON index section (the bytes start on an 8-byte boundary of their buffer). Throws an
 * `Error` naming what is inconsistent; the caller reports it as `SEGMENT_CORRUPT`.
 */
export function readJsonIndex(bytes: Uint8Array, numDocs: number): JsonIndexReader {
  if (bytes.length < HEADER_U32 * 4) throw new Error('JSON index shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const numFlat = view.getUint32(0, true);
  const n = view.getUint32(4, true);
  const keyLength = view.getUint32(8, true);
  const numPostings = view.getUint32(12, true);
  const size = pad8(HEADER_U32 * 4) + pad8((n + 1) * 4) + pad8(keyLength) + pad8((n + 1) * 4) + pad8(numPostings * 4) + pad8(numFlat * 4);
  if (size !== bytes.length) throw new Error(`JSON index is ${bytes.length} bytes, its header says ${size}`);
  let pos = pad8(HEADER_U32 * 4);
  const keyOffsets = new Uint32Array(bytes.buffer, bytes.byteOffset + pos, n + 1);
  pos += pad8((n + 1) * 4);
  const keyArea = bytes.subarray(pos, pos + keyLength);
  pos += pad8(keyLength);
  const postingOffsets = new Uint32Array(bytes.buffer, bytes.byteOffset + pos, n + 1);
  pos += pad8((n + 1) * 4);
  const all = new Uint32Array(bytes.buffer, bytes.byteOffset + pos, numPostings);
  pos += pad8(numPostings * 4);
  const docOf = new Uint32Array(bytes.buffer, bytes.byteOffset + pos, numFlat);
  if (keyOffsets[n] !== keyLength || postingOffsets[n] !== numPostings) throw new Error('JSON index offsets do not match its lengths');
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (keyOffsets[i]! > keyOffsets[i + 1]! || postingOffsets[i]! > postingOffsets[i + 1]!) throw new Error('JSON index offsets decrease');
    keys[i] = Buffer.from(keyArea.buffer, keyArea.byteOffset + keyOffsets[i]!, keyOffsets[i + 1]! - keyOffsets[i]!).toString('utf8');
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) throw new Error(`JSON index keys are not strictly ascending at ${i}`);
  }
  for (let f = 0; f < numFlat; f++) {
    if (docOf[f]! >= numDocs || (f > 0 && docOf[f]! < docOf[f - 1]!)) throw new Error(`JSON index flattened doc ${f} maps to a bad doc ${docOf[f]}`);
  }
  for (let p = 0; p < numPostings; p++) if (all[p]! >= numFlat) throw new Error('JSON index posting out of range');
  const list = (i: number): Uint32Array => all.subarray(postingOffsets[i]!, postingOffsets[i + 1]!);
  const find = (key: string): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    docOf,
    postings(key) {
      const i = find(key);
      return i < n && keys[i] === key ? list(i) : null;
    },
    *withPrefix(prefix) {
      for (let i = find(prefix); i < n && keys[i]!.startsWith(prefix); i++) yield [keys[i]!, list(i)];
    },
  };
}
