import type { ScalarValue } from '../../config/data-type.js';
import type { Dictionary } from '../segment-view.js';
import { GrowableBuffer } from './growable-buffer.js';
import type { SealedValues, ValueBuilder } from './value-builder.js';

/**
 * Shared body of the variable-width builders: values are dictionary-encoded on the fly
 * (`Map<key, id>`, ids in arrival order), so a repeated value costs 4 bytes and the query engine
 * can group on ids. Entries are only ever appended, so ids never change.
 */
abstract class DictionaryEncodedBuilder<V extends ScalarValue> implements ValueBuilder, Dictionary {
  abstract readonly storedType: 'STRING' | 'BYTES';
  readonly sorted = false;
  protected readonly ids = new GrowableBuffer(Int32Array);
  protected readonly values: V[] = [];
  private readonly idOf = new Map<string, number>();
  private valueBytes = 0;

  protected abstract key(value: V): string;
  protected abstract sizeOf(value: V): number;

  get dictionary(): Dictionary {
    return this;
  }

  get size(): number {
    return this.values.length;
  }

  get length(): number {
    return this.ids.length;
  }

  append(value: ScalarValue): void {
    const key = this.key(value as V);
    let id = this.idOf.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value as V);
      this.idOf.set(key, id);
      this.valueBytes += this.sizeOf(value as V) + 64; // entry + map overhead, roughly
    }
    const buf = this.ids;
    if (buf.length === buf.array.length) buf.reserve(buf.length + 1);
    buf.array[buf.length++] = id;
  }

  get(id: number): ScalarValue {
    return this.values[id]!;
  }

  /** The value of doc/value `index` (not of a dictionary id: see `get`). */
  valueAt(index: number): ScalarValue {
    return this.values[this.ids.array[index]!]!;
  }

  indexOf(value: ScalarValue): number {
    return this.idOf.get(this.key(value as V)) ?? -1;
  }

  dictId(index: number): number {
    return this.ids.array[index]!;
  }

  prefix(length: number): Int32Array {
    return this.ids.prefix(length);
  }

  truncate(length: number): void {
    this.ids.truncate(length);
  }

  get estimatedBytes(): number {
    return this.ids.capacityBytes + this.valueBytes;
  }

  abstract seal(): SealedValues;
}

/** STRING, JSON and BIG_DECIMAL values (JS strings). */
export class StringBuilder extends DictionaryEncodedBuilder<string> {
  readonly storedType = 'STRING' as const;
  protected key(value: string): string {
    return value;
  }
  protected sizeOf(value: string): number {
    return value.length * 2;
  }
  override get(id: number): string {
    return this.values[id]!;
  }
  seal(): SealedValues {
    return { kind: 'STRING', ids: this.ids.copy(), dictionary: this.values.slice() };
  }
}

/** BYTES values (Uint8Array); the map key is the bytes as latin1 text (one char per byte). */
export class BytesBuilder extends DictionaryEncodedBuilder<Uint8Array> {
  readonly storedType = 'BYTES' as const;
  protected key(value: Uint8Array): string {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
  }
  protected sizeOf(value: Uint8Array): number {
    return value.byteLength * 3;
  }
  override append(value: ScalarValue): void {
    // Keep a private copy: the caller may reuse its buffer.
    super.append(Uint8Array.from(value as Uint8Array));
  }
  seal(): SealedValues {
    return { kind: 'BYTES', ids: this.ids.copy(), dictionary: this.values.slice() };
  }
}
