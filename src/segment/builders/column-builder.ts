import type { CellValue, ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { ColumnSpec } from '../../config/schema.js';
import type { ColumnReader, Dictionary } from '../segment-view.js';
import { BytesBuilder, StringBuilder } from './dictionary-builders.js';
import { DictionaryPrefix } from './dictionary-prefix.js';
import { GrowableBuffer } from './growable-buffer.js';
import { NullBitmapBuilder } from './null-bitmap.js';
import { DoubleBuilder, FloatBuilder, IntBuilder, LongBuilder } from './numeric-builders.js';
import type { PrefixArray, SealedValues, ValueBuilder } from './value-builder.js';

/** One column after `seal()`: immutable, exact-size arrays, ready for the segment writer. */
export interface ImmutableColumn {
  readonly spec: ColumnSpec;
  readonly numDocs: number;
  /** Single-value: one per doc. Multi-value: every value of every doc, in doc order. */
  readonly values: SealedValues;
  /** Multi-value only: doc `d` holds values `[offsets[d], offsets[d + 1])`. */
  readonly offsets: Int32Array | null;
  /** Null bitmap (always tracked; persisted only when null handling is on). */
  readonly nulls: Uint8Array;
  readonly nullCount: number;
}

/**
 * The first `numDocs` docs of a growing column as views of the builder's arrays, without a copy
 * (what a query over a consuming segment reads). The views stay valid while indexing continues:
 * written elements are never rewritten and a growth leaves the viewed arrays untouched.
 */
export interface ColumnPrefix {
  readonly numDocs: number;
  /** STRING/BYTES: the dictionary as it was at the call (its size fixed). */
  readonly dictionary: DictionaryPrefix | null;
  /** Dictionary ids (with `dictionary`), per doc or, for multi-value columns, per value. */
  readonly dictIds: Int32Array | null;
  /** Raw values of numeric columns, per doc or, for multi-value columns, per value. */
  readonly values: PrefixArray | null;
  /** Multi-value only: doc `d` holds values `[offsets[d], offsets[d + 1])`; length numDocs + 1. */
  readonly offsets: Int32Array | null;
  /** Null bitmap (covers at least `numDocs` bits), only with null handling on and a null seen. */
  readonly nulls: Uint8Array | null;
}

/** The value builder for a column's stored type. */
export function createValueBuilder(spec: ColumnSpec): ValueBuilder {
  switch (storedTypeOf(spec.dataType)) {
    case 'INT':
      return new IntBuilder();
    case 'LONG':
      return new LongBuilder();
    case 'FLOAT':
      return new FloatBuilder();
    case 'DOUBLE':
      return new DoubleBuilder();
    case 'STRING':
      return new StringBuilder();
    case 'BYTES':
      return new BytesBuilder();
  }
}

/**
 * Builds one column of a consuming segment and reads it back while it grows.
 *
 * Lifecycle: `append(cell)` once per doc → `seal()` → `ImmutableColumn` (exact-size copies that
 * never change; the builder stays readable, so a consuming segment can be queried while its
 * sealed file is written). Appends never change values already written, so a reader holding a
 * `numDocs` snapshot keeps reading the same values.
 * Multi-value cells are stored as offsets + values; a null cell stores the column's
 * `defaultNullValue` (a one-element array for multi-value columns, as Pinot does) and sets its
 * null bit.
 */
export class ColumnBuilder implements ColumnReader {
  private readonly values: ValueBuilder;
  private readonly offsets: GrowableBuffer<Int32Array> | null;
  private readonly nulls = new NullBitmapBuilder();
  private docs = 0;

  constructor(
    readonly spec: ColumnSpec,
    private readonly nullHandlingEnabled: boolean,
  ) {
    this.values = createValueBuilder(spec);
    if (spec.singleValue) {
      this.offsets = null;
    } else {
      this.offsets = new GrowableBuffer(Int32Array);
      this.offsets.array[0] = 0;
      this.offsets.length = 1;
    }
  }

  get numDocs(): number {
    return this.docs;
  }

  get encoding(): 'DICT' | 'RAW' {
    return this.values.dictionary ? 'DICT' : 'RAW';
  }

  get dictionary(): Dictionary | null {
    return this.values.dictionary;
  }

  /** Appends one doc's cell; `null` stores the default null value and sets the null bit. */
  append(cell: CellValue | null): void {
    const isNull = cell === null || cell === undefined;
    const offsets = this.offsets;
    if (offsets === null) {
      if (Array.isArray(cell)) throw new TypeError(`column ${this.spec.name} is single-value but got an array`);
      this.values.append(isNull ? this.spec.defaultNullValue : (cell as ScalarValue));
    } else {
      if (isNull) {
        this.values.append(this.spec.defaultNullValue);
      } else if (Array.isArray(cell)) {
        for (let i = 0; i < cell.length; i++) this.values.append(cell[i]!);
      } else {
        this.values.append(cell as ScalarValue);
      }
      if (offsets.length === offsets.array.length) offsets.reserve(offsets.length + 1);
      offsets.array[offsets.length++] = this.values.length;
    }
    this.nulls.append(isNull);
    this.docs++;
  }

  /**
   * Rewrites a single-value fixed-width cell in place (a rollup segment adding a row into the doc
   * of its group). Readers of such a column must take copies (`ConsumingSegment.columnPrefix`).
   */
  replaceValue(docId: number, value: ScalarValue): void {
    if (this.offsets !== null || this.values.set === undefined) throw new TypeError(`column ${this.spec.name} cannot be rewritten in place (multi-value or dictionary-encoded)`);
    this.values.set(docId, value);
  }

  /** Rolls back to `numDocs` docs (used when a row fails half-way through indexing). */
  truncate(numDocs: number): void {
    if (numDocs >= this.docs) return;
    if (this.offsets) {
      this.offsets.truncate(numDocs + 1);
      this.values.truncate(this.offsets.array[numDocs]!);
    } else {
      this.values.truncate(numDocs);
    }
    this.nulls.truncate(numDocs);
    this.docs = numDocs;
  }

  getValue(docId: number): CellValue {
    if (this.offsets === null) return this.values.valueAt(docId);
    const start = this.offsets.array[docId]!;
    const end = this.offsets.array[docId + 1]!;
    const out: ScalarValue[] = new Array(end - start);
    for (let i = start; i < end; i++) out[i - start] = this.values.valueAt(i);
    return out;
  }

  isNull(docId: number): boolean {
    return this.nullHandlingEnabled && this.nulls.isNull(docId);
  }

  getDictId(docId: number): number {
    return this.values.dictId(docId);
  }

  getDictIds(docId: number): number[] {
    if (this.offsets === null) return [this.values.dictId(docId)];
    const out: number[] = [];
    for (let i = this.offsets.array[docId]!; i < this.offsets.array[docId + 1]!; i++) out.push(this.values.dictId(i));
    return out;
  }

  /** Views of the first `numDocs` docs (at most `numDocs` now); see `ColumnPrefix`. */
  prefix(numDocs: number): ColumnPrefix {
    if (!(Number.isInteger(numDocs) && numDocs >= 0 && numDocs <= this.docs)) throw new RangeError(`prefix of ${numDocs} docs, column ${this.spec.name} has ${this.docs}`);
    const offsets = this.offsets === null ? null : this.offsets.prefix(numDocs + 1);
    const numValues = offsets === null ? numDocs : offsets[numDocs]!;
    const dict = this.values.dictionary;
    const array = this.values.prefix(numValues);
    return {
      numDocs,
      dictionary: dict ? new DictionaryPrefix(dict, dict.size) : null,
      dictIds: dict ? (array as Int32Array) : null,
      values: dict ? null : array,
      offsets,
      nulls: this.nullHandlingEnabled ? this.nulls.prefix(numDocs) : null,
    };
  }

  get estimatedBytes(): number {
    return this.values.estimatedBytes + this.nulls.capacityBytes + (this.offsets?.capacityBytes ?? 0);
  }

  seal(): ImmutableColumn {
    return Object.freeze({
      spec: this.spec,
      numDocs: this.docs,
      values: this.values.seal(),
      offsets: this.offsets ? this.offsets.copy() : null,
      nulls: this.nulls.copy(),
      nullCount: this.nulls.nullCount,
    });
  }
}
