/**
 * Pinot's `numGroupsLimit` as `GroupKeyTable` applies it: per segment, a segment may touch at
 * most `limit` distinct groups (new, or made by earlier segments). `seenIn[g]` is the last
 * segment (`epoch`, 1-255, cleared when it wraps) that touched group `g`: one byte per group.
 */
export class SegmentGroups {
  /** Set once a segment met a group it could not touch (Pinot's `numGroupsLimitReached`). */
  limitReached = false;
  /** Distinct groups the current segment has touched. */
  count = 0;
  private seenIn: Uint8Array = new Uint8Array(0);
  private epoch = 1;

  constructor(readonly limit: number) {}

  /** Starts a new segment: it may touch `limit` distinct groups again. */
  beginSegment(): void {
    this.nextEpoch();
    this.count = 0;
  }

  /**
   * Starts merging a partial made elsewhere (a batch of segments, each held to `limit` where it
   * was scanned): its groups may exceed `limit` together, and none is dropped.
   */
  beginMerge(): void {
    this.nextEpoch();
    // Far below any limit, and still a small integer (V8 keeps the field unboxed).
    this.count = -(2 ** 30);
  }

  /** Whether the current segment can still touch `count` more groups it has not touched. */
  hasRoomFor(count: number): boolean {
    return this.count + count <= this.limit;
  }

  /** How many more groups the current segment may touch. */
  room(): number {
    return Math.max(0, this.limit - this.count);
  }

  /** Whether the current segment touched `limit` groups. */
  get full(): boolean {
    return this.count >= this.limit;
  }

  /** Existing group `g` (or -1) as this segment may use it: -1 once the segment is full. */
  admit(g: number): number {
    if (g < 0) {
      this.limitReached = true;
      return -1;
    }
    if (this.seenIn[g] === this.epoch) return g;
    if (this.count >= this.limit) {
      this.limitReached = true;
      return -1;
    }
    this.seenIn[g] = this.epoch;
    this.count++;
    return g;
  }

  /** Marks new group `g` (within `grow`'s capacity) as touched by this segment. */
  touchNew(g: number): void {
    this.seenIn[g] = this.epoch;
    this.count++;
  }

  /** Room for groups `[0, capacity)`, keeping the marks of `[0, size)`. */
  grow(capacity: number, size: number): void {
    const seenIn = new Uint8Array(capacity);
    seenIn.set(this.seenIn.subarray(0, size));
    this.seenIn = seenIn;
  }

  get byteLength(): number {
    return this.seenIn.byteLength;
  }

  private nextEpoch(): void {
    if (++this.epoch <= 255) return;
    this.seenIn.fill(0);
    this.epoch = 1;
  }
}
