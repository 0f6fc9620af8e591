import type { ImmutableColumn } from '../builders/column-builder.js';
import type { TimestampBuckets, TimestampIndexReader } from './index-readers.js';

import { TIMESTAMP_GRANULARITIES } from '../../config/index-config.js';
import type { TimestampGranularity } from '../../config/index-config.js';

export { TIMESTAMP_GRANULARITIES };
export type { TimestampGranularity };

export type { TimestampBuckets, TimestampIndexReader } from './index-readers.js';

/**
 * `DATETRUNC(unit, millis)` in UTC — the same arithmetic as the query function `dateTrunc`
 * (weeks start on Monday); a test pins the two together.
 */
export function truncateUtc(unit: TimestampGranularity, millis: number): number {
  switch (unit) {
    case 'MILLISECOND':
      return millis;
    case 'SECOND':
      return Math.floor(millis / 1000) * 1000;
    case 'MINUTE':
      return Math.floor(millis / 60_000) * 60_000;
    case 'HOUR':
      return Math.floor(millis / 3_600_000) * 3_600_000;
    case 'DAY':
      return Math.floor(millis / 86_400_000) * 86_400_000;
    case 'WEEK': {
      const day = Math.floor(millis / 86_400_000) * 86_400_000;
      return day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000;
    }
    default: {
      const d = new Date(millis);
      const y = d.getUTCFullYear();
      const mo = d.getUTCMonth();
      return unit === 'MONTH' ? Date.UTC(y, mo, 1) : unit === 'QUARTER' ? Date.UTC(y, mo - (mo % 3), 1) : Date.UTC(y, 0, 1);
    }
  }
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * The raw bytes of a timestamp index section (layout: docs/segment-format.md, "Timestamp index"),
 * or null when a value or bucket is not a safe integer (the query then truncates rows as without
 * an index). Single-value LONG (TIMESTAMP) columns; `perm` (new doc → old doc) gives file order.
 */
export function buildTimestampIndex(col: ImmutableColumn, perm: Int32Array | null, granularities: readonly TimestampGranularity[]): Uint8Array | null {
  const v = col.values;
  if (v.kind !== 'LONG' || col.offsets !== null) return null;
  const n = col.numDocs;
  const millis = new Float64Array(n);
  for (let d = 0; d < n; d++) {
    const x = Number(v.values[perm === null ? d : perm[d]!]!);
    if (!Number.isSafeInteger(x)) return null;
    millis[d] = x;
  }
  const parts: { code: number; values: number[]; ids: Int32Array }[] = [];
  for (const g of granularities) {
    const buckets = new Float64Array(n);
    for (let d = 0; d < n; d++) buckets[d] = truncateUtc(g, millis[d]!);
    if (!buckets.every((b) => Number.isSafeInteger(b))) return null;
    const values = [...new Set(buckets)].sort((a, b) => a - b);
    const idOf = new Map(values.map((b, i) => [b, i] as const));
    const ids = new Int32Array(n);
    for (let d = 0; d < n; d++) ids[d] = idOf.get(buckets[d]!)!;
    parts.push({ code: TIMESTAMP_GRANULARITIES.indexOf(g), values, ids });
  }
  const size = 8 + parts.reduce((s, p) => s + 8 + pad8(p.values.length * 8) + pad8(n * 4), 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true);
  view.setUint32(4, parts.length, true);
  let pos = 8;
  for (const p of parts) {
    view.setUint32(pos, p.code, true);
    view.setUint32(pos + 4, p.values.length, true);
    pos += 8;
    new BigInt64Array(out.buffer, pos, p.values.length).set(p.values.map((b) => BigInt(b)));
    pos += pad8(p.values.length * 8);
    new Int32Array(out.buffer, pos, n).set(p.ids);
    pos += pad8(n * 4);
  }
  return out;
}

/** Reads a timestamp index section (8-byte aligned); throws an `Error` naming what is inconsistent. */
export function readTimestampIndex(bytes: Uint8Array, numDocs: number): TimestampIndexReader {
  if (bytes.length < 8) throw new Error('timestamp index shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  if (n !== numDocs) throw new Error(`timestamp index covers ${n} docs, the segment has ${numDocs}`);
  const byName = new Map<string, TimestampBuckets>();
  let pos = 8;
  for (let i = 0; i < count; i++) {
    if (pos + 8 > bytes.length) throw new Error('timestamp index ends inside a granularity header');
    const name = TIMESTAMP_GRANULARITIES[view.getUint32(pos, true)];
    const card = view.getUint32(pos + 4, true);
    pos += 8;
    if (name === undefined || byName.has(name)) throw new Error(`timestamp index has an unknown or repeated granularity code ${view.getUint32(pos - 8, true)}`);
    if (pos + pad8(card * 8) + pad8(n * 4) > bytes.length) throw new Error(`timestamp index granularity ${name} runs past the section`);
    const values = new BigInt64Array(bytes.buffer, bytes.byteOffset + pos, card);
    pos += pad8(card * 8);
    const ids = new Int32Array(bytes.buffer, bytes.byteOffset + pos, n);
    pos += pad8(n * 4);
    for (let k = 1; k < card; k++) if (values[k - 1]! >= values[k]!) throw new Error(`timestamp index buckets of ${name} do not ascend`);
    for (let d = 0; d < n; d++) if (ids[d]! < 0 || ids[d]! >= card) throw new Error(`timestamp index bucket of doc ${d} (${name}) is out of range`);
    byName.set(name, { values, ids });
  }
  if (pos !== bytes.length) throw new Error(`timestamp index is ${bytes.length} bytes, its granularities take ${pos}`);
  return { granularities: [...byName.keys()] as TimestampGranularity[], buckets: (g) => byName.get(g) ?? null };
}
