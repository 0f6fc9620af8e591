/**
 * COUNT and integer SUM/AVG kernels for few groups whose rows change group often but not at
 * every row (`GROUP BY DATETRUNC('HOUR', ts)` over rows in rough time order: the group changes
 * on ~30 % of rows). There, both forms of `group-kernels.ts` stall: by runs, the change of group
 * is a jump mispredicted about as often as groups change; per row, a row waits for the previous
 * row's store to the same group's state. Measured inside the 10M bench's time-bucket query
 * (bench/notes.md, 2026-12-07): COUNT ~4 and AVG ~6 ns a row by runs, against ~1.2 and ~3.3 ns
 * for the same blocks replayed in a loop (the replay lets the branch predictor learn them).
 *
 * Here even rows add to the states and odd rows to a second set of states (`odd`), folded in
 * at the end of the block: consecutive rows never wait on each other's store, and there is no
 * jump. The states' sums change order, so only what stays exact in any order is added this way:
 * counts and sums of integers (a raw INT column's values; a sum of integers is exact below 2^53,
 * as the row-order sum is). The fold costs one add per group, so only few groups
 * (`LANE_MAX_GROUPS`) are kept this way.
 */

/** At most this many groups in the table for the two-lane kernels (the fold reads each once per block). */
export const LANE_MAX_GROUPS = 1024;

/** Below this share of rows changing group (of the first 1,024), runs are cheaper: their jump is rarely taken. */
export const LANE_MIN_CHANGE = 1 / 16;

let oddN: Float64Array = new Float64Array(0);
let oddX: Float64Array = new Float64Array(0);

/** `a`, zeroed over `[0, size)`, grown to at least `size`. */
function zeroed(a: Float64Array, size: number): Float64Array {
  if (a.length < size) return new Float64Array(Math.max(size, 64));
  a.fill(0, 0, size);
  return a;
}

/** `ns[gids[i]] += 1` for `i < n` (`numGroups`: the states' length in use). */
export function countByLanes(ns: Float64Array, gids: Int32Array, n: number, numGroups: number): void {
  const odd = (oddN = zeroed(oddN, numGroups));
  let i = 0;
  for (; i + 1 < n; i += 2) {
    ns[gids[i]!]++;
    odd[gids[i + 1]!]++;
  }
  if (i < n) ns[gids[i]!]++;
  for (let g = 0; g < numGroups; g++) ns[g] += odd[g]!;
}

/** `xs[gids[i]] += v[rows[i]]` for a raw INT column, and `ns[gids[i]] += 1` unless null. */
export function sumRowsByLanesI32(xs: Float64Array, ns: Float64Array | null, v: Int32Array, rows: Int32Array, gids: Int32Array, n: number, numGroups: number): void {
  const odd = (oddX = zeroed(oddX, numGroups));
  let i = 0;
  for (; i + 1 < n; i += 2) {
    xs[gids[i]!] += v[rows[i]!]!;
    odd[gids[i + 1]!] += v[rows[i + 1]!]!;
  }
  if (i < n) xs[gids[i]!] += v[rows[i]!]!;
  for (let g = 0; g < numGroups; g++) xs[g] += odd[g]!;
  if (ns !== null) countByLanes(ns, gids, n, numGroups);
}

/** `sumRowsByLanesI32` for a raw INT column narrowed to 16 bits (`narrowInts`): one body per array type on purpose (docs/decisions.md, "Per-type kernels"). */
export function sumRowsByLanesU16(xs: Float64Array, ns: Float64Array | null, v: Uint16Array, rows: Int32Array, gids: Int32Array, n: number, numGroups: number): void {
  const odd = (oddX = zeroed(oddX, numGroups));
  let i = 0;
  for (; i + 1 < n; i += 2) {
    xs[gids[i]!] += v[rows[i]!]!;
    odd[gids[i + 1]!] += v[rows[i + 1]!]!;
  }
  if (i < n) xs[gids[i]!] += v[rows[i]!]!;
  for (let g = 0; g < numGroups; g++) xs[g] += odd[g]!;
  if (ns !== null) countByLanes(ns, gids, n, numGroups);
}
