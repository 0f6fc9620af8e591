import type { ScalarValue, StoredType } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { ImmutableColumn } from '../builders/column-builder.js';
import { bitmapBytes, isBitSet } from '../builders/null-bitmap.js';
import type { FixedArray, ValueRun } from './byte-layout.js';
import { pad8, runBytes, writeRun } from './byte-layout.js';
import type { BlockFooter, ColumnEncoding, ColumnFooter, SectionRef } from './footer.js';
import { DICT_MAX_CARDINALITY_RATIO, DICT_MAX_SMALL_CARDINALITY, DOCS_PER_BLOCK } from './format-constants.js';
import { gather, reorderColumn } from './reorder.js';
import type { SectionSink } from './section-io.js';
import { sectionBytes } from './section-io.js';
import type { SortedDictionary, SortedValues } from './sorted-dictionary.js';
import { compareFloat } from './sorted-dictionary.js';
import { toJsonScalar } from './typed-json.js';

/** What the segment writer decided for one column. */
export interface ColumnPlan {
  readonly encoding: ColumnEncoding;
  readonly nullBitmap: boolean;
  readonly invertedIndex: boolean;
  readonly isSorted: boolean;
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

/** The layout of the dictionary section: the sorted values as one run. */
export function dictionaryRun(sorted: SortedValues): ValueRun {
  switch (sorted.kind) {
    case 'STRING':
      return { var: sorted.values.map((s) => Buffer.from(s, 'utf8')) };
    case 'BYTES':
      return { var: sorted.values };
    default:
      return { fixed: sorted.values };
  }
}

function encodeRun(run: ValueRun): Uint8Array {
  const out = new Uint8Array(runBytes(run));
  writeRun(out, 0, run);
  return out;
}

function idRun(ids: Int32Array, width: 1 | 2 | 4): FixedArray {
  return width === 1 ? new Uint8Array(ids) : width === 2 ? new Uint16Array(ids) : ids;
}

/** Index (into `values`) of the min and max in [start, end), by the file's value order. */
function minMaxIndex(values: Int32Array | Float32Array | Float64Array | BigInt64Array, start: number, end: number): [number, number] {
  let lo = start;
  let hi = start;
  if (values instanceof BigInt64Array) {
    const v = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const cmp = (a: number, b: number): number => (v[2 * a + 1] !== v[2 * b + 1] ? v[2 * a + 1]! - v[2 * b + 1]! : (v[2 * a]! >>> 0) - (v[2 * b]! >>> 0));
    for (let i = start + 1; i < end; i++) {
      if (cmp(i, lo) < 0) lo = i;
      if (cmp(i, hi) > 0) hi = i;
    }
  } else if (values instanceof Int32Array) {
    for (let i = start + 1; i < end; i++) {
      if (values[i]! < values[lo]!) lo = i;
      if (values[i]! > values[hi]!) hi = i;
    }
  } else {
    for (let i = start + 1; i < end; i++) {
      if (compareFloat(values[i]!, values[lo]!) < 0) lo = i;
      if (compareFloat(values[i]!, values[hi]!) > 0) hi = i;
    }
  }
  return [lo, hi];
}

/** Builds `docIds` per dictionary id: u32 offsets (cardinality + 1) then u32 doc ids. */
function invertedIndexRun(ids: Int32Array, offsets: Int32Array | null, numDocs: number, cardinality: number): Uint32Array {
  const counts = new Uint32Array(cardinality + 1);
  const last = new Int32Array(cardinality).fill(-1);
  const visit = (fn: (id: number, doc: number) => void): void => {
    last.fill(-1);
    for (let d = 0; d < numDocs; d++) {
      const s = offsets === null ? d : offsets[d]!;
      const e = offsets === null ? d + 1 : offsets[d + 1]!;
      for (let k = s; k < e; k++) {
        const id = ids[k]!;
        if (last[id] === d) continue; // a value repeated within one multi-value doc
        last[id] = d;
        fn(id, d);
      }
    }
  };
  visit((id) => counts[id + 1]!++);
  for (let i = 0; i < cardinality; i++) counts[i + 1]! += counts[i]!;
  const out = new Uint32Array(cardinality + 1 + counts[cardinality]!);
  out.set(counts);
  const fill = counts.slice(0, cardinality);
  visit((id, d) => (out[cardinality + 1 + fill[id]!++] = d));
  return out;
}

/**
 * Writes one column's blocks, dictionary and inverted index into `sink` and returns its footer
 * entry. `perm` (new doc → old doc) applies the sorted-column order; `dict` is the column's sorted
 * dictionary (always built: it gives cardinality and min/max even for RAW columns).
 */
export function encodeColumn(col: ImmutableColumn, dict: SortedDictionary, plan: ColumnPlan, perm: Int32Array | null, sink: SectionSink): ColumnFooter {
  const spec = col.spec;
  const storedType = storedTypeOf(spec.dataType);
  const n = col.numDocs;
  const { offsets, valueOrder, nulls } = reorderColumn(col, perm);
  const totalValues = offsets ? offsets[n]! : n;
  const sortedValues = dict.sorted.values as ArrayLike<ScalarValue>;
  const jsonOf = (v: ScalarValue): string | number => toJsonScalar(storedType, v);
  const width: 0 | 1 | 2 | 4 = plan.encoding === 'RAW' ? 0 : dict.cardinality <= 256 ? 1 : dict.cardinality <= 65536 ? 2 : 4;

  // Per-value data in the new order: dictionary ids (DICT and RAW var) or raw typed values.
  const varType = storedType === 'STRING' || storedType === 'BYTES';
  const ids = plan.encoding === 'DICT' || varType ? gather(dict.ids(), valueOrder) : null;
  const raw = plan.encoding === 'RAW' && !varType && col.values.kind !== 'STRING' && col.values.kind !== 'BYTES' ? gather(col.values.values, valueOrder) : null;
  const encodedDict = varType ? (dictionaryRun(dict.sorted) as { var: readonly Uint8Array[] }).var : null;

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
    let run: ValueRun;
    let min: ScalarValue | null = null;
    let max: ScalarValue | null = null;
    if (ids) {
      const slice = ids.subarray(vs, ve);
      if (slice.length > 0) {
        let lo = slice[0]!;
        let hi = lo;
        for (let i = 1; i < slice.length; i++) {
          const id = slice[i]!;
          if (id < lo) lo = id;
          if (id > hi) hi = id;
        }
        min = sortedValues[lo]!;
        max = sortedValues[hi]!;
      }
      run = plan.encoding === 'DICT' ? { fixed: idRun(slice, width as 1 | 2 | 4) } : { var: Array.from(slice, (id) => encodedDict![id]!) };
    } else {
      const values = raw!;
      if (ve > vs) {
        const [lo, hi] = minMaxIndex(values, vs, ve);
        min = values[lo]!;
        max = values[hi]!;
      }
      run = { fixed: values.subarray(vs, ve) };
    }
    let nullCount = 0;
    for (let d = s; d < e; d++) if (isBitSet(nulls, d)) nullCount++;
    const nullBytes = plan.nullBitmap ? pad8(bitmapBytes(nd)) : 0;
    const offBytes = offsets ? pad8((nd + 1) * 4) : 0;
    const payload = new Uint8Array(nullBytes + offBytes + runBytes(run));
    if (plan.nullBitmap) payload.set(nulls.subarray(s >> 3, (e + 7) >> 3), 0);
    if (offsets) {
      const rel = new Uint32Array(payload.buffer, nullBytes, nd + 1);
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
      min: min === null ? null : jsonOf(min),
      max: max === null ? null : jsonOf(max),
      section,
    });
  }

  let dictionary: SectionRef | null = null;
  if (plan.encoding === 'DICT') {
    const bytes = encodeRun(dictionaryRun(dict.sorted));
    dictionary = sink.add(bytes);
    rawBytes += bytes.length;
  }
  let invertedIndex: SectionRef | null = null;
  if (plan.invertedIndex && plan.encoding === 'DICT') {
    const inv = invertedIndexRun(ids!, offsets, n, dict.cardinality);
    const bytes = new Uint8Array(inv.buffer, inv.byteOffset, inv.byteLength);
    invertedIndex = sink.add(bytes);
    rawBytes += bytes.length;
  }

  return {
    name: spec.name,
    dataType: spec.dataType,
    storedType,
    singleValue: spec.singleValue,
    fieldType: spec.fieldType,
    encoding: plan.encoding,
    dictIdWidth: width,
    cardinality: dict.cardinality,
    min: dict.cardinality > 0 ? jsonOf(sortedValues[0]!) : null,
    max: dict.cardinality > 0 ? jsonOf(sortedValues[dict.cardinality - 1]!) : null,
    totalNumValues: totalValues,
    maxNumValuesPerDoc: maxPerDoc,
    nullCount: plan.nullBitmap ? col.nullCount : 0,
    hasNullBitmap: plan.nullBitmap,
    isSorted: plan.isSorted,
    dictionary,
    invertedIndex,
    sizes: {
      forwardIndexBytes: forwardBytes,
      dictionaryBytes: dictionary ? sectionBytes(dictionary) : 0,
      invertedIndexBytes: invertedIndex ? sectionBytes(invertedIndex) : 0,
      rawBytes,
    },
    blocks,
  };
}
