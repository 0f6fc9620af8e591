import type { ScalarValue, StoredType } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { ImmutableColumn } from '../builders/column-builder.js';
import { bitmapBytes, isBitSet } from '../builders/null-bitmap.js';
import type { BlockValues } from './block-values.js';
import { dictIdValues, rawFixedValues, rawVarArrivalValues, rawVarSortedValues } from './block-values.js';
import type { FixedArray, ValueRun } from './byte-layout.js';
import { pad8, runBytes, writeRun } from './byte-layout.js';
import type { BlockFooter, ColumnEncoding, ColumnFooter, PagedIndexFooter, SectionRef } from './footer.js';
import { DICT_MAX_CARDINALITY_RATIO, DICT_MAX_SMALL_CARDINALITY, DOCS_PER_BLOCK, PAGED_MIN_RAW_BYTES } from './format-constants.js';
import { writePagedIndex } from './page-directory.js';
import { invertedIndexRun } from './inverted-index.js';
import type { PackedValues } from './packed-values.js';
import { packBytes, packStrings } from './packed-values.js';
import { gather, reorderColumn } from './reorder.js';
import type { SectionSink } from './section-io.js';
import { sectionBytes } from './section-io.js';
import type { SortedDictionary, SortedValues } from './sorted-dictionary.js';
import { compareBytes, compareString, unsortedStats } from './sorted-dictionary.js';
import { toJsonScalar } from './typed-json.js';

/** What the segment writer decided for one column. */
export interface ColumnPlan {
  readonly encoding: ColumnEncoding;
  readonly nullBitmap: boolean;
  readonly invertedIndex: boolean;
  readonly isSorted: boolean;
  /** False: never the paged layout (a file for builds that read format version 2 only). */
  readonly pagedLayout: boolean;
}

/**
 * Encoding rule (recorded in docs/segment-format.md): `noDictionaryColumns` → RAW; otherwise
 * STRING/BYTES, inverted-index and sorted columns → DICT; numeric columns → DICT when they have
 * few distinct values (≤ 256, or ≤ 25% of their values), RAW otherwise.
 */
export function chooseEncoding(storedType: StoredType, cardinality: number, totalValues: number, opts: { noDictionary: boolean; needsDictionary: boolean }): ColumnEncoding {
  if (opts.noDictionary) return 'RAW';
  if (storedType === 'STRING' || storedType === 'BYTES' || opts.needsDictionary) return 'DICT';
  return cardinality <= DICT_MAX_SMALL_CARDINALITY || cardinality <= totalValues * DICT_MAX_CARDINALITY_RATIO ? 'DICT' : 'RAW';
}

/** The dictionary section's values: the sorted values, packed. */
function packSorted(sorted: SortedValues): PackedValues | null {
  switch (sorted.kind) {
    case 'STRING':
      return packStrings(sorted.values);
    case 'BYTES':
      return packBytes(sorted.values);
    default:
      return null;
  }
}

/** The layout of the dictionary section: the sorted values as one run. */
function dictionaryRun(sorted: SortedValues, packed: PackedValues | null): ValueRun {
  return packed !== null ? { packed, ids: null } : { fixed: sorted.values as FixedArray };
}

/** A column's values in file order, and their summary for the footer. `width` 0 = RAW. */
interface ColumnValues {
  readonly blocks: BlockValues;
  readonly cardinality: number;
  readonly min: ScalarValue | null;
  readonly max: ScalarValue | null;
  /** Dictionary ids in file order (DICT columns). */
  readonly dictIds: Int32Array | null;
  /** The packed sorted dictionary of a STRING/BYTES column, when the file needs it. */
  readonly packedDictionary: PackedValues | null;
}

function columnValues(col: ImmutableColumn, dict: SortedDictionary | null, width: 0 | 1 | 2 | 4, valueOrder: Int32Array | null): ColumnValues {
  const sealed = col.values;
  if (dict === null) {
    // RAW STRING/BYTES, not the sorted column: arrival ids, never sorted (see unsortedStats).
    if (sealed.kind !== 'STRING' && sealed.kind !== 'BYTES') throw new Error(`column ${col.spec.name}: only STRING/BYTES columns are written without a sorted dictionary`);
    const stats = unsortedStats(sealed);
    const ids = gather(sealed.ids, valueOrder);
    const blocks =
      sealed.kind === 'STRING'
        ? rawVarArrivalValues(ids, packStrings(sealed.dictionary), sealed.dictionary, compareString)
        : rawVarArrivalValues(ids, packBytes(sealed.dictionary), sealed.dictionary, compareBytes);
    const value = (id: number): ScalarValue | null => (id < 0 ? null : sealed.dictionary[id]!);
    return { blocks, cardinality: stats.cardinality, min: value(stats.minId), max: value(stats.maxId), dictIds: null, packedDictionary: null };
  }
  const sorted = dict.sorted.values as ArrayLike<ScalarValue>;
  const card = dict.cardinality;
  const summary = { cardinality: card, min: card > 0 ? sorted[0]! : null, max: card > 0 ? sorted[card - 1]! : null };
  if (width !== 0) {
    const ids = gather(dict.ids(), valueOrder);
    return { ...summary, blocks: dictIdValues(ids, width, sorted), dictIds: ids, packedDictionary: packSorted(dict.sorted) };
  }
  if (sealed.kind === 'STRING' || sealed.kind === 'BYTES') {
    const packed = packSorted(dict.sorted)!;
    return { ...summary, blocks: rawVarSortedValues(gather(dict.ids(), valueOrder), packed, sorted), dictIds: null, packedDictionary: null };
  }
  return { ...summary, blocks: rawFixedValues(gather(sealed.values, valueOrder)), dictIds: null, packedDictionary: null };
}

