import type { DecodedRun, FixedArray, ValueLayout, ValueRun } from './byte-layout.js';
import { pad8, readRun, runBytes, writeRun } from './byte-layout.js';
import type { PagedIndexFooter, SectionRef } from './footer.js';
import { PAGE_MAX_RAW_BYTES, PAGE_VALUES } from './format-constants.js';
import type { SectionSink } from './section-io.js';

/**
 * The paged layout of a dictionary and its inverted index (format version 3, layout 1 of the page
 * directory; docs/segment-format.md, "Paged dictionary and inverted index"). Page `p` holds
 * dictionary ids `[firstIds[p], firstIds[p + 1])`: their values as one section, and (with an
 * inverted index) their doc lists as another. The directory section says where each page is and
 * holds each page's first value, so a lookup reads the directory, one dictionary page and one doc
 * list page instead of the whole dictionary and index.
 */
export interface PageDirectory {
  readonly numPages: number;
  /** `numPages + 1` ids: page p holds ids `[firstIds[p], firstIds[p + 1])`; the last is the cardinality. */
  readonly firstIds: Uint32Array;
  readonly dictionaryPages: PageRefs;
  /** The doc-list pages, null when the column has no inverted index. */
  readonly invertedPages: PageRefs | null;
  /** The first value of each page, in the column's value layout. */
  readonly firstValues: DecodedRun;
  /** Raw bytes of the directory section. */
  readonly rawBytes: number;
}

/**
 * Where each page of one kind lies, kept as the directory section stores it (one `Uint32Array`
 * shared by both kinds): a `SectionRef` is built when a page is read, not held per page. A
 * directory of a million-value column has ~1,000 pages of each kind, and 100 such segments held
 * ~47 MiB of ref objects on V8's heap, which every full collection marks again (bench/notes.md,
 * "page directories").
 */
export class PageRefs {
  /** `words[starts[p]…]`: offset from `base`, raw length, CRC-32, frame count, frame lengths. */
  constructor(
    private readonly words: Uint32Array,
    private readonly starts: Uint32Array,
    private readonly base: number,
  ) {}

  /** Page `p`'s section. */
  at(p: number): SectionRef {
    const w = this.words;
    const s = this.starts[p]!;
    const n = w[s + 3]!;
    const frames = new Array<number>(n);
    for (let i = 0; i < n; i++) frames[i] = w[s + 4 + i]!;
    return { offset: this.base + w[s]!, rawLength: w[s + 1]!, frames, crc32: w[s + 2]! };
  }

  /** Page `p`'s raw (decompressed) length. */
  rawLength(p: number): number {
    return this.words[this.starts[p]! + 1]!;
  }
}

/** Bytes of values `[a, b)` of a dictionary run, as one page would hold them. */
function valueBytes(run: ValueRun, a: number, b: number): number {
  if ('fixed' in run) return (b - a) * run.fixed.BYTES_PER_ELEMENT;
  const off = run.packed.offsets;
  return (b - a + 1) * 4 + (off[b]! - off[a]!);
}

/** Values `[a, b)` of a dictionary run (a packed run must list every entry: `ids` null). */
function sliceRun(run: ValueRun, a: number, b: number): ValueRun {
  if ('fixed' in run) return { fixed: run.fixed.subarray(a, b) as FixedArray };
  return { packed: { bytes: run.packed.bytes, offsets: run.packed.offsets.subarray(a, b + 1) }, ids: null };
}

