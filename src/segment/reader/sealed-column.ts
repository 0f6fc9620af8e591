import type { CellValue, ScalarValue } from '../../config/data-type.js';
import type { ColumnSpec } from '../../config/schema.js';
import { bitmapBytes, isBitSet } from '../builders/null-bitmap.js';
import type { DecodedRun } from '../format/byte-layout.js';
import { pad8, readRun, runBytesAt, runString } from '../format/byte-layout.js';
import { BlockRefs, packFooterBlocks } from '../format/block-refs.js';
import type { ColumnFooter } from '../format/footer.js';
import { fromJsonScalar, toJsonScalar } from '../format/typed-json.js';
import type { JsonScalar } from '../format/typed-json.js';
import type { BlockStats, DecodedBlock, Dictionary, InvertedIndex, SealedColumnReader } from '../segment-view.js';
import { blockCache, decodedBlockBytes } from './block-cache.js';
import { checkDictIds, checkValueOffsets } from './block-checks.js';
import type { ReadContext } from './read-context.js';
import { PagedIndex } from './paged-index.js';
import { narrowed } from './narrow-ints.js';
import { layoutOf, SealedDictionary } from './sealed-dictionary.js';
import type { BloomFilterReader } from '../indexes/bloom-filter.js';
import { readBloomFilter } from '../indexes/bloom-filter.js';
import type { JsonIndexReader } from '../indexes/json-index.js';
import { readJsonIndex } from '../indexes/json-index.js';
import type { RangeIndexReader } from '../indexes/range-index.js';
import { readRangeIndex } from '../indexes/range-index.js';
import type { TextIndexReader } from '../indexes/text-index.js';
import { readTextIndex } from '../indexes/text-index.js';
import type { TimestampIndexReader } from '../indexes/timestamp-index.js';
import { readTimestampIndex } from '../indexes/timestamp-index.js';

/**
 * Cache keys of one column: `columnKey * KEY_STRIDE + blockIndex` for blocks (fewer than
 * `MAX_BLOCKS`), then the pages of a paged dictionary and of its inverted index (fewer than
 * `MAX_PAGES` each); the last keys of the stride hold the whole-section indexes.
 */
const KEY_STRIDE = 2 ** 25;
const MAX_BLOCKS = 2 ** 22;
const MAX_PAGES = 2 ** 23;
const DICTIONARY_PAGES = MAX_BLOCKS;
const INVERTED_PAGES = MAX_BLOCKS + MAX_PAGES;
const DICTIONARY_SLOT = KEY_STRIDE - 1;
const INVERTED_SLOT = KEY_STRIDE - 2;
const JSON_INDEX_SLOT = KEY_STRIDE - 3;
const BLOOM_SLOT = KEY_STRIDE - 4;
const RANGE_SLOT = KEY_STRIDE - 5;
const TEXT_SLOT = KEY_STRIDE - 6;
const TIMESTAMP_SLOT = KEY_STRIDE - 7;
const DIRECTORY_SLOT = KEY_STRIDE - 8;
const SLOTS = 8;
let nextColumnKey = 1;
/** Drops a garbage-collected column's blocks from the shared cache. */
const dropBlocks = new FinalizationRegistry<{ base: number; count: number; pages: number }>(({ base, count, pages }) => dropEntries(base, count, pages));

function dropEntries(base: number, blocks: number, pages: number): void {
  blockCache.deleteRange(base, blocks);
  blockCache.deleteRange(base + KEY_STRIDE - SLOTS, SLOTS);
  if (pages > 0) {
    blockCache.deleteRange(base + DICTIONARY_PAGES, pages);
    blockCache.deleteRange(base + INVERTED_PAGES, pages);
  }
}

/**
 * One column of a sealed segment. Blocks, dictionary and inverted index are read from the file
 * (positioned reads) and decompressed lazily on first use, into the process-wide `blockCache` —
 * the memory budget, bounded by bytes — so a query over a warm segment reads and decompresses
 * nothing, and an idle segment holds nothing but its footer. The column keeps a direct reference
 * to its dictionary and inverted index only while the cache holds them (dropped on eviction). A
 * section that fails to read, check or decode raises `SEGMENT_CORRUPT` instead of returning
 * partial data, and is not cached.
 */
