/**
 * The shared work queue of one query's sealed segments, read by the worker threads and the main
 * thread through one `SharedArrayBuffer` (work stealing). The segments (positions 0..n-1 of the
 * query's worker list, in segment order) start split into one contiguous range per lane, of
 * roughly equal rows. A lane's worker takes segments from the front of its own range, in order;
 * once its range is empty it takes them one at a time from the back of the range with the most
 * left. So a worker that is slowed (a busy machine, a costlier segment) hands its tail to one
 * that is free, no segment is read twice, and each worker's own segments stay one contiguous
 * run (one partial result) while each stolen segment is a partial of its own: the main thread
 * merges all of them in segment order.
 *
 * Each lane is one `Int32` holding its front (high 16 bits) and back (low 16 bits), changed by
 * compare-and-swap, so a claim from the front and one from the back never take the same segment.
 *
 * **Cache affinity.** The pool sends lane i to thread i every time, so a worker's own lane is the
 * one its block cache holds. A worker done with its lane steals any segment, warm or cold: on a
 * 2-core machine where the main thread also reads the consuming segment, a rule that stole only
 * segments the thief had read before kept the workers from ever balancing (1 → 2 threads x1.20
 * on the pooled scans, against x1.53 stealing any; bench/notes.md, 2026-12-06 23:33-23:45), at
 * the cost of a stolen segment's columns cached in both workers.
 */
export class SegmentClaims {
  /** Most segments one query can split (16 bits per end). */
  static readonly MAX_SEGMENTS = 0xffff;
  /**
   * One `Int32` per lane, then the bound (positions from it on are not read: a failure before
   * them).
   */
  private readonly lanes: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.lanes = new Int32Array(buffer);
  }

  /**
   * Lanes over `rows` (each segment's rows, in order) for `threads` workers: contiguous ranges of
   * roughly equal rows, as many as `threads` (fewer when there are fewer segments).
   */
  static split(rows: readonly number[], threads: number): SegmentClaims {
    if (rows.length > SegmentClaims.MAX_SEGMENTS) throw new Error(`internal: ${rows.length} segments exceed the ${SegmentClaims.MAX_SEGMENTS} one query can split`);
    const lanes = Math.max(1, Math.min(threads, rows.length));
    const total = rows.reduce((s, r) => s + r, 0);
    const claims = new SegmentClaims(new SharedArrayBuffer(4 * (lanes + 1)));
    let start = 0;
    let done = 0;
    for (let lane = 0; lane < lanes; lane++) {
      let end = start;
      // At least one segment, then each whose middle falls within this lane's share of the rows
      // (leaving one to each later lane); the last lane takes the rest.
      const last = lane === lanes - 1 ? rows.length : rows.length - (lanes - 1 - lane);
      const target = (total * (lane + 1)) / lanes;
      while (end < last && (end === start || lane === lanes - 1 || done + rows[end]! / 2 <= target)) done += rows[end++]!;
      claims.lanes[lane] = (start << 16) | end;
      start = end;
    }
    claims.lanes[lanes] = SegmentClaims.MAX_SEGMENTS;
    return claims;
  }

  get laneCount(): number {
    return this.lanes.length - 1;
  }

  /** The positions [front, back) still unclaimed in `lane` (before the bound). */
  range(lane: number): [number, number] {
    const v = Atomics.load(this.lanes, lane);
    const front = v >>> 16;
    return [front, Math.max(front, Math.min(v & 0xffff, this.bound))];
  }

  /** Segments not claimed yet, in every lane (before the bound). */
  remaining(): number {
    let n = 0;
    for (let lane = 0; lane < this.laneCount; lane++) {
      const [front, back] = this.range(lane);
      n += back - front;
    }
    return n;
  }

  /**
   * No position from `position` on is handed out any more: a segment before it failed, and the
   * query fails with the first failure in segment order, so later segments need no reading.
   */
  stopAt(position: number): void {
    for (;;) {
      const bound = this.bound;
      if (position >= bound || Atomics.compareExchange(this.lanes, this.laneCount, bound, Math.max(0, position)) === bound) return;
    }
  }

  /** The next position from the front of `lane`, or -1 when it is empty. */
  takeFront(lane: number): number {
    for (;;) {
      const v = Atomics.load(this.lanes, lane);
      const front = v >>> 16;
      const back = v & 0xffff;
      if (front >= back || front >= this.bound) return -1;
      if (Atomics.compareExchange(this.lanes, lane, v, ((front + 1) << 16) | back) === v) return front;
    }
  }

  /**
   * A position from the back of the lane with the most left, or -1 when every lane is empty.
   */
  steal(): number {
    for (;;) {
      let victim = -1;
      let most = 0;
      for (let lane = 0; lane < this.laneCount; lane++) {
        const [front, back] = this.range(lane);
        if (back - front > most) {
          most = back - front;
          victim = lane;
        }
      }
      if (victim < 0) return -1;
      const v = Atomics.load(this.lanes, victim);
      const front = v >>> 16;
      const back = Math.min(v & 0xffff, this.bound);
      if (front >= back) continue;
      if (Atomics.compareExchange(this.lanes, victim, v, (front << 16) | (back - 1)) === v) return back - 1;
    }
  }

  private get bound(): number {
    return Atomics.load(this.lanes, this.laneCount);
  }
}
