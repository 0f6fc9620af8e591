/**
 * The byte layouts inside a section (uncompressed), shared by writer and reader. All integers and
 * floats are little-endian; every array starts at an offset that is a multiple of 8 from the
 * section start, so it can be viewed as a typed array without copying.
 */

import type { PackedValues } from './packed-values.js';

export type FixedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

/** How a run of values is laid out: a fixed-width element type, or `var` (u32 offsets + bytes). */
export type ValueLayout = 'u8' | 'u16' | 'u32' | 'i32' | 'i64' | 'f32' | 'f64' | 'var';

const WIDTH: Record<Exclude<ValueLayout, 'var'>, number> = { u8: 1, u16: 2, u32: 4, i32: 4, i64: 8, f32: 4, f64: 8 };

export function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Values to write: a typed array of fixed-width elements, or variable-length values taken from a
 * packed table — entries `ids[i]` in that order, or every entry when `ids` is null.
 */
export type ValueRun = { readonly fixed: FixedArray } | { readonly packed: PackedValues; readonly ids: Int32Array | null };

/** Bytes `run` takes, padded to 8. */
export function runBytes(run: ValueRun): number {
  if ('fixed' in run) return pad8(run.fixed.byteLength);
  const { offsets } = run.packed;
  const ids = run.ids;
  const n = ids === null ? offsets.length - 1 : ids.length;
  let total = 0;
  if (ids === null) total = offsets[n]! - offsets[0]!;
  else for (let i = 0; i < n; i++) total += offsets[ids[i]! + 1]! - offsets[ids[i]!]!;
  return pad8((n + 1) * 4) + pad8(total);
}

/** Values up to this many bytes are copied byte by byte (cheaper than a subarray per value). */
const SHORT_VALUE = 48;

/** Writes `run` at `pos` (a multiple of 8); returns the position after it. */
export function writeRun(out: Uint8Array, pos: number, run: ValueRun): number {
  if ('fixed' in run) {
    out.set(new Uint8Array(run.fixed.buffer, run.fixed.byteOffset, run.fixed.byteLength), pos);
    return pos + pad8(run.fixed.byteLength);
  }
  const { bytes, offsets: from } = run.packed;
  const ids = run.ids;
  const n = ids === null ? from.length - 1 : ids.length;
  const offsets = new Uint32Array(out.buffer, out.byteOffset + pos, n + 1);
  const start = pos + pad8((n + 1) * 4);
  if (ids === null) {
    out.set(bytes.subarray(from[0]!, from[n]!), start);
    for (let i = 0; i <= n; i++) offsets[i] = from[i]! - from[0]!;
    return start + pad8(from[n]! - from[0]!);
  }
  let at = start;
  for (let i = 0; i < n; i++) {
    offsets[i] = at - start;
    const a = from[ids[i]!]!;
    const e = from[ids[i]! + 1]!;
    if (e - a <= SHORT_VALUE) for (let k = a; k < e; k++) out[at++] = bytes[k]!;
    else {
      out.set(bytes.subarray(a, e), at);
      at += e - a;
    }
  }
  offsets[n] = at - start;
  return start + pad8(at - start);
}

/** A decoded run: a typed-array view, or offsets + bytes for `var`. */
export type DecodedRun = { readonly fixed: FixedArray } | { readonly offsets: Uint32Array; readonly bytes: Uint8Array };

/** Reads `count` values laid out as `layout` at `pos`; checks bounds. Returns the run and the next position. */
export function readRun(buf: Uint8Array, pos: number, count: number, layout: ValueLayout): { run: DecodedRun; next: number } {
  const base = buf.byteOffset + pos;
  if (layout === 'var') {
    const offBytes = (count + 1) * 4;
    if (pos + offBytes > buf.length) throw new Error('value offsets run past the section');
    const offsets = new Uint32Array(buf.buffer, base, count + 1);
    const start = pos + pad8(offBytes);
    const total = offsets[count]!;
    if (offsets[0] !== 0 || start + total > buf.length) throw new Error('value bytes run past the section');
    for (let i = 0; i < count; i++) if (offsets[i]! > offsets[i + 1]!) throw new Error('value offsets decrease');
    return { run: { offsets, bytes: buf.subarray(start, start + total) }, next: start + pad8(total) };
  }
  const bytes = count * WIDTH[layout];
  if (pos + bytes > buf.length) throw new Error('values run past the section');
  let fixed: FixedArray;
  switch (layout) {
    case 'u8': fixed = new Uint8Array(buf.buffer, base, count); break;
    case 'u16': fixed = new Uint16Array(buf.buffer, base, count); break;
    case 'u32': fixed = new Uint32Array(buf.buffer, base, count); break;
    case 'i32': fixed = new Int32Array(buf.buffer, base, count); break;
    case 'i64': fixed = new BigInt64Array(buf.buffer, base, count); break;
    case 'f32': fixed = new Float32Array(buf.buffer, base, count); break;
    case 'f64': fixed = new Float64Array(buf.buffer, base, count); break;
  }
  return { run: { fixed }, next: pos + pad8(bytes) };
}

/** Decodes the i-th entry of a `var` run as UTF-8 text. */
export function runString(run: { offsets: Uint32Array; bytes: Uint8Array }, i: number): string {
  const b = run.bytes;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', run.offsets[i]!, run.offsets[i + 1]!);
}

/** Copies the i-th entry of a `var` run. */
export function runBytesAt(run: { offsets: Uint32Array; bytes: Uint8Array }, i: number): Uint8Array {
  return run.bytes.slice(run.offsets[i]!, run.offsets[i + 1]!);
}