export class SealedColumn implements SealedColumnReader {
  readonly blocks: readonly BlockStats[];
  private dict: Dictionary | null | undefined;
  private inverted: InvertedIndex | null | undefined;
  private json: JsonIndexReader | null | undefined;
  private bloom: BloomFilterReader | null | undefined;
  private range: RangeIndexReader | null | undefined;
  private text: TextIndexReader | null | undefined;
  private timestamp: TimestampIndexReader | null | undefined;
  private readonly keyBase: number;
  /** The dictionary and inverted index in pages (format version 3), else null. */
  private readonly paged: PagedIndex | null = null;
  /** The last block read, for point reads while the shared cache is off. */
  private last: DecodedBlock | null = null;
  /** Each block's section and counts (`footer.blocks`, packed). */
  private readonly refs: BlockRefs;

  constructor(
    private readonly ctx: ReadContext,
    readonly spec: ColumnSpec,
    readonly footer: ColumnFooter,
  ) {
    // The blocks' sections and counts, packed; the footer's own objects are let go below.
    const listed = footer.blocks;
    this.refs = BlockRefs.of(listed);
    let firstDoc = 0;
    this.blocks = listed.map((b) => {
      const stats: BlockStats = {
        firstDoc,
        numDocs: b.numDocs,
        min: b.min === null ? null : fromJsonScalar(footer.storedType, b.min),
        max: b.max === null ? null : fromJsonScalar(footer.storedType, b.max),
        nullCount: b.nullCount,
      };
      firstDoc += b.numDocs;
      return stats;
    });
    if (this.blocks.length >= MAX_BLOCKS) throw ctx.corrupt(`column ${spec.name} has ${this.blocks.length} blocks`);
    const json = (v: ScalarValue | null): JsonScalar | null => (v === null ? null : toJsonScalar(footer.storedType, v));
    packFooterBlocks(footer, () => this.refs.footers((b) => [json(this.blocks[b]!.min), json(this.blocks[b]!.max)]));
    this.keyBase = nextColumnKey++ * KEY_STRIDE;
    const pages = footer.pages;
    if (pages !== undefined) {
      if (pages.numPages >= MAX_PAGES) throw ctx.corrupt(`column ${spec.name} has ${pages.numPages} pages`);
      const keys = { directory: this.keyBase + DIRECTORY_SLOT, dictionaryPages: this.keyBase + DICTIONARY_PAGES, invertedPages: this.keyBase + INVERTED_PAGES };
      this.paged = new PagedIndex(ctx, footer, pages, keys, this.numDocs);
    }
    dropBlocks.register(this, { base: this.keyBase, count: this.blocks.length, pages: pages?.numPages ?? 0 });
  }

  /** Drops everything this column holds in the shared cache (its segment is retired). */
  release(): void {
    dropEntries(this.keyBase, this.blocks.length, this.paged?.numPages ?? 0);
    this.paged?.release();
    this.dict = undefined;
    this.inverted = undefined;
    this.json = undefined;
    this.bloom = undefined;
    this.range = undefined;
    this.text = undefined;
    this.timestamp = undefined;
    this.last = null;
  }

  /**
   * Records a use of the index cached under `slot` (read through the column's direct reference,
   * which the cache would not see): an index every query uses then earns its place like a block
   * read again, instead of ageing out behind the blocks of scans.
   */
  private used(slot: number): void {
    blockCache.touch(this.keyBase + slot);
  }

  /** The cache key of `slot` while the cache is on (else no key: nothing is kept). */
  private keyOf(slot: number): number | undefined {
    return blockCache.enabled ? this.keyBase + slot : undefined;
  }

  /** Keeps `value` in the cache under `slot` (a direct reference while it stays there). */
  private cached<T>(slot: number, value: T, bytes: number, forget: () => void, resident = false): T {
    if (!blockCache.enabled) return value;
    // Small indexes every query of the column reads (bloom filter, timestamp index): kept apart from scans' eviction.
    if (resident) return blockCache.putIndex(this.keyBase + slot, value, bytes, forget);
    return blockCache.put(this.keyBase + slot, value, bytes, forget);
  }

