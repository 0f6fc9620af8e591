import { tokenizeText } from './text-tokens.js';

/**
 * A text index (`TEXT` in `fieldConfigList`) on a single-value STRING/JSON column: the sorted
 * distinct tokens (`text-tokens.ts`) of the column's stored texts, each with the docs holding it.
 * Terms, prefixes, wildcards and regexes are answered from it; phrases narrow to the docs holding
 * every word and are checked against the text.
 */
export interface TextIndexReader {
  readonly numTerms: number;
  /** Term `i` (ascending UTF-16 code unit order). */
  term(i: number): string;
  /** Docs holding term `i`, ascending. */
  docs(i: number): Uint32Array;
  /** The index of `token`, or -1. */
  find(token: string): number;
}

const HEADER_U32 = 4;

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Builds the raw bytes of a text index section from each doc's stored text, in file order
 * (layout: docs/segment-format.md, "Text index").
 */
export function buildTextIndex(texts: Iterable<string>): Uint8Array {
  const postings = new Map<string, number[]>();
  let doc = 0;
  for (const text of texts) {
    for (const token of tokenizeText(text)) {
      let list = postings.get(token);
      if (list === undefined) postings.set(token, (list = []));
      if (list[list.length - 1] !== doc) list.push(doc);
    }
    doc++;
  }
  const terms = [...postings.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const termBytes = terms.map((t) => Buffer.from(t, 'utf8'));
  const totalTermBytes = termBytes.reduce((s, b) => s + b.length, 0);
  let totalPostings = 0;
  for (const list of postings.values()) totalPostings += list.length;
  const n = terms.length;
  const size = pad8(HEADER_U32 * 4) + 2 * pad8((n + 1) * 4) + pad8(totalTermBytes) + pad8(totalPostings * 4);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, doc, true);
  view.setUint32(4, n, true);
  view.setUint32(8, totalTermBytes, true);
  view.setUint32(12, totalPostings, true);
  let pos = pad8(HEADER_U32 * 4);
  const termOffsets = new Uint32Array(out.buffer, pos, n + 1);
  pos += pad8((n + 1) * 4);
  let at = 0;
  termBytes.forEach((b, i) => {
    termOffsets[i] = at;
    out.set(b, pos + at);
    at += b.length;
  });
  termOffsets[n] = at;
  pos += pad8(totalTermBytes);
  const postingOffsets = new Uint32Array(out.buffer, pos, n + 1);
  pos += pad8((n + 1) * 4);
  const all = new Uint32Array(out.buffer, pos, totalPostings);
  let p = 0;
  terms.forEach((t, i) => {
    postingOffsets[i] = p;
    for (const d of postings.get(t)!) all[p++] = d;
  });
  postingOffsets[n] = p;
  return out;
}

/**
 * Reads a text index section (8-byte aligned). Throws an `Error` naming what is inconsistent;
 * the caller reports it as `SEGMENT_CORRUPT`.
 */
export function readTextIndex(bytes: Uint8Array, numDocs: number): TextIndexReader {
  if (bytes.length < HEADER_U32 * 4) throw new Error('text index shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const indexedDocs = view.getUint32(0, true);
  const n = view.getUint32(4, true);
  const termLength = view.getUint32(8, true);
  const numPostings = view.getUint32(12, true);
  if (indexedDocs !== numDocs) throw new Error(`text index covers ${indexedDocs} docs, the segment has ${numDocs}`);
  const size = pad8(HEADER_U32 * 4) + 2 * pad8((n + 1) * 4) + pad8(termLength) + pad8(numPostings * 4);
  if (size !== bytes.length) throw new Error(`text index is ${bytes.length} bytes, its header says ${size}`);
  let pos = pad8(HEADER_U32 * 4);
  const termOffsets = new Uint32Array(bytes.buffer, bytes.byteOffset + pos, n + 1);
  pos += pad8((n + 1) * 4);
  const termArea = bytes.subarray(pos, pos + termLength);
  pos += pad8(termLength);
  const postingOffsets = new Uint32Array(bytes.buffer, bytes.byteOffset + pos, n + 1);
  pos += pad8((n + 1) * 4);
  const all = new Uint32Array(bytes.buffer, bytes.byteOffset + pos, numPostings);
  if (termOffsets[n] !== termLength || postingOffsets[n] !== numPostings) throw new Error('text index offsets do not match its lengths');
  const terms: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (termOffsets[i]! > termOffsets[i + 1]! || postingOffsets[i]! >= postingOffsets[i + 1]!) throw new Error(`text index offsets do not ascend at term ${i}`);
    terms[i] = Buffer.from(termArea.buffer, termArea.byteOffset + termOffsets[i]!, termOffsets[i + 1]! - termOffsets[i]!).toString('utf8');
    if (i > 0 && !(terms[i - 1]! < terms[i]!)) throw new Error(`text index terms are not strictly ascending at ${i}`);
    for (let p = postingOffsets[i]!; p < postingOffsets[i + 1]!; p++) {
      if (all[p]! >= numDocs || (p > postingOffsets[i]! && all[p]! <= all[p - 1]!)) throw new Error(`text index doc list of term ${i} is out of range or not ascending`);
    }
  }
  return {
    numTerms: n,
    term: (i) => terms[i]!,
    docs: (i) => all.subarray(postingOffsets[i]!, postingOffsets[i + 1]!),
    find(token) {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (terms[mid]! < token) lo = mid + 1;
        else hi = mid;
      }
      return lo < n && terms[lo] === token ? lo : -1;
    },
  };
}
