/**
 * Primary keys → dense entry ids, in an open-addressing hash table (linear probing, deletion by
 * backward shift) over typed arrays: no JS string or object per key, so a key costs a few typed
 * array cells (`docs/upsert.md`, "Key map memory").
 *
 * Each entry is one 24-byte record in `records` (Float64Array, stride {@link RECORD_DOUBLES}), so a
 * lookup and an update touch one bucket and one record:
 * - double 0: a number key, or a bytes key's offset in the arena;
 * - double 1: free for the owner (the key map's comparison value, the dedup time);
 * - int32 4 of the record (`words`, stride {@link RECORD_WORDS}): bit 0 = bytes key (owned here),
 *   the other bits the owner's ({@link OWNER_SHIFT}); int32 5: the owner's (the key map's doc id).
 *
 * A key is probed in two steps, with nothing allocated: the caller sets the probe
 * ({@link KeyIndex.probeNumber} or, for bytes, writes `probeBytes` and calls
 * {@link KeyIndex.probeBytesOf}), then calls {@link KeyIndex.find} or {@link KeyIndex.insert}.
 * The probe stays set until the next one (the key map probes in `admit` and inserts in `commit`).
 * Number keys are one numeric key column (a LONG within ±2^53); bytes keys (strings, BYTES,
 * composite keys, LONGs beyond ±2^53) live in one shared arena, each with a 4-byte length
 * prefix, compacted when half of it belongs to removed keys.
 *
 * Ids of removed keys are handed back with {@link KeyIndex.recycle} when the caller knows nothing
 * refers to them any more (the key map defers it while consuming segments may).
 *
 * @example
 *   index.probeNumber(42);
 *   const id = index.find() >= 0 ? index.find() : index.insert();
 */
/** Doubles per entry record (24 bytes). */
export const RECORD_DOUBLES = 3;
/** Int32 words per entry record (word 4: flags, word 5: the owner's). */
export const RECORD_WORDS = 6;
/** Flag bit of word 4: the key is bytes in the arena. Owners use the bits from `OWNER_SHIFT` up. */
const BYTES_KEY = 1;
export const OWNER_SHIFT = 1;

export class KeyIndex {
  /** Entry id + 1 per bucket; 0 = empty. */
  private buckets = new Int32Array(1024);
  private mask = 1023;
  private count = 0;
  /** Ids handed out so far (the high-water mark); ids below it are live or recycled. */
  private nextId = 0;
  private free: Int32Array = new Int32Array(64);
  private numFree = 0;
  private capacity = 0;
  /** Entry records (see the class comment); `words` views the same memory. */
  records: Float64Array = new Float64Array(0);
  words: Int32Array = new Int32Array(0);
  private anyBytes = false;
  private arena: Uint8Array = new Uint8Array(0);
  private arenaUsed = 0;
  private arenaDead = 0;

  /** `compactAfterBytes`: dead arena bytes before a compaction is considered (tests make it small). */
  constructor(private readonly compactAfterBytes = 1 << 20) {}

  /** Scratch for a bytes key; write the key's bytes here, then call `probeBytesOf(length)`. */
  probeBytes: Uint8Array = new Uint8Array(256);
  private probeKind = 0;
  private probeNum = 0;
  private probeLen = 0;
  private probeHash = 0;

  /** Live keys. */
  get size(): number {
    return this.count;
  }

  /** Entry ids are below this. */
  get idLimit(): number {
    return this.nextId;
  }

  /** Bytes of memory held (buckets, records, arena, free list). */
  get byteLength(): number {
    return this.buckets.byteLength + this.records.byteLength + this.arena.byteLength + this.free.byteLength;
  }

  probeNumber(value: number): void {
    // -0 and 0 are one key (as `String(-0)` is "0"); every NaN is one key.
    const v = value === 0 ? 0 : value !== value ? Number.NaN : value;
    this.probeKind = 0;
    this.probeNum = v;
    this.probeHash = hashNumber(v);
  }

  probeBytesOf(length: number): void {
    this.probeKind = 1;
    this.probeLen = length;
    this.probeHash = hashBytes(this.probeBytes, 0, length);
  }

  /** Makes `probeBytes` at least `length` long (its content is lost). */
  reserveProbe(length: number): Uint8Array {
    if (this.probeBytes.length < length) this.probeBytes = new Uint8Array(Math.max(length, this.probeBytes.length * 2));
    return this.probeBytes;
  }

  /** The probed key's id, or -1. */
  find(): number {
    const { buckets, mask } = this;
    if (this.probeKind === 0 && !this.anyBytes) {
      // Only number keys: one bucket and one record read per step.
      const { records } = this;
      const v = this.probeNum;
      for (let b = this.probeHash & mask; ; b = (b + 1) & mask) {
        const slot = buckets[b]!;
        if (slot === 0) return -1;
        const n = records[(slot - 1) * RECORD_DOUBLES]!;
        if (n === v || (n !== n && v !== v)) return slot - 1;
      }
    }
    for (let b = this.probeHash & mask; ; b = (b + 1) & mask) {
      const slot = buckets[b]!;
      if (slot === 0) return -1;
      if (this.matches(slot - 1)) return slot - 1;
    }
  }

  /** Adds the probed key (which must not be present) and returns its new id. */
  insert(): number {
    if ((this.count + 1) * 10 > this.buckets.length * 7) this.rehash(this.buckets.length * 2);
    const id = this.numFree > 0 ? this.free[--this.numFree]! : this.nextId++;
    if (id >= this.capacity) this.growIds(id + 1);
    const w = id * RECORD_WORDS + 4;
    if (this.probeKind === 0) {
      this.words[w] = 0;
      this.records[id * RECORD_DOUBLES] = this.probeNum;
    } else {
      this.anyBytes = true;
      this.words[w] = BYTES_KEY;
      this.records[id * RECORD_DOUBLES] = this.storeBytes();
    }
    this.records[id * RECORD_DOUBLES + 1] = 0;
    this.words[w + 1] = 0;
    const { buckets, mask } = this;
    let b = this.probeHash & mask;
    while (buckets[b] !== 0) b = (b + 1) & mask;
    buckets[b] = id + 1;
    this.count++;
    return id;
  }