  get encoding(): 'DICT' | 'RAW' {
    return this.footer.encoding;
  }

  get dictionary(): Dictionary | null {
    if (this.dict === undefined) {
      const ref = this.footer.dictionary;
      if (this.paged !== null) return this.pagedDictionary(this.paged);
      if (ref === null) return (this.dict = null);
      const dict = this.ctx.decode(ref, `dictionary of column ${this.spec.name}`, (bytes) => new SealedDictionary(this.footer.storedType, this.footer.cardinality, bytes), this.keyOf(DICTIONARY_SLOT));
      // Decoded strings are kept by the dictionary as they are read: count them in up front.
      const bytes = ref.rawLength + 256 + (this.footer.storedType === 'STRING' ? this.footer.cardinality * 40 + ref.rawLength * 2 : 0);
      this.dict = this.cached(DICTIONARY_SLOT, dict, bytes, () => {
        if (this.dict === dict) this.dict = undefined;
      });
    }
    return this.dict;
  }

  /**
   * The whole dictionary of a paged column: an object reading pages through the cache (the pages
   * are counted there), itself cached at the cost of its own fields, so it leaves with the budget's
   * other entries and takes what queries derive per dictionary object with it. Point lookups do
   * not need it: they go through `invertedIndex.idOf`.
   */
  private pagedDictionary(paged: PagedIndex): Dictionary {
    const dict = paged.dictionary();
    this.dict = this.cached(DICTIONARY_SLOT, dict, 256 + paged.numPages * 8, () => {
      if (this.dict === dict) this.dict = undefined;
    });
    return dict;
  }

  get invertedIndex(): InvertedIndex | null {
    if (this.inverted) this.used(INVERTED_SLOT);
    if (this.inverted === undefined) {
      const ref = this.footer.invertedIndex;
      const card = this.footer.cardinality;
      // Paged: the index object holds nothing but the column's page reader.
      if (this.paged !== null) return (this.inverted = this.paged.invertedIndex());
      if (ref === null) return (this.inverted = null);
      const index: InvertedIndex = this.ctx.decode(ref, `inverted index of column ${this.spec.name}`, (bytes) => {
        if (bytes.length % 4 !== 0 || bytes.length < (card + 1) * 4) throw new Error('bad length');
        const all = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
        const offsets = all.subarray(0, card + 1);
        const docs = all.subarray(card + 1);
        if (offsets[card] !== docs.length) throw new Error('offsets do not match the doc list');
        return { docIds: (id: number) => docs.subarray(offsets[id]!, offsets[id + 1]!), idOf: (value: ScalarValue) => this.dictionary!.indexOf(value) };
      }, this.keyOf(INVERTED_SLOT));
      this.inverted = this.cached(INVERTED_SLOT, index, ref.rawLength + 256, () => {
        if (this.inverted === index) this.inverted = undefined;
      });
    }
    return this.inverted;
  }

  get jsonIndex(): JsonIndexReader | null {
    if (this.json) this.used(JSON_INDEX_SLOT);
    if (this.json === undefined) {
      const ref = this.footer.jsonIndex ?? null;
      if (ref === null) return (this.json = null);
      const numDocs = this.numDocs;
      const index = this.ctx.decode(ref, `JSON index of column ${this.spec.name}`, (bytes) => readJsonIndex(bytes, numDocs), this.keyOf(JSON_INDEX_SLOT));
      // Decoded keys are kept as strings: count them in like a string dictionary.
      this.json = this.cached(JSON_INDEX_SLOT, index, ref.rawLength * 3 + 256, () => {
        if (this.json === index) this.json = undefined;
      });
    }
    return this.json;
  }

