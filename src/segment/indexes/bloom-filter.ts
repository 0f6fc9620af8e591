import type { ScalarValue } from '../../config/data-type.js';

/** Pinot's default false-positive probability (`bloomFilterConfigs.<col>.fpp`). */
export const DEFAULT_BLOOM_FPP = 0.05;

/** Settings of one column's bloom filter (`bloomFilterColumns` / `bloomFilterConfigs`). */
export interface BloomFilterSettings {
  /** Target false-positive probability, in (0, 1). */
  readonly fpp: number;
  /** Upper bound on the bit array's bytes; 0 = none. */
  readonly maxSizeInBytes: number;
}

/**
 * The bytes hashed for a value: a type tag and a canonical text, so that a value read from the
 * column and the same value given as a query literal (after coercion to the column's type) hash
 * alike. FLOAT values are rounded to 32 bits by the caller on both sides.
 */
export function bloomKey(value: ScalarValue): string {
  if (typeof value === 'number') return `n${value === 0 ? '0' : String(value)}`;
  if (typeof value === 'bigint') return `l${value.toString()}`;
  if (typeof value === 'string') return `s${value}`;
  return `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

/**
 * Two independent 32-bit hashes of a key's UTF-16 code units (FNV-1a and a murmur3-style mix,
 * each unit fed as one 16-bit step): no UTF-8 encoding per value.
 */
function hashes(key: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const b = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h2 ^= h2 >>> 13;
  h2 = Math.imul(h2, 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return [h1 >>> 0, (h2 | 1) >>> 0];
}

/** Bits and hash count for `n` distinct values at `fpp`, capped by `maxSizeInBytes` (classic formulas). */
export function bloomShape(n: number, settings: BloomFilterSettings): { numBits: number; numHashes: number } {
  const distinct = Math.max(1, n);
  let numBits = Math.ceil((-distinct * Math.log(settings.fpp)) / (Math.LN2 * Math.LN2));
  if (settings.maxSizeInBytes > 0) numBits = Math.min(numBits, settings.maxSizeInBytes * 8);
  numBits = Math.max(64, Math.ceil(numBits / 64) * 64);
  const numHashes = Math.max(1, Math.min(30, Math.round((numBits / distinct) * Math.LN2)));
  return { numBits, numHashes };
}

/**
 * Builds a bloom filter section over a column's distinct values (layout: docs/segment-format.md,
 * "Bloom filter"): u32 numBits, u32 numHashes, then the bit array (bit i in byte i >> 3, LSB
 * first). Bit positions are `(h1 + i * h2) mod numBits` for i < numHashes.
 */
export function buildBloomFilter(keys: readonly string[], settings: BloomFilterSettings): Uint8Array {
  const { numBits, numHashes } = bloomShape(keys.length, settings);
  const out = new Uint8Array(8 + numBits / 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, numBits, true);
  view.setUint32(4, numHashes, true);
  const bits = out.subarray(8);
  for (const key of keys) {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < numHashes; i++) {
      const bit = (h1 + i * h2) % numBits;
      bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }
  return out;
}

/** A column's bloom filter: false means the segment surely lacks the value. */
export interface BloomFilterReader {
  readonly numBits: number;
  readonly numHashes: number;
  mightContain(key: string): boolean;
}

/** Reads a bloom filter section; throws an `Error` when it is malformed. */
export function readBloomFilter(bytes: Uint8Array): BloomFilterReader {
  if (bytes.length < 8) throw new Error('bloom filter shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const numBits = view.getUint32(0, true);
  const numHashes = view.getUint32(4, true);
  if (numBits === 0 || numBits % 8 !== 0 || bytes.length !== 8 + numBits / 8 || numHashes < 1 || numHashes > 30) {
    throw new Error(`bloom filter header (${numBits} bits, ${numHashes} hashes) does not match its ${bytes.length} bytes`);
  }
  const bits = bytes.subarray(8);
  return {
    numBits,
    numHashes,
    mightContain(key) {
      const [h1, h2] = hashes(key);
      for (let i = 0; i < numHashes; i++) {
        const bit = (h1 + i * h2) % numBits;
        if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
      }
      return true;
    },
  };
}
