/**
 * The loops that add a block's values into per-group states (`Float64Array`s by group id) for
 * COUNT, SUM, AVG, MIN, MAX and MINMAXRANGE. Each comes in two forms, with the same result:
 *
 * - **per row**: `state[gids[i]] op= values[i]`. When consecutive rows share a group, each row's
 *   update waits for the previous row's store to the same slot (a load-add-store chain through
 *   memory, ~8 cycles a row);
 * - **by runs**: the current group's state is held in a local and written back when the group
 *   changes, so a run of one group costs a register add per row (and COUNT one addition per
 *   run). A change of group is a branch, mispredicted about as often as groups change.
 *
 * `inRuns` picks: by runs unless the group changes on more than half of the first 1,024 rows (a
 * key whose values arrive in random order). Both add each group's values in row order, so sums
 * are the same doubles either way (and MIN/MAX keep the first of equal values; NaN never
 * replaces a state).
 */

const SAMPLE = 1024;

/** The share of the first 1,024 rows of `gids[0..n)` whose group differs from the row before's. */
export function changeShare(gids: Int32Array, n: number): number {
  const m = Math.min(n, SAMPLE);
  let changes = 0;
  for (let i = 1; i < m; i++) changes += +(gids[i] !== gids[i - 1]);
  return m === 0 ? 0 : changes / m;
}

/** Whether `gids[0..n)` change group on at most half of the first 1,024 rows. */
export function inRuns(gids: Int32Array, n: number): boolean {
  return changeShare(gids, n) <= 0.5;
}

/** `ns[gids[i]] += 1` for `i < n`. */
export function countByGroup(ns: Float64Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) ns[gids[i]!]++;
    return;
  }
  let g = gids[0]!;
  let start = 0;
  for (let i = 1; i < n; i++) {
    const h = gids[i]!;
    if (h === g) continue;
    ns[g] += i - start;
    g = h;
    start = i;
  }
  ns[g] += n - start;
}

/** `xs[gids[i]] += values[i]` for `i < n`, in row order. */
export function sumByGroup(xs: Float64Array, values: Float64Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) xs[gids[i]!] += values[i]!;
    return;
  }
  let g = gids[0]!;
  let x = xs[g]!;
  for (let i = 0; i < n; i++) {
    const h = gids[i]!;
    if (h !== g) {
      xs[g] = x;
      g = h;
      x = xs[g]!;
    }
    x += values[i]!;
  }
  xs[g] = x;
}

/** SUM into `xs` and COUNT into `ns` (AVG's two states). */
export function avgByGroup(xs: Float64Array, ns: Float64Array, values: Float64Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      xs[g] += values[i]!;
      ns[g]++;
    }
    return;
  }
  let g = gids[0]!;
  let x = xs[g]!;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const h = gids[i]!;
    if (h !== g) {
      xs[g] = x;
      ns[g] += i - start;
      start = i;
      g = h;
      x = xs[g]!;
    }
    x += values[i]!;
  }
  xs[g] = x;
  ns[g] += n - start;
}

/**
 * SUM of a raw DOUBLE column's `v[rows[i]]` into `xs[gids[i]]`, and AVG's count into `ns`
 * unless null: `sumByGroup`/`avgByGroup` without a gathered copy of the values.
 */
export function sumRowsByGroupF64(xs: Float64Array, ns: Float64Array | null, v: Float64Array, rows: Int32Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) xs[gids[i]!] += v[rows[i]!]!;
    if (ns !== null) countByGroup(ns, gids, n, false);
    return;
  }
  let g = gids[0]!;
  let x = xs[g]!;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const h = gids[i]!;
    if (h !== g) {
      xs[g] = x;
      if (ns !== null) ns[g] += i - start;
      start = i;
      g = h;
      x = xs[g]!;
    }
    x += v[rows[i]!]!;
  }
  xs[g] = x;
  if (ns !== null) ns[g] += n - start;
}

/** `sumRowsByGroupF64` for a raw INT column. */
export function sumRowsByGroupI32(xs: Float64Array, ns: Float64Array | null, v: Int32Array, rows: Int32Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) xs[gids[i]!] += v[rows[i]!]!;
    if (ns !== null) countByGroup(ns, gids, n, false);
    return;
  }
  let g = gids[0]!;
  let x = xs[g]!;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const h = gids[i]!;
    if (h !== g) {
      xs[g] = x;
      if (ns !== null) ns[g] += i - start;
      start = i;
      g = h;
      x = xs[g]!;
    }
    x += v[rows[i]!]!;
  }
  xs[g] = x;
  if (ns !== null) ns[g] += n - start;
}

/** `sumRowsByGroupF64` for a raw INT column narrowed to 16 bits (`narrowInts`). */
export function sumRowsByGroupU16(xs: Float64Array, ns: Float64Array | null, v: Uint16Array, rows: Int32Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) xs[gids[i]!] += v[rows[i]!]!;
    if (ns !== null) countByGroup(ns, gids, n, false);
    return;
  }
  let g = gids[0]!;
  let x = xs[g]!;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const h = gids[i]!;
    if (h !== g) {
      xs[g] = x;
      if (ns !== null) ns[g] += i - start;
      start = i;
      g = h;
      x = xs[g]!;
    }
    x += v[rows[i]!]!;
  }
  xs[g] = x;
  if (ns !== null) ns[g] += n - start;
}

/** `xs[g] = min(xs[g], v)` as `v < xs[g]` decides (NaN never replaces). */
export function minByGroup(xs: Float64Array, values: Float64Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      const v = values[i]!;
      if (v < xs[g]!) xs[g] = v;
    }
    return;
  }
  let g = gids[0]!;
  let x = xs[g]!;
  for (let i = 0; i < n; i++) {
    const h = gids[i]!;
    if (h !== g) {
      xs[g] = x;
      g = h;
      x = xs[g]!;
    }
    const v = values[i]!;
    if (v < x) x = v;
  }
  xs[g] = x;
}

/** `xs[g] = max(xs[g], v)` as `v > xs[g]` decides (NaN never replaces). */
export function maxByGroup(xs: Float64Array, values: Float64Array, gids: Int32Array, n: number, runs: boolean): void {
  if (n === 0) return;
  if (!runs) {
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      const v = values[i]!;
      if (v > xs[g]!) xs[g] = v;
    }
    return;
  }
  let g = gids[0]!;
  let x = xs[g]!;
  for (let i = 0; i < n; i++) {
    const h = gids[i]!;
    if (h !== g) {
      xs[g] = x;
      g = h;
      x = xs[g]!;
    }
    const v = values[i]!;
    if (v > x) x = v;
  }
  xs[g] = x;
}

/** MINMAXRANGE's states: the minimum into `xs`, the maximum into `ys`. */
export function rangeByGroup(xs: Float64Array, ys: Float64Array, values: Float64Array, gids: Int32Array, n: number, runs: boolean): void {
  minByGroup(xs, values, gids, n, runs);
  maxByGroup(ys, values, gids, n, runs);
}
