import type { ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { AggregationSpec } from '../plan/binder.js';
import type { Dictionary } from '../../segment/segment-view.js';
import type { StatesPartial } from './agg-partials.js';
import type { GroupedAggregation } from './grouped-aggregation.js';
import type { SegmentSnapshot } from './segment-snapshot.js';
import { isVirtualColumn } from '../plan/virtual-columns.js';
import { columnReader, compileRowExpr, dictionaryValueOf } from './compile-expr.js';
import { FastDistinctValues } from './distinct-values.js';
import { dictionaryNumbers, ensureFloat64, gatherLongs } from './numeric-values.js';
import { sortedDistinct } from '../../segment/format/numeric-order.js';
import type { BlockColumns } from './numeric-values.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Sets measured exactly by `byteSize`; the others are estimated. */
const EXACT_SETS = 64;
/** Estimated bytes of a group's set past the first {@link EXACT_SETS}: the object and a smallest hash table. */
const GROUP_SET_BYTES = 256;

/**
 * Integers of a raw column (no GROUP BY) gathered before they are sorted into the set's run
 * (`flushPending`): at most this many, 8 MiB, so a column of few values repeated over many rows
 * holds a bounded buffer, not one double per row.
 */
const PENDING_MAX = 1 << 20;

/** Adds the value of dictionary id `id` to a set. */
type DictAdder = (set: FastDistinctValues, id: number) => void;

function dictAdder(dict: Dictionary, storedType: string): DictAdder {
  if (storedType === 'INT' || storedType === 'FLOAT' || storedType === 'DOUBLE') {
    const nums = dictionaryNumbers(dict);
    return (set, id) => set.addNumber(nums[id]!);
  }
  if (storedType === 'LONG') {
    const nums = dictionaryNumbers(dict);
    return (set, id) => {
      const x = nums[id]!;
      if (x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER) set.addSafeLong(x);
      else set.add(dict.get(id));
    };
  }
  const value = dictionaryValueOf(dict);
  return (set, id) => set.add(value(id));
}

/**
 * DISTINCTCOUNT*: without GROUP BY, a dictionary column only marks the ids it sees, and each
 * marked id's value enters the set once per dictionary (Pinot's dictionary-id bitmap); with
 * GROUP BY, values are read from typed arrays or the dictionary without a generic row reader.
 */
export class DistinctStates implements GroupedAggregation {
  private readonly sets: (FastDistinctValues | undefined)[] = [];
  readonly sortNumber = null;
  private marks: Uint8Array | null = null;
  private marked: Dictionary | null = null;
  private markedAdder: DictAdder | null = null;
  private numbers: Float64Array = new Float64Array(0);
  /** The marked values of one sorted dictionary (reused across segments). */
  private run: Float64Array = new Float64Array(0);
  /**
   * Without GROUP BY, the integers read from raw INT and LONG columns (a consuming segment's, a
   * sealed `noDictionaryColumns` one's), `pendingN` of them, of kind `pendingKind`: sorted and
   * added as one run when the segment or the buffer ends, in place of a hash insert per row (each
   * a cache miss into a table of a million values: ~110 against ~30 ns a row, bench/notes.md).
   */
  private pending: Float64Array = new Float64Array(0);
  private pendingN = 0;
  private pendingKind: 'num' | 'long' = 'num';

  constructor(private readonly spec: AggregationSpec) {}

  /**
   * Bytes held: the working arrays, the first sets exactly (all of them without GROUP BY), the
   * rest at {@link GROUP_SET_BYTES} each (`byteSize` runs after every block).
   */
  byteSize(): number {
    let bytes = (this.marks?.byteLength ?? 0) + this.numbers.byteLength + this.run.byteLength + this.pending.byteLength + 8 * this.sets.length;
    const exact = Math.min(this.sets.length, EXACT_SETS);
    for (let g = 0; g < exact; g++) bytes += this.sets[g]?.byteSize() ?? 0;
    return bytes + GROUP_SET_BYTES * Math.max(0, this.sets.length - exact);
  }

  add(block: BlockColumns, rows: Int32Array, gids: Int32Array | null, n: number): void {
    const arg = this.spec.arg!;
    const b = arg.kind === 'column' ? block(arg.column.name) : null;
    if (b !== null && b.offsets === null) {
      if (b.dictIds !== null && b.dictionary !== null) {
        const ids = b.dictIds;
        if (gids === null) {
          const marks = this.marksFor(b.dictionary, storedTypeOf(b.spec.dataType));
          for (let i = 0; i < n; i++) marks[ids[rows[i]!]!] = 1;
          return;
        }
        const adder = dictAdder(b.dictionary, storedTypeOf(b.spec.dataType));
        for (let i = 0; i < n; i++) adder(this.set(gids[i]!), ids[rows[i]!]!);
        return;
      }
      const v = b.values;
      if (gids === null && (v instanceof Int32Array || v instanceof Uint16Array)) {
        const pending = this.pendingFor('num', n);
        let w = this.pendingN;
        for (let i = 0; i < n; i++) pending[w++] = v[rows[i]!]!;
        this.pendingN = w;
        return;
      }
      if (gids === null && v instanceof BigInt64Array) {
        const nums = (this.numbers = ensureFloat64(this.numbers, n));
        gatherLongs(v, rows, n, nums);
        const pending = this.pendingFor('long', n);
        let w = this.pendingN;
        for (let i = 0; i < n; i++) {
          const x = nums[i]!;
          if (x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER) pending[w++] = x;
          else this.set(0).add(v[rows[i]!]!);
        }
        this.pendingN = w;
        return;
      }
      if (v instanceof Int32Array || v instanceof Uint16Array || v instanceof Float64Array || v instanceof Float32Array) {
        for (let i = 0; i < n; i++) this.set(gids === null ? 0 : gids[i]!).addNumber(v[rows[i]!]!);
        return;
      }
      if (v instanceof BigInt64Array) {
        const nums = (this.numbers = ensureFloat64(this.numbers, n));
        gatherLongs(v, rows, n, nums);
        for (let i = 0; i < n; i++) {
          const set = this.set(gids === null ? 0 : gids[i]!);
          const x = nums[i]!;
          if (x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER) set.addSafeLong(x);
          else set.add(v[rows[i]!]!);
        }
        return;
      }
    }
    const read = b !== null ? columnReader(b) : compileRowExpr(arg, block);
    for (let i = 0; i < n; i++) this.set(gids === null ? 0 : gids[i]!).add(read(rows[i]!));
  }

  dictionaryInput(segment: SegmentSnapshot): Dictionary | null {
    const arg = this.spec.arg;
    if (this.spec.filter !== null || arg === null || arg.kind !== 'column' || !arg.type.sv || isVirtualColumn(arg.column.name)) return null;
    return segment.dictionary(arg.column.name);
  }

  /**
   * Every value of `dict` into the set (Pinot's dictionary-based DISTINCTCOUNT): a sorted integer
   * dictionary of safe integers as one sorted run, from its numbers (kept with the dictionary
   * across queries), any other value by value.
   */
  addDictionary(dict: Dictionary): void {
    this.finish();
    const size = dict.size;
    if (size === 0) return;
    const set = this.set(0);
    const stored = storedTypeOf(this.spec.arg!.type.dataType);
    if (dict.sorted && (stored === 'INT' || stored === 'LONG')) {
      const nums = dictionaryNumbers(dict);
      // Ascending, so safe at both ends is safe throughout (and then strictly ascending).
      if (nums[0]! >= -MAX_SAFE && nums[size - 1]! <= MAX_SAFE) {
        set.addSorted(stored === 'INT' ? 'num' : 'long', nums, size);
        return;
      }
    }
    const add = dictAdder(dict, stored);
    for (let id = 0; id < size; id++) add(set, id);
  }

  result(g: number): ScalarValue {
    const state = this.spec.fn.init();
    state.set = this.sets[g] ?? null;
    return this.spec.fn.result(state, this.spec.param);
  }

  finish(): void {
    this.flushPending();
    const marks = this.marks;
    if (marks === null) return;
    const set = this.set(0);
    const dict = this.marked!;
    const stored = storedTypeOf(this.spec.arg!.type.dataType);
    if (dict.sorted && (stored === 'INT' || stored === 'LONG')) {
      // Ids ascend with values: the marked values form one sorted run.
      const nums = dictionaryNumbers(dict);
      const run = (this.run = ensureFloat64(this.run, marks.length));
      let m = 0;
      for (let id = 0; id < marks.length; id++) {
        if (marks[id] !== 1) continue;
        const x = nums[id]!;
        if (x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER) run[m++] = x;
        else set.add(dict.get(id));
      }
      set.addSorted(stored === 'INT' ? 'num' : 'long', run, m);
    } else {
      const add = this.markedAdder!;
      for (let id = 0; id < marks.length; id++) if (marks[id] === 1) add(set, id);
    }
    this.marks = null;
    this.marked = null;
    this.markedAdder = null;
  }

  exportPartial(numGroups: number): StatesPartial {
    this.finish();
    const sets = new Array<ReturnType<FastDistinctValues['parts']> | null>(numGroups);
    for (let g = 0; g < numGroups; g++) sets[g] = this.sets[g]?.parts() ?? null;
    return { kind: 'distinct', sets };
  }

  mergePartial(partial: StatesPartial, gids: Int32Array): void {
    if (partial.kind !== 'distinct') throw new Error(`internal: ${partial.kind} states merged into distinct sets`);
    for (let i = 0; i < gids.length; i++) {
      const parts = partial.sets[i];
      if (parts === null || parts === undefined || gids[i]! < 0) continue;
      this.set(gids[i]!).addParts(parts);
    }
  }

  /**
   * Room for `n` more pending integers of `kind` (the ones held first sorted into the set when the
   * kind changes or the buffer is full).
   */
  private pendingFor(kind: 'num' | 'long', n: number): Float64Array {
    if (this.pendingN > 0 && (kind !== this.pendingKind || this.pendingN + n > Math.max(PENDING_MAX, n))) this.flushPending();
    this.pendingKind = kind;
    if (this.pending.length < this.pendingN + n) {
      const grown = new Float64Array(Math.max(this.pendingN + n, Math.min(2 * this.pending.length, PENDING_MAX)));
      grown.set(this.pending.subarray(0, this.pendingN));
      this.pending = grown;
    }
    return this.pending;
  }

  /** The pending integers into the set: marked where its run keeps marks (`markAll`), else sorted and made distinct (the seal's radix sort) and added as one run. */
  private flushPending(): void {
    const n = this.pendingN;
    if (n === 0) return;
    this.pendingN = 0;
    if (this.set(0).markAll(this.pendingKind, this.pending, n)) return;
    const sorted = sortedDistinct(this.pending.subarray(0, n));
    this.set(0).addSorted(this.pendingKind, sorted, sorted.length);
  }

  /** The marks of `dict`, adding the previous dictionary's marked values to the set first. */
  private marksFor(dict: Dictionary, storedType: string): Uint8Array {
    if (this.marked !== dict) {
      this.finish();
      this.marked = dict;
      this.markedAdder = dictAdder(dict, storedType);
      this.marks = new Uint8Array(dict.size);
    } else if (this.marks!.length < dict.size) {
      // A consuming segment's dictionary grew between blocks.
      const grown = new Uint8Array(dict.size);
      grown.set(this.marks!);
      this.marks = grown;
    }
    return this.marks!;
  }

  private set(g: number): FastDistinctValues {
    let s = this.sets[g];
    if (s === undefined) {
      s = new FastDistinctValues();
      this.sets[g] = s;
    }
    return s;
  }
}
