/**
 * Tight filter loops over dictionary ids, one function per id array type so every loop stays
 * monomorphic. `match[id]` is 1 when the id's value passes the leaf, else 0, so the loops are
 * branchless: store every row, advance by `match[id]`. Each writes the passing rows — all rows
 * `0..count)`, or the candidates `cand[0..count)` — to `out` (room for `count`) in ascending
 * order and returns how many passed.
 *
 * Per-type kernels, on purpose: `matchIds8/16/32` and `cumulate8/16/32` are the same body written
 * once per id array type (`duplicates` lists them; docs/decisions.md, "Per-type kernels"). One
 * function over `Uint8Array | Uint16Array | Int32Array` would go polymorphic at the id loads in
 * V8 and lose the plain loads these loops are for. Change one body, change them all.
 */

export function matchIds8(ids: Uint8Array, match: Uint8Array, cand: Int32Array | null, count: number, out: Int32Array): number {
  let n = 0;
  if (cand === null) {
    for (let r = 0; r < count; r++) {
      out[n] = r;
      n += match[ids[r]!]!;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      out[n] = r;
      n += match[ids[r]!]!;
    }
  }
  return n;
}

export function matchIds16(ids: Uint16Array, match: Uint8Array, cand: Int32Array | null, count: number, out: Int32Array): number {
  let n = 0;
  if (cand === null) {
    for (let r = 0; r < count; r++) {
      out[n] = r;
      n += match[ids[r]!]!;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      out[n] = r;
      n += match[ids[r]!]!;
    }
  }
  return n;
}

export function matchIds32(ids: Int32Array, match: Uint8Array, cand: Int32Array | null, count: number, out: Int32Array): number {
  let n = 0;
  if (cand === null) {
    for (let r = 0; r < count; r++) {
      out[n] = r;
      n += match[ids[r]!]!;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      out[n] = r;
      n += match[ids[r]!]!;
    }
  }
  return n;
}

/**
 * Multi-value dictionary ids: a row passes when any of its values' ids matches. Returns the
 * passing count; `scanned[0]` receives the number of values the tested rows hold (every value of
 * a tested row counts, as in Pinot's `numEntriesScannedInFilter`). `cum` needs room for the
 * block's values + 1.
 *
 * Rather than a short inner loop per row (a mispredicted branch per row), it counts matches
 * over the flat value array once (`cum[k]` = matches among the first k values) and then a row
 * passes when its values' range holds one: `cum[end] > cum[start]`.
 */
export function matchMvIds(ids: Uint8Array | Uint16Array | Int32Array, offsets: ArrayLike<number>, match: Uint8Array, cand: Int32Array | null, count: number, numDocs: number, out: Int32Array, cum: Int32Array, scanned: Float64Array): number {
  let n = 0;
  if (cand !== null && count * 4 < numDocs) {
    // Few candidates: test just their values.
    let entries = 0;
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      const start = offsets[r]!;
      const end = offsets[r + 1]!;
      entries += end - start;
      for (let k = start; k < end; k++) {
        if (match[ids[k]!] !== 0) {
          out[n++] = r;
          break;
        }
      }
    }
    scanned[0] = entries;
    return n;
  }
  const base = offsets[0]!;
  const total = offsets[numDocs]! - base;
  if (ids instanceof Uint8Array) cumulate8(ids, match, base, total, cum);
  else if (ids instanceof Uint16Array) cumulate16(ids, match, base, total, cum);
  else cumulate32(ids, match, base, total, cum);
  if (cand === null) {
    let prev = 0;
    for (let r = 0; r < count; r++) {
      const x = cum[offsets[r + 1]! - base]!;
      out[n] = r;
      n += +(x !== prev);
      prev = x;
    }
    scanned[0] = offsets[count]! - base;
    return n;
  }
  let entries = 0;
  for (let i = 0; i < count; i++) {
    const r = cand[i]!;
    const start = offsets[r]! - base;
    const end = offsets[r + 1]! - base;
    entries += end - start;
    out[n] = r;
    n += +(cum[end]! !== cum[start]!);
  }
  scanned[0] = entries;
  return n;
}

function cumulate8(ids: Uint8Array, match: Uint8Array, base: number, total: number, cum: Int32Array): void {
  let c = 0;
  for (let k = 0; k < total; k++) {
    cum[k] = c;
    c += match[ids[base + k]!]!;
  }
  cum[total] = c;
}

function cumulate16(ids: Uint16Array, match: Uint8Array, base: number, total: number, cum: Int32Array): void {
  let c = 0;
  for (let k = 0; k < total; k++) {
    cum[k] = c;
    c += match[ids[base + k]!]!;
  }
  cum[total] = c;
}

function cumulate32(ids: Int32Array, match: Uint8Array, base: number, total: number, cum: Int32Array): void {
  let c = 0;
  for (let k = 0; k < total; k++) {
    cum[k] = c;
    c += match[ids[base + k]!]!;
  }
  cum[total] = c;
}
