import { GrowableBuffer } from './growable-buffer.js';

/**
 * Null bitmaps: bit `i` (least significant bit first within byte `i >> 3`) is set when doc `i`
 * is null. The same layout is used in memory and in segment files.
 */
export function isBitSet(bitmap: Uint8Array, index: number): boolean {
  return (bitmap[index >> 3]! & (1 << (index & 7))) !== 0;
}

export function setBit(bitmap: Uint8Array, index: number): void {
  bitmap[index >> 3]! |= 1 << (index & 7);
}

/** Bytes needed for `bits` bits. */
export function bitmapBytes(bits: number): number {
  return (bits + 7) >> 3;
}

/**
 * A growable null bitmap for a consuming column. `append` writes the bit explicitly (set or
 * clear), so a row that was rolled back leaves no stale bit behind.
 */
export class NullBitmapBuilder {
  private readonly bytes = new GrowableBuffer(Uint8Array, 128);
  private count = 0;
  /** Number of docs (bits) appended. */
  length = 0;

  append(isNull: boolean): void {
    const i = this.length;
    const byte = i >> 3;
    if (byte >= this.bytes.length) {
      this.bytes.reserve(byte + 1);
      this.bytes.array[byte] = 0;
      this.bytes.length = byte + 1;
    }
    const mask = 1 << (i & 7);
    if (isNull) {
      this.bytes.array[byte]! |= mask;
      this.count++;
    } else {
      this.bytes.array[byte]! &= ~mask;
    }
    this.length = i + 1;
  }

  isNull(index: number): boolean {
    return index < this.length && isBitSet(this.bytes.array, index);
  }

  /** Number of null docs among the first `length`. */
  get nullCount(): number {
    return this.count;
  }

  truncate(length: number): void {
    while (this.length > length) {
      this.length--;
      if (isBitSet(this.bytes.array, this.length)) {
        this.count--;
        this.bytes.array[this.length >> 3]! &= ~(1 << (this.length & 7));
      }
    }
  }

  /**
   * The bitmap of the first `length` docs as a view (stays valid while appends continue; bits of
   * later docs in the last byte may change). Null when no doc has ever been null.
   */
  prefix(length: number): Uint8Array | null {
    if (length > this.length) throw new RangeError(`prefix of ${length} docs, only ${this.length} appended`);
    return this.count === 0 ? null : this.bytes.array.subarray(0, bitmapBytes(length));
  }

  /** An exact-size copy of the bitmap for `length` docs. */
  copy(): Uint8Array {
    return this.bytes.array.slice(0, bitmapBytes(this.length));
  }

  get capacityBytes(): number {
    return this.bytes.capacityBytes;
  }
}
