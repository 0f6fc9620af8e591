/**
 * A percentile state's compact form: distinct values in ascending order, each with how many
 * times it occurred. A column of few distinct values (a dictionary, or integers over a short
 * range) is counted into this form instead of gathering one double per row, and two of them
 * merge by a merge of sorted runs. Values are never NaN or -0 (those stay in the state's plain
 * value buffer, whose typed-array order puts them apart), so `<` orders them as a sort would.
 */
export interface ValueCounts {
  readonly values: Float64Array;
  readonly counts: Float64Array;
}

/** Total number of values counted. */
export function countsTotal(c: ValueCounts | undefined): number {
  if (c === undefined) return 0;
  let total = 0;
  for (let i = 0; i < c.counts.length; i++) total += c.counts[i]!;
  return total;
}

/** `values[0..m)` with `counts[0..m)` (any order, repeats allowed, no NaN or -0) as `ValueCounts`. */
export function countsOf(values: Float64Array, counts: Float64Array, m: number): ValueCounts {
  let ascending = true;
  for (let i = 1; i < m && ascending; i++) ascending = values[i - 1]! < values[i]!;
  if (ascending) return { values: values.slice(0, m), counts: counts.slice(0, m) };
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const outValues = new Float64Array(m);
  const outCounts = new Float64Array(m);
  let k = -1;
  for (const i of order) {
    if (k >= 0 && outValues[k] === values[i]) outCounts[k] += counts[i]!;
    else {
      outValues[++k] = values[i]!;
      outCounts[k] = counts[i]!;
    }
  }
  return { values: outValues.slice(0, k + 1), counts: outCounts.slice(0, k + 1) };
}

/** The union of two `ValueCounts` (either may be undefined). */
export function mergeCounts(a: ValueCounts | undefined, b: ValueCounts | undefined): ValueCounts | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const values = new Float64Array(a.values.length + b.values.length);
  const counts = new Float64Array(values.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.values.length || j < b.values.length) {
    const x = i < a.values.length ? a.values[i]! : Number.POSITIVE_INFINITY;
    const y = j < b.values.length ? b.values[j]! : Number.POSITIVE_INFINITY;
    if (j >= b.values.length || (i < a.values.length && x < y)) {
      values[k] = x;
      counts[k++] = a.counts[i++]!;
    } else if (i >= a.values.length || y < x) {
      values[k] = y;
      counts[k++] = b.counts[j++]!;
    } else {
      values[k] = x;
      counts[k++] = a.counts[i++]! + b.counts[j++]!;
    }
  }
  return { values: values.slice(0, k), counts: counts.slice(0, k) };
}

/**
 * The value at index `k` of the sorted union of `list[0..n)` (a plain value buffer, reordered
 * here) and `counted`: what a full sort of every value would put there. Float64Array order: -0
 * before 0 and NaN last (only the buffer can hold them).
 */
export function kthOfUnion(list: Float64Array | null, n: number, counted: ValueCounts, k: number): number {
  const sorted = list === null || n === 0 ? new Float64Array(0) : list.subarray(0, n).sort();
  const { values, counts } = counted;
  let i = 0;
  let j = 0;
  let seen = 0;
  for (;;) {
    if (i >= sorted.length && j >= values.length) throw new Error(`internal: percentile index ${k} past the ${seen} values`);
    const a = i < sorted.length ? sorted[i]! : Number.NaN;
    const w = j < values.length ? values[j]! : Number.NaN;
    // The buffer's value comes first when it is smaller, or -0 against 0; NaN only after every counted value.
    const listFirst = j >= values.length || (i < sorted.length && (a < w || (a === 0 && w === 0 && 1 / a < 0)));
    if (listFirst) {
      if (seen === k) return a;
      seen++;
      i++;
    } else {
      seen += counts[j]!;
      if (seen > k) return w;
      j++;
    }
  }
}