/** The values at `ids` of a dictionary run. */
function pickRun(run: ValueRun, ids: Uint32Array): ValueRun {
  if ('fixed' in run) {
    const f = run.fixed;
    const out = new (f.constructor as new (n: number) => FixedArray)(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = f[ids[i]!]!;
    return { fixed: out };
  }
  return { packed: run.packed, ids: Int32Array.from(ids) };
}

/**
 * Page boundaries: a page ends at {@link PAGE_VALUES} values, or before its values or its doc
 * lists would pass {@link PAGE_MAX_RAW_BYTES} (`postings`: the inverted index's `cardinality + 1`
 * offsets, or null). Every page holds at least one value.
 */
export function pageBoundaries(run: ValueRun, cardinality: number, postings: Uint32Array | null): Uint32Array {
  const firsts: number[] = [0];
  let a = 0;
  while (a < cardinality) {
    let b = a + 1;
    while (b < cardinality && b - a < PAGE_VALUES) {
      if (valueBytes(run, a, b + 1) > PAGE_MAX_RAW_BYTES) break;
      if (postings !== null && (b + 1 - a + 1) * 4 + (postings[b + 1]! - postings[a]!) * 4 > PAGE_MAX_RAW_BYTES) break;
      b++;
    }
    firsts.push(b);
    a = b;
  }
  return Uint32Array.from(firsts);
}

/**
 * Writes a column's dictionary (`run`: every value, ascending) and inverted index (`inverted`: the
 * whole index as `invertedIndexRun` builds it, or null) as pages into `sink`, then the directory;
 * returns the footer entry.
 */
export function writePagedIndex(run: ValueRun, cardinality: number, inverted: Uint32Array | null, sink: SectionSink): { footer: PagedIndexFooter; dictionaryBytes: number; invertedIndexBytes: number } {
  const postings = inverted === null ? null : inverted.subarray(0, cardinality + 1);
  const firstIds = pageBoundaries(run, cardinality, postings);
  const numPages = firstIds.length - 1;
  const base = sink.position;
  const dictionaryPages: SectionRef[] = [];
  for (let p = 0; p < numPages; p++) {
    const page = sliceRun(run, firstIds[p]!, firstIds[p + 1]!);
    const raw = sink.scratch(runBytes(page));
    writeRun(raw, 0, page);
    dictionaryPages.push(sink.add(raw));
  }
  const invertedPages: SectionRef[] = [];
  if (inverted !== null && postings !== null) {
    const docs = inverted.subarray(cardinality + 1);
    for (let p = 0; p < numPages; p++) {
      const a = firstIds[p]!;
      const n = firstIds[p + 1]! - a;
      const head = pad8((n + 1) * 4);
      const first = postings[a]!;
      const count = postings[a + n]! - first;
      const raw = sink.scratch(head + pad8(count * 4));
      const view = new Uint32Array(raw.buffer, raw.byteOffset, head / 4 + count);
      for (let i = 0; i <= n; i++) view[i] = postings[a + i]! - first;
      view.set(docs.subarray(first, first + count), head / 4);
      invertedPages.push(sink.add(raw));
    }
  }
  const words: number[] = [numPages, inverted !== null ? 1 : 0, ...firstIds];
  for (const ref of [...dictionaryPages, ...invertedPages]) {
    const rel = ref.offset - base;
    if (rel > 0xffffffff) throw new RangeError(`the pages of one column pass 4 GiB`);
    words.push(rel, ref.rawLength, ref.crc32!, ref.frames.length, ...ref.frames);
  }
  const firstRun = pickRun(run, firstIds.subarray(0, numPages));
  const head = pad8(words.length * 4);
  const raw = new Uint8Array(head + runBytes(firstRun));
  new Uint32Array(raw.buffer, 0, words.length).set(words);
  writeRun(raw, head, firstRun);
  const invertedStart = invertedPages[0]?.offset ?? sink.position;
  const directory = sink.add(raw);
  return {
    footer: { layout: 1, numPages, inverted: inverted !== null, base, directory },
    // The directory counts with the dictionary.
    dictionaryBytes: invertedStart - base + (sink.position - directory.offset),
    invertedIndexBytes: directory.offset - invertedStart,
  };
}

/**
 * Decodes a page directory section (`bytes`, raw) of the column described by `footer`, checking
 * that it matches the footer, that pages lie in `[footer.base, footer.directory.offset)` and ids
 * ascend to `cardinality`. Throws an `Error` naming what is wrong.
 */
export function readPageDirectory(bytes: Uint8Array, footer: PagedIndexFooter, cardinality: number, layout: ValueLayout): PageDirectory {
  if (bytes.length < 8 || bytes.length % 8 !== 0) throw new Error(`page directory of ${bytes.length} bytes is not a multiple of 8`);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4));
  let at = 0;
  const next = (): number => {
    if (at >= words.length) throw new Error('page directory ends early');
    return words[at++]!;
  };
  const numPages = next();
  const flags = next();
  if (numPages !== footer.numPages || (flags & 1) !== (footer.inverted ? 1 : 0) || flags > 1) throw new Error(`page directory holds ${numPages} pages (flags ${flags}), the footer says ${footer.numPages}`);
  if (at + numPages + 1 > words.length) throw new Error('page directory ends early');
  const firstIds = words.slice(at, at + numPages + 1);
  at += numPages + 1;
  if (firstIds[0] !== 0 || firstIds[numPages] !== cardinality) throw new Error(`page ids run from ${firstIds[0]} to ${firstIds[numPages]}, expected 0 to ${cardinality}`);
  for (let p = 0; p < numPages; p++) if (firstIds[p]! >= firstIds[p + 1]!) throw new Error(`page ${p} holds no ids`);
  const limit = footer.directory.offset - footer.base;
  const refsStart = at;
  /** Checks one kind's refs, returning where each starts (relative to `refsStart`). */
  const refs = (): Uint32Array => {
    const starts = new Uint32Array(numPages);
    for (let p = 0; p < numPages; p++) {
      starts[p] = at - refsStart;
      const rel = next();
      const rawLength = next();
      next(); // CRC-32
      const frames = next();
      let end = rel;
      for (let f = frames; f > 0; f--) {
        const len = next();
        if (len === 0) throw new Error(`page ${p} has an empty frame`);
        end += len;
      }
      if (end > limit || (rawLength > 0) !== (frames > 0)) throw new Error(`page ${p} lies outside the pages of its column`);
    }
    return starts;
  };
  const dictionaryStarts = refs();
  const invertedStarts = footer.inverted ? refs() : null;
  // A copy: `bytes` may be a reused read buffer.
  const packed = words.slice(refsStart, at);
  const dictionaryPages = new PageRefs(packed, dictionaryStarts, footer.base);
  const invertedPages = invertedStarts === null ? null : new PageRefs(packed, invertedStarts, footer.base);
  const { run } = readRun(bytes, pad8(at * 4), numPages, layout);
  return { numPages, firstIds, dictionaryPages, invertedPages, firstValues: run, rawBytes: bytes.length };
}

/** The page holding dictionary id `id` (binary search over the pages' first ids). */
export function pageOfId(firstIds: Uint32Array, id: number): number {
  let lo = 0;
  let hi = firstIds.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (firstIds[mid]! <= id) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
