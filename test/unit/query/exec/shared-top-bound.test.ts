import { describe, expect, it } from 'vitest';
import { SharedTopBound } from '../../../../src/query/exec/shared-top-bound.js';

describe('SharedTopBound', () => {
  it('keeps the best cut-off offered, read through another view of the same buffer', () => {
    const desc = SharedTopBound.create(true);
    const other = new SharedTopBound(desc.buffer, true);
    expect(other.get()).toBe(Number.NEGATIVE_INFINITY);
    desc.offer(3.5);
    other.offer(2);
    expect(desc.get()).toBe(3.5);
    other.offer(7.25);
    desc.offer(Number.NaN);
    expect(desc.get()).toBe(7.25);
    const asc = SharedTopBound.create(false);
    expect(asc.get()).toBe(Number.POSITIVE_INFINITY);
    asc.offer(-1);
    asc.offer(4);
    expect(asc.get()).toBe(-1);
    asc.offer(-0);
    expect(asc.get()).toBe(-1);
  });
});
