import type { ScalarValue } from '../../config/data-type.js';
import type { ColumnFooter, PagedIndexFooter } from '../format/footer.js';
import type { PageDirectory, PageRefs } from '../format/page-directory.js';
import { pageOfId, readPageDirectory } from '../format/page-directory.js';
import type { Dictionary, DictionaryBounds, InvertedIndex } from '../segment-view.js';
import { blockCache } from './block-cache.js';
import type { ReadContext } from './read-context.js';
import { comparatorOf, layoutOf, rangeOfBounds, SealedDictionary } from './sealed-dictionary.js';

/** Cache keys of one paged column: its directory, and the first key of its dictionary and doc-list pages. */
export interface PagedKeys {
  readonly directory: number;
  readonly dictionaryPages: number;
  readonly invertedPages: number;
}

/** A decoded page directory with its first values as a small dictionary (binary search over pages). */
interface Directory {
  readonly dir: PageDirectory;
  readonly firstValues: SealedDictionary;
}

/** One kind of page (dictionary or doc-list): its first cache key, its counter, the last page read while the cache is off. */
interface PageKind<T> {
  readonly firstKey: number;
  readonly counter: 'dictionary' | 'postings';
  last: { p: number; page: T } | null;
}

/**
 * Pages of paged dictionaries (format version 3) asked for by this process, whether a cache held
 * them or not (`dictionary`, `postings`), and of those the ones read and decoded (`decoded`):
 * counted for tests and benchmarks ("a range filter reads 2 pages, not 40").
 */
export const pageReads = { dictionary: 0, postings: 0, decoded: 0 };

/** One page's doc lists: the page's `i`-th id is held by `docs[offsets[i] .. offsets[i + 1])`. */
interface PostingsPage {
  readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
}

/** Bytes a decoded dictionary of `count` values from `rawLength` bytes holds (strings are kept as read). */
function dictionaryBytes(type: ColumnFooter['storedType'], count: number, rawLength: number): number {
  return rawLength + 256 + (type === 'STRING' ? count * 40 + rawLength * 2 : 0);
}

/**
 * The dictionary and inverted index of a column in the paged layout (format version 3): a lookup of
 * a value reads the page directory (small, kept among the resident index sections), binary
 * searches the pages' first values, then reads one dictionary page and one doc-list page — each
 * through the process-wide cache under its own key, checked by its own CRC-32 — instead of the
 * whole dictionary and index. Full scans read every page through the same cache.
 */
export class PagedIndex {
  private dirEntry: Directory | undefined;
  private readonly dictPages: PageKind<SealedDictionary>;
  private readonly postingPages: PageKind<PostingsPage>;

  constructor(
    private readonly ctx: ReadContext,
    private readonly footer: ColumnFooter,
    private readonly pages: PagedIndexFooter,
    private readonly keys: PagedKeys,
    private readonly numDocs: number,
  ) {
    this.dictPages = { firstKey: keys.dictionaryPages, counter: 'dictionary', last: null };
    this.postingPages = { firstKey: keys.invertedPages, counter: 'postings', last: null };
  }

  get numPages(): number {
    return this.pages.numPages;
  }

  /** Drops the direct references (the column's cache entries are dropped by the column). */
  release(): void {
    this.dirEntry = undefined;
    this.dictPages.last = null;
    this.postingPages.last = null;
  }

  private get name(): string {
    return this.footer.name;
  }

  private decodeDirectory(cacheKey: number | undefined): Directory {
    const f = this.footer;
    return this.ctx.decode(this.pages.directory, `page directory of column ${this.name}`, (bytes) => {
      const dir = readPageDirectory(bytes, this.pages, f.cardinality, layoutOf(f.storedType));
      const run = dir.firstValues;
      const firstValues = new SealedDictionary(f.storedType, dir.numPages, 'fixed' in run ? new Uint8Array(run.fixed.buffer, run.fixed.byteOffset, run.fixed.byteLength) : bytesOfVar(run));
      return { dir, firstValues };
    }, cacheKey);
  }

  private directory(): Directory {
    let entry = this.dirEntry;
    if (entry !== undefined) {
      blockCache.touch(this.keys.directory);
      return entry;
    }
    if (!blockCache.enabled) return (this.dirEntry = this.decodeDirectory(undefined));
    entry = this.decodeDirectory(this.keys.directory);
    const e = entry;
    this.dirEntry = blockCache.putIndex(this.keys.directory, e, dictionaryBytes(this.footer.storedType, e.dir.numPages, e.dir.rawBytes), () => {
      if (this.dirEntry === e) this.dirEntry = undefined;
    });
    return e;
  }

