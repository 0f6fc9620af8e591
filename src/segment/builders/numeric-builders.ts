import type { ScalarValue, StoredType } from '../../config/data-type.js';
import type { GrowableArray } from './growable-buffer.js';
import { GrowableBuffer } from './growable-buffer.js';
import type { PrefixArray, SealedValues, ValueBuilder } from './value-builder.js';

/**
 * The fixed-width value builders: INT, LONG, FLOAT, DOUBLE. Everything they share lives in
 * `FixedWidthBuilder`; what is left is one tiny class per stored type, on purpose (docs/decisions.md,
 * "Per-type kernels"): each binds its stored type to its typed array, so `seal()` returns a
 * `SealedValues` the compiler checks per type with no cast, and every column's builder is an
 * instance of its own class. A class factory would save the few repeated lines at the cost of
 * casts and anonymous classes.
 */

/** Shared body of the fixed-width builders: a growable typed array, nothing else. */
abstract class FixedWidthBuilder<A extends GrowableArray & PrefixArray> implements ValueBuilder {
  abstract readonly storedType: StoredType;
  readonly dictionary = null;
  protected readonly buf: GrowableBuffer<A>;

  constructor(make: new (length: number) => A) {
    this.buf = new GrowableBuffer(make);
  }

  get length(): number {
    return this.buf.length;
  }

  append(value: ScalarValue): void {
    const buf = this.buf;
    if (buf.length === buf.array.length) buf.reserve(buf.length + 1);
    (buf.array as unknown as ScalarValue[])[buf.length] = value;
    buf.length++;
  }

  valueAt(index: number): ScalarValue {
    return this.buf.array[index]!;
  }

  /** Rewrites value `index` in place (a rollup segment's metric; see `ValueBuilder.set`). */
  set(index: number, value: ScalarValue): void {
    (this.buf.array as unknown as ScalarValue[])[index] = value;
  }

  prefix(length: number): A {
    return this.buf.prefix(length);
  }

  dictId(): number {
    throw new Error(`${this.storedType} values are not dictionary-encoded while consuming`);
  }

  truncate(length: number): void {
    this.buf.truncate(length);
  }

  get estimatedBytes(): number {
    return this.buf.capacityBytes;
  }

  abstract seal(): SealedValues;
}

/** INT and BOOLEAN (0/1) values, as Int32. */
export class IntBuilder extends FixedWidthBuilder<Int32Array> {
  readonly storedType = 'INT' as const;
  constructor() {
    super(Int32Array);
  }
  seal(): SealedValues {
    return { kind: 'INT', values: this.buf.copy() };
  }
}

/** LONG and TIMESTAMP values, as BigInt64 (exact 64-bit). */
export class LongBuilder extends FixedWidthBuilder<BigInt64Array> {
  readonly storedType = 'LONG' as const;
  constructor() {
    super(BigInt64Array);
  }
  seal(): SealedValues {
    return { kind: 'LONG', values: this.buf.copy() };
  }
}

/** FLOAT values, as Float32. */
export class FloatBuilder extends FixedWidthBuilder<Float32Array> {
  readonly storedType = 'FLOAT' as const;
  constructor() {
    super(Float32Array);
  }
  seal(): SealedValues {
    return { kind: 'FLOAT', values: this.buf.copy() };
  }
}

/** DOUBLE values, as Float64. */
export class DoubleBuilder extends FixedWidthBuilder<Float64Array> {
  readonly storedType = 'DOUBLE' as const;
  constructor() {
    super(Float64Array);
  }
  seal(): SealedValues {
    return { kind: 'DOUBLE', values: this.buf.copy() };
  }
}
