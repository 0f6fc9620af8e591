/**
 * Groups of a single integer GROUP BY key, in key order: a sorted copy of part of the hash table
 * in `GroupKeyTable`. A sealed segment's dictionary is sorted too, so all of its ids find their
 * existing groups in one merge pass, reading both sides in order, instead of one random hash
 * probe per id (with a million groups, a probe is a cache miss). Keys missing here are looked up
 * in the hash table as usual, so the index may lag behind it.
 *
 * New keys arrive in small sorted runs (the groups one segment created); runs are merged into the
 * main array only once they hold a sixteenth as many keys, so that many small segments do not
 * rewrite it each time.
 */
export class SortedKeyIndex {
  private keys: Float64Array = new Float64Array(0);
  private gids: Int32Array = new Int32Array(0);
  private mainSize = 0;
  private runs: { keys: Float64Array; gids: Int32Array }[] = [];
  private runTotal = 0;

  get size(): number {
    return this.mainSize + this.runTotal;
  }

  /** Bytes of the main arrays and the runs. */
  byteSize(): number {
    let bytes = this.keys.byteLength + this.gids.byteLength;
    for (const r of this.runs) bytes += r.keys.byteLength + r.gids.byteLength;
    return bytes;
  }

  /**
   * For dictionary ids `0..count)` whose keys `nums` ascend, writes the group of every key held
   * here to `memo[id]`; other entries are left as they are. Keys outside ±(2^53 - 1) are never
   * held. Returns how many ids it found.
   */
  lookupAll(nums: Float64Array, count: number, memo: Int32Array): number {
    const keys = this.keys;
    const gids = this.gids;
    const size = this.mainSize;
    let p = 0;
    let found = 0;
    for (let id = 0; id < count && p < size; id++) {
      const k = nums[id]!;
      if (!(k >= -Number.MAX_SAFE_INTEGER && k <= Number.MAX_SAFE_INTEGER)) continue;
      while (p < size && keys[p]! < k) p++;
      if (p < size && keys[p] === k) {
        memo[id] = gids[p]!;
        found++;
      }
    }
    // Runs are small: gallop through the dictionary from one run key to the next.
    for (const run of this.runs) {
      let lo = 0;
      for (let j = 0; j < run.keys.length && lo < count; j++) {
        const k = run.keys[j]!;
        // nums[lo - 1] < k; find the first id with nums[id] >= k.
        let step = 1;
        while (lo + step < count && nums[lo + step - 1]! < k) step *= 2;
        let hi = Math.min(lo + step, count);
        lo += step >>> 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (nums[mid]! < k) lo = mid + 1;
          else hi = mid;
        }
        if (lo < count && nums[lo] === k) {
          memo[lo] = run.gids[j]!;
          found++;
        }
      }
    }
    return found;
  }

  /**
   * Adds `m` entries not held yet, keys ascending. Takes `keys` and `gids` as they are (views of
   * their first `m` entries, not copies): the caller must not write to them afterwards.
   */
  add(keys: Float64Array, gids: Int32Array, m: number): void {
    if (m === 0) return;
    this.runs.push({ keys: keys.subarray(0, m), gids: gids.subarray(0, m) });
    this.runTotal += m;
    if (this.runTotal * 16 < this.mainSize) return;
    let run = this.runs[0]!;
    for (let i = 1; i < this.runs.length; i++) run = merge(run.keys, run.gids, run.keys.length, this.runs[i]!.keys, this.runs[i]!.gids, this.runs[i]!.keys.length);
    const merged = merge(this.keys, this.gids, this.mainSize, run.keys, run.gids, run.keys.length);
    this.keys = merged.keys;
    this.gids = merged.gids;
    this.mainSize = merged.keys.length;
    this.runs = [];
    this.runTotal = 0;
  }
}

/** Merges two key-ascending runs of distinct keys (no key in both). */
function merge(ak: Float64Array, ag: Int32Array, an: number, bk: Float64Array, bg: Int32Array, bn: number): { keys: Float64Array; gids: Int32Array } {
  const keys = new Float64Array(an + bn);
  const gids = new Int32Array(an + bn);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < an && j < bn) {
    if (ak[i]! < bk[j]!) {
      keys[w] = ak[i]!;
      gids[w++] = ag[i++]!;
    } else {
      keys[w] = bk[j]!;
      gids[w++] = bg[j++]!;
    }
  }
  for (; i < an; i++, w++) {
    keys[w] = ak[i]!;
    gids[w] = ag[i]!;
  }
  for (; j < bn; j++, w++) {
    keys[w] = bk[j]!;
    gids[w] = bg[j]!;
  }
  return { keys, gids };
}
