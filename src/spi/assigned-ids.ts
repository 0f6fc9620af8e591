/**
 * Integer ids handed out to string keys in the order they are first seen — `first`, then
 * `first + step`, … — never reused or renumbered; the state a {@link PartitionIdScheme} persists
 * for stream partitions whose own ids carry no usable number. Each scheme keeps its JSON shape and
 * its validation, and restores each persisted pair with `restore`.
 *
 * @example
 *   const ids = new AssignedIds(-1, -1);
 *   ids.idFor('shard-a'); // -1
 *   ids.idFor('shard-b'); // -2
 */
export class AssignedIds {
  private readonly ids = new Map<string, number>();
  private next: number;
  private dirty = false;

  constructor(first: number, private readonly step: 1 | -1) {
    this.next = first;
  }

  /** The id of `key`, assigning the next one when it has none. */
  idFor(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.next;
      this.next += this.step;
      this.ids.set(key, id);
      this.dirty = true;
    }
    return id;
  }

  /** True when an id was assigned since the last `markSaved()` (or since creation). */
  get changed(): boolean {
    return this.dirty;
  }

  markSaved(): void {
    this.dirty = false;
  }

  /** Every assignment, for the scheme's persisted form. */
  entries(): Record<string, number> {
    return Object.fromEntries(this.ids);
  }

  /** Restores a persisted assignment (already validated by the scheme); later ids continue past it. */
  restore(key: string, id: number): void {
    this.ids.set(key, id);
    this.next = this.step > 0 ? Math.max(this.next, id + 1) : Math.min(this.next, id - 1);
  }
}