/**
 * Writes one column's blocks, dictionary and inverted index into `sink` and returns its footer
 * entry. `perm` (new doc → old doc) applies the sorted-column order. `dict` is the column's
 * sorted dictionary; it gives cardinality and min/max even for RAW columns, and may be null only
 * for a RAW STRING/BYTES column that is not the sorted column (no sort needed: see
 * `unsortedStats`).
 */
export function encodeColumn(col: ImmutableColumn, dict: SortedDictionary | null, plan: ColumnPlan, perm: Int32Array | null, sink: SectionSink): ColumnFooter {
  const spec = col.spec;
  const storedType = storedTypeOf(spec.dataType);
  const n = col.numDocs;
  const { offsets, valueOrder, nulls } = reorderColumn(col, perm);
  const totalValues = offsets ? offsets[n]! : n;
  const jsonOf = (v: ScalarValue): string | number => toJsonScalar(storedType, v);
  const width: 0 | 1 | 2 | 4 = plan.encoding === 'RAW' ? 0 : dict!.cardinality <= 256 ? 1 : dict!.cardinality <= 65536 ? 2 : 4;
  const values = columnValues(col, dict, width, valueOrder);
  const cardinality = values.cardinality;

  const blocks: BlockFooter[] = [];
  let forwardBytes = 0;
  let rawBytes = 0;
  let maxPerDoc = 0;
  if (offsets) for (let d = 0; d < n; d++) maxPerDoc = Math.max(maxPerDoc, offsets[d + 1]! - offsets[d]!);
  else maxPerDoc = n > 0 ? 1 : 0;

  for (let s = 0; s < n; s += DOCS_PER_BLOCK) {
    const e = Math.min(n, s + DOCS_PER_BLOCK);
    const nd = e - s;
    const vs = offsets ? offsets[s]! : s;
    const ve = offsets ? offsets[e]! : e;
    const range = values.blocks.range(vs, ve);
    const run = values.blocks.run(vs, ve);
    let nullCount = 0;
    for (let d = s; d < e; d++) if (isBitSet(nulls, d)) nullCount++;
    const nullBytes = plan.nullBitmap ? pad8(bitmapBytes(nd)) : 0;
    const offBytes = offsets ? pad8((nd + 1) * 4) : 0;
    const payload = sink.scratch(nullBytes + offBytes + runBytes(run));
    if (plan.nullBitmap) {
      payload.set(nulls.subarray(s >> 3, (e + 7) >> 3), 0);
      // Bits past the last doc stay 0, whatever the snapshot's bitmap holds there.
      if ((nd & 7) !== 0) payload[(nd - 1) >> 3]! &= (1 << (nd & 7)) - 1;
    }
    if (offsets) {
      const rel = new Uint32Array(payload.buffer, payload.byteOffset + nullBytes, nd + 1);
      for (let d = 0; d <= nd; d++) rel[d] = offsets[s + d]! - vs;
    }
    writeRun(payload, nullBytes + offBytes, run);
    const section = sink.add(payload);
    forwardBytes += sectionBytes(section);
    rawBytes += payload.length;
    blocks.push({
      numDocs: nd,
      numValues: ve - vs,
      nullCount: plan.nullBitmap ? nullCount : 0,
      min: range === null ? null : jsonOf(range[0]),
      max: range === null ? null : jsonOf(range[1]),
      section,
    });
  }

  let dictionary: SectionRef | null = null;
  let invertedIndex: SectionRef | null = null;
  let pages: PagedIndexFooter | null = null;
  let dictionaryBytes = 0;
  let invertedIndexBytes = 0;
  if (plan.encoding === 'DICT') {
    const run = dictionaryRun(dict!.sorted, values.packedDictionary);
    const inv = plan.invertedIndex ? invertedIndexRun(values.dictIds!, offsets, n, cardinality) : null;
    if (plan.pagedLayout && (runBytes(run) > PAGED_MIN_RAW_BYTES || (inv !== null && inv.byteLength > PAGED_MIN_RAW_BYTES))) {
      // Large: in pages, so a lookup reads one page of each instead of the whole sections.
      const paged = writePagedIndex(run, cardinality, inv, sink);
      pages = paged.footer;
      dictionaryBytes = paged.dictionaryBytes;
      invertedIndexBytes = paged.invertedIndexBytes;
      rawBytes += pages.directory.rawLength + runBytes(run) + (inv === null ? 0 : inv.byteLength);
    } else {
      const bytes = sink.scratch(runBytes(run));
      writeRun(bytes, 0, run);
      dictionary = sink.add(bytes);
      dictionaryBytes = sectionBytes(dictionary);
      rawBytes += bytes.length;
      if (inv !== null) {
        const invBytes = new Uint8Array(inv.buffer, inv.byteOffset, inv.byteLength);
        invertedIndex = sink.add(invBytes);
        invertedIndexBytes = sectionBytes(invertedIndex);
        rawBytes += invBytes.length;
      }
    }
  }

  return {
    name: spec.name,
    dataType: spec.dataType,
    storedType,
    singleValue: spec.singleValue,
    fieldType: spec.fieldType,
    encoding: plan.encoding,
    dictIdWidth: width,
    cardinality,
    min: values.min === null ? null : jsonOf(values.min),
    max: values.max === null ? null : jsonOf(values.max),
    totalNumValues: totalValues,
    maxNumValuesPerDoc: maxPerDoc,
    nullCount: plan.nullBitmap ? col.nullCount : 0,
    hasNullBitmap: plan.nullBitmap,
    isSorted: plan.isSorted,
    dictionary,
    invertedIndex,
    ...(pages !== null ? { pages } : {}),
    sizes: {
      forwardIndexBytes: forwardBytes,
      dictionaryBytes,
      invertedIndexBytes,
      rawBytes,
    },
    blocks,
  };
}
