/**
 * Sorting strings for sealed dictionaries, in UTF-16 code unit order (`compareString`, the order
 * of Java's `String.compareTo`). A comparator sort costs a call and a string comparison per step,
 * which made sorting a 700k-entry dictionary take about a second; this multikey quicksort
 * (Bentley and Sedgewick) partitions on three code units at a time, cached as one number per
 * entry, so it rarely touches the strings themselves.
 */

/** Three code units c0 c1 c2 become (c0+1)·B² + (c1+1)·B + (c2+1) with B = 65537 (< 2^53); 0 = past the end. */
const BASE = 65537;
const BASE2 = BASE * BASE;
/** Ranges this short are finished by insertion sort on the strings. */
const SMALL_RANGE = 12;

function keyAt(s: string, depth: number): number {
  const n = s.length;
  const c0 = depth < n ? s.charCodeAt(depth) + 1 : 0;
  const c1 = depth + 1 < n ? s.charCodeAt(depth + 1) + 1 : 0;
  const c2 = depth + 2 < n ? s.charCodeAt(depth + 2) + 1 : 0;
  return c0 * BASE2 + c1 * BASE + c2;
}

function insertionSort(values: readonly string[], order: Int32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const id = order[i]!;
    const s = values[id]!;
    let j = i - 1;
    while (j >= lo && values[order[j]!]! > s) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = id;
  }
}

function isSorted(values: readonly string[], order: Int32Array): boolean {
  for (let i = 1; i < order.length; i++) if (values[order[i - 1]!]! > values[order[i]!]!) return false;
  return true;
}

/**
 * Sorts `order` (indexes into `values`) in place so that `values[order[i]]` ascend in UTF-16 code
 * unit order. Equal strings end up adjacent in no particular order. Input already in order (ids
 * that grow with arrival, like `evt-0000001`, `evt-0000002`) is detected in one pass.
 *
 * @example
 *   const order = Int32Array.from([0, 1, 2]);
 *   sortStringIndexes(['b', 'a', 'c'], order); // order = [1, 0, 2]
 */
export function sortStringIndexes(values: readonly string[], order: Int32Array): void {
  const n = order.length;
  if (n < 2 || isSorted(values, order)) return;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = keyAt(values[order[i]!]!, 0);
  // Ranges still to sort: [lo, hi) whose keys hold the code units at `depth`.
  const stack: number[] = [0, n, 0];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= SMALL_RANGE) {
      insertionSort(values, order, lo, hi);
      continue;
    }
    const x = key[lo]!;
    const y = key[(lo + hi) >> 1]!;
    const z = key[hi - 1]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // Three-way partition: [lo, lt) < pivot, [lt, gt] = pivot, (gt, hi) > pivot.
    let lt = lo;
    let gt = hi - 1;
    let i = lo;
    while (i <= gt) {
      const k = key[i]!;
      if (k < pivot) {
        const t = order[lt]!;
        order[lt] = order[i]!;
        order[i] = t;
        key[i] = key[lt]!;
        key[lt] = k;
        lt++;
        i++;
      } else if (k > pivot) {
        const t = order[gt]!;
        order[gt] = order[i]!;
        order[i] = t;
        key[i] = key[gt]!;
        key[gt] = k;
        gt--;
      } else {
        i++;
      }
    }
    stack.push(lo, lt, depth, gt + 1, hi, depth);
    // Equal keys: compare the next three code units, unless the strings ended (they are equal).
    if (pivot % BASE !== 0 && gt > lt) {
      const next = depth + 3;
      for (let q = lt; q <= gt; q++) key[q] = keyAt(values[order[q]!]!, next);
      stack.push(lt, gt + 1, next);
    }
  }
}
