import { describe, expect, it } from 'vitest';
import { AdaptiveFetchLimit, MIN_FETCH_LIMIT } from '../../../../../src/plugins/stream/kinesis/kinesis-fetch-limit.js';

describe('AdaptiveFetchLimit', () => {
  it('halves on every timeout down to one record, from the default 10000 in 14 steps', () => {
    const limit = new AdaptiveFetchLimit(10_000);
    const seen: number[] = [];
    while (limit.timedOut()) seen.push(limit.value);
    expect(seen).toEqual([5000, 2500, 1250, 625, 312, 156, 78, 39, 19, 9, 4, 2, 1]);
    expect(limit.value).toBe(MIN_FETCH_LIMIT);
    expect(limit.timedOut()).toBe(false);
  });

  it('doubles only after a full batch that took under half its budget, never above the configured limit', () => {
    const limit = new AdaptiveFetchLimit(1000);
    limit.timedOut();
    limit.timedOut(); // 250
    limit.answered(100, 10, 1000); // partial batch: the limit did not bound it
    expect(limit.value).toBe(250);
    limit.answered(250, 600, 1000); // full, but slow: twice as many would not fit
    expect(limit.value).toBe(250);
    limit.answered(250, 100, 1000);
    expect(limit.value).toBe(500);
    limit.answered(500, 100, 1000);
    limit.answered(1000, 100, 1000);
    expect(limit.value).toBe(1000);
  });

  it('refuses a limit below one record', () => {
    expect(() => new AdaptiveFetchLimit(0)).toThrow(RangeError);
  });
});
