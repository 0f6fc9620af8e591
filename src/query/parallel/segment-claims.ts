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
 * **Cache affinity.** A segment is cheap to scan only in the thread whose block cache holds its
 * columns: read cold from the file it costs 3-6 times a warm scan (bench/notes.md), and a copy in
 * a second worker's cache doubles its memory. So a lane is active while a worker has its task
 * (the pool marks it, `enter`/`leave`, from sending the task to receiving the answer), and a
 * worker steals from an active lane only segments it accepts (those it has read before); from a
 * lane no worker has (its task still queued behind another query, or given way to one) it steals
 * any. `steal()` without a test takes any segment (the main thread's
 * fallback when no worker can run).
 */
export class SegmentClaims {
  /** Most segments one query can split (16 bits per end). */
  static readonly MAX_SEGMENTS = 0xffff;
  /**
   * One `Int32` per lane, then the bound (positions from it on are not read: a failure before
   * them), then one `Int32` per lane counting the workers running it.
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
    const claims = new SegmentClaims(new SharedArrayBuffer(4 * (2 * lanes + 1)));
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
    return (this.lanes.length - 1) / 2;
  }

  /** A worker has the task of `lane` (sent to it, not answered yet). */
  enter(lane: number): void {
    Atomics.add(this.lanes, this.laneCount + 1 + lane, 1);
  }

  /** The task of `lane` is answered (done, failed, given way to another query) or lost with its thread. */
  leave(lane: number): void {
    Atomics.sub(this.lanes, this.laneCount + 1 + lane, 1);
  }

  /** Whether a worker has the task of `lane` now. */
  active(lane: number): boolean {
    return Atomics.load(this.lanes, this.laneCount + 1 + lane) > 0;
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
   * A position from the back of a lane, or -1 when none can be taken: the lane with the most left
   * whose back segment may be taken — any from a lane no worker runs, only those `accept` takes
   * from a lane a worker runs (without `accept`, any from every lane).
   */
  steal(accept?: (position: number) => boolean): number {
    for (;;) {
      let victim = -1;
      let most = 0;
      for (let lane = 0; lane < this.laneCount; lane++) {
        const [front, back] = this.range(lane);
        if (back - front > most && (accept === undefined || !this.active(lane) || accept(back - 1))) {
          most = back - front;
          victim = lane;
        }
      }
      if (victim < 0) return -1;
      const v = Atomics.load(this.lanes, victim);
      const front = v >>> 16;
      const back = Math.min(v & 0xffff, this.bound);
      if (front >= back || (accept !== undefined && this.active(victim) && !accept(back - 1))) continue;
      if (Atomics.compareExchange(this.lanes, victim, v, (front << 16) | (back - 1)) === v) return back - 1;
    }
  }

  private get bound(): number {
    return Atomics.load(this.lanes, this.laneCount);
  }
}
