import type { ScalarValue } from '../../config/data-type.js';
import type { BlockStats, DecodedBlock } from '../segment-view.js';

/** Largest value a narrowed block holds. */
const UINT16_MAX = 0xffff;

/**
 * A raw INT block held in half the bytes: when the block's footer says its values lie in
 * `[0, 65535]` (counts, latencies, ports, flags), they are copied into a `Uint16Array` at decode
 * and the 4-byte section buffer is let go, so the memory budget holds twice as many of these
 * blocks (docs/segment-format.md, "Decoded forms"). Null when the block does not qualify (a
 * negative value, a larger one, or a dimension's stored null, -2³¹; a metric's null is stored as
 * 0 and narrows).
 *
 * The footer's min/max are read before the values, so each value is checked on the copy: a value
 * outside them is a damaged file (thrown, and reported as corrupt by the caller), never wrapped.
 */
export function narrowInts(values: Int32Array, min: ScalarValue | null, max: ScalarValue | null): Uint16Array | null {
  if (typeof min !== 'number' || typeof max !== 'number' || min < 0 || max > UINT16_MAX) return null;
  const n = values.length;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x < min || x > max) throw new Error(`value ${x} at ${i} lies outside the block's min/max [${min}, ${max}]`);
    out[i] = x;
  }
  return out;
}

/**
 * `block` as the cache holds it: a single-value INT block that {@link narrowInts} narrows, with
 * its null bitmap copied too (both held apart from the section buffer, which is let go); any other
 * block as it is.
 */
export function narrowed(block: DecodedBlock, stats: BlockStats): DecodedBlock {
  const values = block.values;
  if (!(values instanceof Int32Array) || block.offsets !== null) return block;
  const narrow = narrowInts(values, stats.min, stats.max);
  return narrow === null ? block : { ...block, nulls: block.nulls && block.nulls.slice(), values: narrow };
}
