/**
 * Variable-length values (UTF-8 strings, byte strings) packed into one buffer, so the writer
 * copies bytes instead of allocating a `Buffer` per value: value `i` is
 * `bytes[offsets[i], offsets[i + 1])`.
 */
export interface PackedValues {
  readonly bytes: Uint8Array;
  /** `count + 1` byte offsets into `bytes`, starting at 0. */
  readonly offsets: Uint32Array;
}

/** Strings joined and encoded together; a chunk that is not all ASCII is encoded string by string. */
const CHUNK = 4096;

function checkSize(total: number): void {
  if (total > 0xffffffff) throw new RangeError(`variable-length values total ${total} bytes, more than a segment section holds (4 GiB)`);
}

/**
 * Packs strings as UTF-8, exactly as `Buffer.from(s, 'utf8')` encodes each one (a lone surrogate
 * becomes U+FFFD).
 *
 * @example
 *   const { bytes, offsets } = packStrings(['a', 'é']); // bytes = 61 c3 a9, offsets = [0, 1, 3]
 */
export function packStrings(values: readonly string[]): PackedValues {
  const n = values.length;
  const offsets = new Uint32Array(n + 1);
  // Pass 1: join each chunk and find its size (ASCII: one byte per character). Pass 2 writes
  // into one buffer, so the values are not copied twice.
  const joined: (string | null)[] = [];
  let total = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const text = values.slice(start, end).join('');
    const ascii = Buffer.byteLength(text, 'utf8') === text.length;
    // Not ASCII: string by string, as a surrogate pair split across two strings must not be joined.
    joined.push(ascii ? text : null);
    for (let i = start; i < end; i++) {
      total += ascii ? values[i]!.length : Buffer.byteLength(values[i]!, 'utf8');
      offsets[i + 1] = total;
    }
    checkSize(total);
  }
  const bytes = Buffer.allocUnsafeSlow(total);
  for (let c = 0, start = 0; start < n; c++, start += CHUNK) {
    const text = joined[c] ?? null;
    if (text !== null) {
      bytes.write(text, offsets[start]!, 'latin1');
    } else {
      for (let i = start; i < Math.min(n, start + CHUNK); i++) bytes.write(values[i]!, offsets[i]!, 'utf8');
    }
  }
  return { bytes, offsets };
}

/** Packs byte strings (copies them). */
export function packBytes(values: readonly Uint8Array[]): PackedValues {
  const n = values.length;
  const offsets = new Uint32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += values[i]!.length;
    checkSize(total);
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) bytes.set(values[i]!, offsets[i]!);
  return { bytes, offsets };
}