  /** Removes a live key by id (the id is not reused until `recycle`). */
  remove(id: number): void {
    const { buckets, mask } = this;
    let i = this.homeOf(id);
    while (buckets[i] !== id + 1) i = (i + 1) & mask;
    // Backward shift: move later members of the run into the hole when their home allows it.
    for (let j = (i + 1) & mask; buckets[j] !== 0; j = (j + 1) & mask) {
      const home = this.homeOf(buckets[j]! - 1);
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        buckets[i] = buckets[j]!;
        i = j;
      }
    }
    buckets[i] = 0;
    this.count--;
    if ((this.words[id * RECORD_WORDS + 4]! & BYTES_KEY) !== 0) {
      this.arenaDead += 4 + this.bytesLength(this.records[id * RECORD_DOUBLES]!);
      if (this.arenaDead > this.compactAfterBytes && this.arenaDead * 2 > this.arenaUsed) this.compactArena();
    }
  }

  /** Hands a removed id back for reuse. */
  recycle(id: number): void {
    if (this.numFree === this.free.length) {
      const bigger = new Int32Array(this.free.length * 2);
      bigger.set(this.free);
      this.free = bigger;
    }
    this.free[this.numFree++] = id;
  }

  private matches(id: number): boolean {
    const bytes = (this.words[id * RECORD_WORDS + 4]! & BYTES_KEY) !== 0;
    if (bytes !== (this.probeKind === 1)) return false;
    const key = this.records[id * RECORD_DOUBLES]!;
    if (!bytes) return key === this.probeNum || (key !== key && this.probeNum !== this.probeNum);
    const len = this.probeLen;
    if (this.bytesLength(key) !== len) return false;
    const off = key + 4;
    const { arena, probeBytes } = this;
    for (let i = 0; i < len; i++) if (arena[off + i] !== probeBytes[i]) return false;
    return true;
  }

  private bytesLength(off: number): number {
    const a = this.arena;
    return a[off]! | (a[off + 1]! << 8) | (a[off + 2]! << 16) | (a[off + 3]! << 24);
  }

  private homeOf(id: number): number {
    const key = this.records[id * RECORD_DOUBLES]!;
    if ((this.words[id * RECORD_WORDS + 4]! & BYTES_KEY) === 0) return hashNumber(key) & this.mask;
    return hashBytes(this.arena, key + 4, key + 4 + this.bytesLength(key)) & this.mask;
  }

  private rehash(size: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(size);
    this.mask = size - 1;
    for (let b = 0; b < old.length; b++) {
      const slot = old[b]!;
      if (slot === 0) continue;
      let i = this.homeOf(slot - 1);
      while (this.buckets[i] !== 0) i = (i + 1) & this.mask;
      this.buckets[i] = slot;
    }
  }

  private growIds(need: number): void {
    const capacity = Math.max(need, 1024, Math.ceil(this.capacity * 1.5));
    const records = new Float64Array(capacity * RECORD_DOUBLES);
    records.set(this.records);
    this.records = records;
    this.words = new Int32Array(records.buffer);
    this.capacity = capacity;
  }

  /** Copies the probe's bytes, length first, to the arena; their offset. */
  private storeBytes(): number {
    const len = this.probeLen;
    if (this.arenaUsed + 4 + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arenaUsed + 4 + len, 4096, Math.ceil(this.arena.length * 1.5)));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
    }
    const off = this.arenaUsed;
    const a = this.arena;
    a[off] = len & 0xff;
    a[off + 1] = (len >>> 8) & 0xff;
    a[off + 2] = (len >>> 16) & 0xff;
    a[off + 3] = len >>> 24;
    a.set(this.probeBytes.subarray(0, len), off + 4);
    this.arenaUsed += 4 + len;
    return off;
  }

  /** Rewrites the arena with the live keys only. */
  private compactArena(): void {
    const live = this.arenaUsed - this.arenaDead;
    const arena = new Uint8Array(Math.max(4096, Math.ceil(live * 1.5)));
    let used = 0;
    for (let b = 0; b < this.buckets.length; b++) {
      const id = this.buckets[b]! - 1;
      if (id < 0 || (this.words[id * RECORD_WORDS + 4]! & BYTES_KEY) === 0) continue;
      const off = this.records[id * RECORD_DOUBLES]!;
      const n = 4 + this.bytesLength(off);
      arena.set(this.arena.subarray(off, off + n), used);
      this.records[id * RECORD_DOUBLES] = used;
      used += n;
    }
    this.arena = arena;
    this.arenaUsed = used;
    this.arenaDead = 0;
  }
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/**
 * murmur3's finaliser over a double's two 32-bit halves. Int32 keys keep runs of 16 consecutive
 * values in 16 consecutive buckets (the run's place is hashed, the low 4 bits kept), so keys that
 * arrive roughly in order — sequence ids — touch few cache lines.
 */
function hashNumber(v: number): number {
  if ((v | 0) === v) return ((fmix(v >> 4) << 4) | (v & 15)) >>> 0;
  F64[0] = v;
  return fmix(U32[0]! ^ Math.imul(fmix(U32[1]!), 0x9e3779b1));
}

/** FNV-1a over `bytes[from, to)`, finalised by murmur3's mixer. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return fmix(h);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