  /**
   * Page `p` of one kind: a cache hit, or while the cache is off the last page of that kind when it
   * is `p`; else read, checked and decoded (`decode`), then cached at `bytes` (or kept as the last).
   */
  private cachedPage<T>(kind: PageKind<T>, p: number, refs: PageRefs, what: string, decode: (bytes: Uint8Array, checked: boolean) => T, bytes: number): T {
    pageReads[kind.counter]++;
    const key = kind.firstKey + p;
    if (blockCache.enabled) {
      const hit = blockCache.get<T>(key);
      if (hit !== undefined) return hit;
    } else if (kind.last?.p === p) {
      return kind.last.page;
    }
    pageReads.decoded++;
    const page = this.ctx.decode(refs.at(p), `${what} page ${p} of column ${this.name}`, decode, blockCache.enabled ? key : undefined);
    if (!blockCache.enabled) {
      kind.last = { p, page };
      return page;
    }
    return blockCache.put(key, page, bytes);
  }

  /** The dictionary page `p` (ids `[firstIds[p], firstIds[p + 1])`). */
  private dictionaryPage(p: number, { dir, firstValues }: Directory): SealedDictionary {
    const count = dir.firstIds[p + 1]! - dir.firstIds[p]!;
    const type = this.footer.storedType;
    return this.cachedPage(this.dictPages, p, dir.dictionaryPages, 'dictionary', (bytes) => {
      const d = new SealedDictionary(type, count, bytes);
      if (comparatorOf(type)(d.get(0), firstValues.get(p)) !== 0) throw new Error(`page ${p} does not start with the value its directory lists`);
      return d;
    }, dictionaryBytes(type, count, dir.dictionaryPages.rawLength(p)));
  }

  /** The doc-list page `p`. */
  private postingsPage(p: number, dir: PageDirectory): PostingsPage {
    const refs = dir.invertedPages!;
    const count = dir.firstIds[p + 1]! - dir.firstIds[p]!;
    return this.cachedPage(this.postingPages, p, refs, 'inverted index', (bytes, checked) => readPostingsPage(bytes, count, this.numDocs, checked), refs.rawLength(p) + 256);
  }

  /** The dictionary id of `value`, or -1 when the column does not hold it: one dictionary page read. */
  idOf(value: ScalarValue): number {
    const d = this.directory();
    const { dir, firstValues } = d;
    const type = this.footer.storedType;
    const probe = type === 'FLOAT' && typeof value === 'number' ? Math.fround(value) : value;
    const compare = comparatorOf(type);
    let lo = 0;
    let hi = dir.numPages - 1;
    let page = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compare(firstValues.get(mid), probe) <= 0) {
        page = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (page < 0) return -1;
    // A one-value page's value is its directory value: no page read (low-cardinality columns).
    if (dir.firstIds[page + 1]! - dir.firstIds[page]! === 1) return compare(firstValues.get(page), probe) === 0 ? dir.firstIds[page]! : -1;
    const local = this.dictionaryPage(page, d).indexOf(probe);
    return local < 0 ? -1 : dir.firstIds[page]! + local;
  }

  /**
   * Ids `[from, to)` of the values within `bounds` (see `Dictionary.idRange`): each bound is found
   * by binary search of the pages' first values (the directory), then inside the one page it falls
   * in; a bound equal to a page's first value, or falling on a one-value page, reads no page. So a
   * range reads at most two dictionary pages, one when both bounds share a page.
   */
  idRange(bounds: DictionaryBounds): readonly [number, number] {
    const d = this.directory();
    const { dir, firstValues } = d;
    const compare = comparatorOf(this.footer.storedType);
    let held: { p: number; page: SealedDictionary } | null = null;
    return rangeOfBounds(bounds, this.footer.cardinality, (value, after) => {
      // The last page whose first value is not after `value`.
      const p = firstValues.bound(value, true) - 1;
      if (p < 0) return 0;
      const first = dir.firstIds[p]!;
      const end = dir.firstIds[p + 1]!;
      // Values ascend strictly: a page starting with `value` holds it first, and only there.
      if (compare(firstValues.get(p), value) === 0) return after ? first + 1 : first;
      if (end - first === 1) return end;
      if (held?.p !== p) held = { p, page: this.dictionaryPage(p, d) };
      return first + held.page.bound(value, after, 1, end - first);
    });
  }

  /**
   * The values around dictionary id `id`: ids `[first, end)` are `values.get(id - at)` (the page,
   * or for a one-value page the directory's first values, read without the page).
   */
  page(id: number): { readonly values: SealedDictionary; readonly first: number; readonly end: number; readonly at: number } {
    const d = this.directory();
    const { dir, firstValues } = d;
    const p = pageOfId(dir.firstIds, id);
    const first = dir.firstIds[p]!;
    const end = dir.firstIds[p + 1]!;
    if (end - first === 1) return { values: firstValues, first, end, at: first - p };
    return { values: this.dictionaryPage(p, d), first, end, at: first };
  }

  /** Sorted doc ids holding dictionary id `id`: one doc-list page read. */
  docIds(id: number): Uint32Array {
    if (!(Number.isInteger(id) && id >= 0 && id < this.footer.cardinality)) throw new RangeError(`dictionary id ${id} out of range [0, ${this.footer.cardinality}) in column ${this.name}`);
    const { dir } = this.directory();
    const p = pageOfId(dir.firstIds, id);
    const page = this.postingsPage(p, dir);
    const i = id - dir.firstIds[p]!;
    return page.docs.subarray(page.offsets[i]!, page.offsets[i + 1]!);
  }