  get bloomFilter(): BloomFilterReader | null {
    if (this.bloom) this.used(BLOOM_SLOT);
    if (this.bloom === undefined) {
      const ref = this.footer.bloomFilter ?? null;
      if (ref === null) return (this.bloom = null);
      const filter = this.ctx.decode(ref, `bloom filter of column ${this.spec.name}`, readBloomFilter, this.keyOf(BLOOM_SLOT));
      this.bloom = this.cached(BLOOM_SLOT, filter, ref.rawLength + 256, () => {
        if (this.bloom === filter) this.bloom = undefined;
      }, true);
    }
    return this.bloom;
  }

  get rangeIndex(): RangeIndexReader | null {
    if (this.range) this.used(RANGE_SLOT);
    if (this.range === undefined) {
      const ref = this.footer.rangeIndex ?? null;
      if (ref === null) return (this.range = null);
      const numDocs = this.numDocs;
      const index = this.ctx.decode(ref, `range index of column ${this.spec.name}`, (bytes) => readRangeIndex(bytes, this.footer.storedType, numDocs), this.keyOf(RANGE_SLOT));
      this.range = this.cached(RANGE_SLOT, index, ref.rawLength + 256, () => {
        if (this.range === index) this.range = undefined;
      });
    }
    return this.range;
  }

  get textIndex(): TextIndexReader | null {
    if (this.text) this.used(TEXT_SLOT);
    if (this.text === undefined) {
      const ref = this.footer.textIndex ?? null;
      if (ref === null) return (this.text = null);
      const numDocs = this.numDocs;
      const index = this.ctx.decode(ref, `text index of column ${this.spec.name}`, (bytes) => readTextIndex(bytes, numDocs), this.keyOf(TEXT_SLOT));
      // Decoded terms are kept as strings: count them in like a string dictionary.
      this.text = this.cached(TEXT_SLOT, index, ref.rawLength * 3 + 256, () => {
        if (this.text === index) this.text = undefined;
      });
    }
    return this.text;
  }

  get timestampIndex(): TimestampIndexReader | null {
    if (this.timestamp) this.used(TIMESTAMP_SLOT);
    if (this.timestamp === undefined) {
      const ref = this.footer.timestampIndex ?? null;
      if (ref === null) return (this.timestamp = null);
      const numDocs = this.numDocs;
      const index = this.ctx.decode(ref, `timestamp index of column ${this.spec.name}`, (bytes) => readTimestampIndex(bytes, numDocs), this.keyOf(TIMESTAMP_SLOT));
      this.timestamp = this.cached(TIMESTAMP_SLOT, index, ref.rawLength + 256, () => {
        if (this.timestamp === index) this.timestamp = undefined;
      }, true);
    }
    return this.timestamp;
  }

  /** Paged layout only: decodes and checks every page without the cache (see `PagedIndex.verify`); 0 when not paged. */
  verifyPages(): number {
    return this.paged?.verify() ?? 0;
  }

  /** True when the dictionary and inverted index are in the paged layout (format version 3). */
  get isPaged(): boolean {
    return this.paged !== null;
  }

