/** One cached value and what it costs. */
export interface CacheEntry {
  readonly value: unknown;
  readonly bytes: number;
  /** Called when the entry leaves the cache (evicted, replaced, deleted, cleared). */
  readonly onEvict: (() => void) | undefined;
}

/** An entry in recency order: the list runs from the least recently used (`head`) to the most (`tail`). */
interface LruNode {
  readonly key: number;
  entry: CacheEntry;
  prev: LruNode | null;
  next: LruNode | null;
}

/**
 * One recency-ordered part of the block cache (its window, probation or protected segment), with
 * the bytes it holds: a `Map` from key to a node of a doubly linked list in recency order. Not the
 * `Map`'s own insertion order: V8 leaves a deleted entry as a hole in the table until it is
 * rebuilt, so finding the first key of a map used as a queue walks every hole before it, and under
 * a thrashing scan the eviction path spent 8 % of its CPU there (bench/notes.md, "oldest").
 */
export class LruSegment {
  private readonly map = new Map<number, LruNode>();
  private head: LruNode | null = null;
  private tail: LruNode | null = null;
  private held = 0;

  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: number): CacheEntry | undefined {
    return this.map.get(key)?.entry;
  }

  has(key: number): boolean {
    return this.map.has(key);
  }

  /** Adds `entry` (or moves it) as the most recently used. */
  add(key: number, entry: CacheEntry): void {
    this.remove(key);
    const node: LruNode = { key, entry, prev: null, next: null };
    this.map.set(key, node);
    this.append(node);
    this.held += entry.bytes;
  }

  /** Adds `extra` bytes to the cost of `key` holding `value`, in place (its recency kept); false if absent. */
  charge(key: number, value: unknown, extra: number): boolean {
    const node = this.map.get(key);
    if (node === undefined || node.entry.value !== value) return false;
    node.entry = { ...node.entry, bytes: node.entry.bytes + extra };
    this.held += extra;
    return true;
  }

  /** Makes `key` the most recently used, if present. */
  refresh(key: number): void {
    const node = this.map.get(key);
    if (node === undefined || node === this.tail) return;
    this.unlink(node);
    this.append(node);
  }

  /** Takes `key` out (without calling its `onEvict`) and returns its entry. */
  remove(key: number): CacheEntry | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    this.map.delete(key);
    this.unlink(node);
    this.held -= node.entry.bytes;
    return node.entry;
  }

  /** The least recently used key, or undefined when empty. */
  oldest(): number | undefined {
    return this.head?.key;
  }

  /** Keys from least to most recently used (do not add or remove while iterating). */
  *keys(): IterableIterator<number> {
    for (let n = this.head; n !== null; n = n.next) yield n.key;
  }

  /** Empties the segment and returns what it held. */
  drain(): CacheEntry[] {
    const all: CacheEntry[] = [];
    for (let n = this.head; n !== null; n = n.next) all.push(n.entry);
    this.map.clear();
    this.head = this.tail = null;
    this.held = 0;
    return all;
  }

  private append(node: LruNode): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
  }

  private unlink(node: LruNode): void {
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
  }
}
