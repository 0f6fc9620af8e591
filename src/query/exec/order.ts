import { compareValues } from '../functions/values.js';
import type { BoundExpr } from '../plan/bound-expr.js';

/** An ORDER BY key reader: BIG_DECIMAL text sorts by its numeric value, everything else as is. */
export function orderKey<C>(expr: BoundExpr, fn: (c: C) => unknown): (c: C) => unknown {
  if (expr.type.dataType !== 'BIG_DECIMAL') return fn;
  return (c) => {
    const v = fn(c);
    return typeof v === 'string' ? Number(v) : v;
  };
}

/** Compares two rows of ORDER BY key values; `desc[i]` flips key i. */
export function compareKeys(a: readonly unknown[], b: readonly unknown[], desc: readonly boolean[]): number {
  for (let i = 0; i < desc.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return desc[i] ? -c : c;
  }
  return 0;
}

/**
 * Keeps the `k` smallest items under `compare` (a max-heap on the worst kept item), for ORDER BY
 * … LIMIT k without sorting every row. Ties keep the item offered first.
 */
export class TopK<T> {
  private readonly heap: { item: T; seq: number }[] = [];
  private seq = 0;

  constructor(
    private readonly k: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** The worst kept item (the next to be displaced), or undefined while empty. */
  worst(): T | undefined {
    return this.heap[0]?.item;
  }

  /** True when an item comparing like `probe` would be kept (cheap pre-check before building it). */
  wouldAccept(probe: T): boolean {
    if (this.k === 0) return false;
    if (this.heap.length < this.k) return true;
    return this.compare(probe, this.heap[0]!.item) < 0;
  }

  offer(item: T): void {
    if (!this.wouldAccept(item)) return;
    const entry = { item, seq: this.seq++ };
    if (this.heap.length < this.k) {
      this.heap.push(entry);
      this.up(this.heap.length - 1);
    } else {
      this.heap[0] = entry;
      this.down(0);
    }
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => this.cmp(a, b)).map((e) => e.item);
  }

  private cmp(a: { item: T; seq: number }, b: { item: T; seq: number }): number {
    return this.compare(a.item, b.item) || a.seq - b.seq;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(h[i]!, h[p]!) <= 0) return;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.cmp(h[l]!, h[m]!) > 0) m = l;
      if (r < h.length && this.cmp(h[r]!, h[m]!) > 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