  /**
   * Decodes block `index` without the decoded tier (used by `readBlock` and by verification). With
   * `cacheKey` its bytes may come from, and go to, the compressed tier; verification passes none
   * and always reads the file.
   */
  decodeBlock(index: number, cacheKey?: number): DecodedBlock {
    const stats = this.blocks[index];
    if (stats === undefined) throw new RangeError(`column ${this.spec.name} has no block ${index}`);
    const refs = this.refs;
    const f = this.footer;
    const numValues = refs.numValues(index);
    return this.ctx.decode(refs.section(index), `block ${index} of column ${this.spec.name}`, (bytes, checked) => {
      const nd = stats.numDocs;
      let pos = 0;
      let nulls: Uint8Array | null = null;
      if (f.hasNullBitmap) {
        if (bitmapBytes(nd) > bytes.length) throw new Error('null bitmap runs past the block');
        nulls = bytes.subarray(0, bitmapBytes(nd));
        pos = pad8(bitmapBytes(nd));
      }
      let offsets: Uint32Array | null = null;
      if (!f.singleValue) {
        const r = readRun(bytes, pos, nd + 1, 'u32');
        offsets = r.run && 'fixed' in r.run ? (r.run.fixed as Uint32Array) : null;
        pos = r.next;
        if (!offsets) throw new Error('value offsets do not match the value count');
        if (!checked) checkValueOffsets(offsets, numValues);
      } else if (numValues !== nd) {
        throw new Error('value count differs from doc count');
      }
      if (f.encoding === 'DICT') {
        const layout = f.dictIdWidth === 1 ? 'u8' : f.dictIdWidth === 2 ? 'u16' : 'i32';
        const ids = (readRun(bytes, pos, numValues, layout).run as { fixed: Uint8Array | Uint16Array | Int32Array }).fixed;
        if (!checked) checkDictIds(ids, f.cardinality);
        return { firstDoc: stats.firstDoc, numDocs: nd, nulls, offsets, dictIds: ids, values: null };
      }
      const run: DecodedRun = readRun(bytes, pos, numValues, layoutOf(f.storedType)).run;
      let values: DecodedBlock['values'];
      if ('fixed' in run) values = run.fixed as Int32Array | BigInt64Array | Float32Array | Float64Array;
      else if (f.storedType === 'STRING') values = Array.from({ length: numValues }, (_, i) => runString(run, i));
      else values = Array.from({ length: numValues }, (_, i) => runBytesAt(run, i));
      return narrowed({ firstDoc: stats.firstDoc, numDocs: nd, nulls, offsets, dictIds: null, values }, stats);
    }, cacheKey);
  }

  readBlock(index: number): DecodedBlock {
    if (!blockCache.enabled) {
      const last = this.last;
      if (last !== null && last.firstDoc === this.blocks[index]?.firstDoc) return last;
      return (this.last = this.decodeBlock(index));
    }
    const key = this.keyBase + index;
    const hit = blockCache.get(key);
    if (hit !== undefined) return hit;
    // A block read keeps the dictionary it is read through recent too.
    if (this.dict) blockCache.touch(this.keyBase + DICTIONARY_SLOT);
    const block = this.decodeBlock(index, key);
    return blockCache.put(key, block, decodedBlockBytes(block, this.refs.rawLength(index)));
  }

  private blockOf(docId: number): DecodedBlock {
    if (!(Number.isInteger(docId) && docId >= 0 && docId < this.numDocs)) {
      throw new RangeError(`doc ${docId} out of range [0, ${this.numDocs}) in column ${this.spec.name}`);
    }
    return this.readBlock(Math.floor(docId / this.ctx.docsPerBlock));
  }

  private get numDocs(): number {
    const last = this.blocks[this.blocks.length - 1];
    return last ? last.firstDoc + last.numDocs : 0;
  }

  private valueIn(block: DecodedBlock, i: number): ScalarValue {
    if (block.dictIds) return this.dictionary!.get(block.dictIds[i]!);
    const v = block.values!;
    const x = v[i]!;
    return x instanceof Uint8Array ? x.slice() : x;
  }

  getValue(docId: number): CellValue {
    const block = this.blockOf(docId);
    const i = docId - block.firstDoc;
    if (block.offsets === null) return this.valueIn(block, i);
    const out: ScalarValue[] = [];
    for (let k = block.offsets[i]!; k < block.offsets[i + 1]!; k++) out.push(this.valueIn(block, k));
    return out;
  }

  isNull(docId: number): boolean {
    const block = this.blockOf(docId);
    return block.nulls !== null && isBitSet(block.nulls, docId - block.firstDoc);
  }

  getDictId(docId: number): number {
    const block = this.blockOf(docId);
    if (!block.dictIds) throw new Error(`column ${this.spec.name} is not dictionary-encoded`);
    return block.dictIds[block.offsets ? block.offsets[docId - block.firstDoc]! : docId - block.firstDoc]!;
  }

  getDictIds(docId: number): number[] {
    const block = this.blockOf(docId);
    if (!block.dictIds) throw new Error(`column ${this.spec.name} is not dictionary-encoded`);
    const i = docId - block.firstDoc;
    if (!block.offsets) return [block.dictIds[i]!];
    return Array.from(block.dictIds.subarray(block.offsets[i]!, block.offsets[i + 1]!));
  }
}