  /** A `Dictionary` over the pages (a full scan reads them all, through the cache). */
  dictionary(): Dictionary {
    return new PagedDictionary(this, this.footer.cardinality);
  }

  invertedIndex(): InvertedIndex | null {
    if (!this.pages.inverted) return null;
    return { docIds: (id) => this.docIds(id), idOf: (value) => this.idOf(value) };
  }

  /**
   * Decodes the directory and every page without the cache and checks them: values strictly
   * ascending across pages, each page starting with its directory value, doc lists in range.
   * Returns the pages checked; throws `SEGMENT_CORRUPT` on the first problem.
   */
  verify(): number {
    const { dir, firstValues } = this.decodeDirectory(undefined);
    const type = this.footer.storedType;
    const compare = comparatorOf(type);
    let previous: ScalarValue | undefined;
    for (let p = 0; p < dir.numPages; p++) {
      const count = dir.firstIds[p + 1]! - dir.firstIds[p]!;
      const page = this.ctx.decode(dir.dictionaryPages.at(p), `dictionary page ${p} of column ${this.name}`, (bytes) => new SealedDictionary(type, count, bytes));
      for (let i = 0; i < count; i++) {
        const v = page.get(i);
        if (i === 0 && compare(v, firstValues.get(p)) !== 0) throw this.ctx.corrupt(`dictionary page ${p} of column ${this.name} does not start with the value its directory lists`);
        if (previous !== undefined && compare(previous, v) >= 0) throw this.ctx.corrupt(`dictionary of column ${this.name} is not strictly ascending at id ${dir.firstIds[p]! + i}`);
        previous = v;
      }
      if (dir.invertedPages !== null) {
        this.ctx.decode(dir.invertedPages.at(p), `inverted index page ${p} of column ${this.name}`, (bytes) => readPostingsPage(bytes, count, this.numDocs));
      }
    }
    return dir.numPages;
  }
}

/** The bytes of a `var` run laid out again as a section would hold it (offsets, pad, bytes). */
function bytesOfVar(run: { readonly offsets: Uint32Array; readonly bytes: Uint8Array }): Uint8Array {
  const n = run.offsets.length - 1;
  const head = ((n + 1) * 4 + 7) & ~7;
  const out = new Uint8Array(head + ((run.bytes.length + 7) & ~7));
  new Uint32Array(out.buffer, 0, n + 1).set(run.offsets);
  out.set(run.bytes, head);
  return out;
}

/** Decodes and checks one doc-list page of `count` ids (its every offset and doc unless `checked`: bytes that passed before). */
function readPostingsPage(bytes: Uint8Array, count: number, numDocs: number, checked = false): PostingsPage {
  const head = ((count + 1) * 4 + 7) & ~7;
  if (bytes.length < head || bytes.length % 4 !== 0) throw new Error('doc-list page is too short');
  const offsets = new Uint32Array(bytes.buffer, bytes.byteOffset, count + 1);
  const docs = new Uint32Array(bytes.buffer, bytes.byteOffset + head, (bytes.length - head) / 4);
  if (offsets[0] !== 0 || offsets[count]! > docs.length || docs.length - offsets[count]! > 1) throw new Error('doc-list offsets do not match the doc list');
  if (checked) return { offsets, docs: docs.subarray(0, offsets[count]!) };
  for (let i = 0; i < count; i++) if (offsets[i]! > offsets[i + 1]!) throw new Error('doc-list offsets decrease');
  for (let i = 0; i < offsets[count]!; i++) if (docs[i]! >= numDocs) throw new Error(`doc ${docs[i]} out of range [0, ${numDocs})`);
  return { offsets, docs: docs.subarray(0, offsets[count]!) };
}

/**
 * The whole dictionary of a paged column, one page at a time: `get` keeps the page it last read,
 * so reading ids in order reads each page once; `indexOf` reads one page, `idRange` at most two.
 */
class PagedDictionary implements Dictionary {
  readonly sorted = true;
  readonly paged = true;
  private last: SealedDictionary | null = null;
  private first = 0;
  private end = 0;
  private at = 0;

  constructor(
    private readonly index: PagedIndex,
    readonly size: number,
  ) {}

  get(id: number): ScalarValue {
    if (id >= this.first && id < this.end) return this.last!.get(id - this.at);
    if (!(id >= 0 && id < this.size)) throw new RangeError(`dictionary id ${id} out of range [0, ${this.size})`);
    const { values, first, end, at } = this.index.page(id);
    this.last = values;
    this.first = first;
    this.end = end;
    this.at = at;
    return values.get(id - at);
  }

  indexOf(value: ScalarValue): number {
    return this.index.idOf(value);
  }

  idRange(bounds: DictionaryBounds): readonly [number, number] {
    return this.index.idRange(bounds);
  }
}
