import { afterEach, describe, expect, it } from 'vitest';
import { blockCache } from '../../../../src/segment/reader/block-cache.js';
import { joinBudget, leaveBudget } from '../../../../src/query/parallel/budget-split.js';
import { QueryPool } from '../../../../src/query/parallel/query-pool.js';

const MIB = 2 ** 20;
const before = blockCache.capacityBytes;

afterEach(() => blockCache.resize(before));

describe('one memory budget for the main thread and the query threads', () => {
  it('splits the budget evenly between the main thread and every open pool thread, and gives it back', () => {
    blockCache.resize(120 * MIB);
    expect(joinBudget(2)).toBe(40 * MIB);
    expect(blockCache.capacityBytes).toBe(40 * MIB);
    // A second pool beside the first: the main thread's share shrinks, its threads get the new share.
    expect(joinBudget(1)).toBe(30 * MIB);
    expect(blockCache.capacityBytes).toBe(30 * MIB);
    leaveBudget(1);
    expect(blockCache.capacityBytes).toBe(40 * MIB);
    leaveBudget(2);
    expect(blockCache.capacityBytes).toBe(120 * MIB);
    // Nothing registered: leaving changes nothing.
    leaveBudget(2);
    expect(blockCache.capacityBytes).toBe(120 * MIB);
  });

  it('a pool takes its threads\' shares when its first thread starts and gives them back when it closes', async () => {
    blockCache.resize(90 * MIB);
    const pool = new QueryPool(2);
    expect(blockCache.capacityBytes).toBe(90 * MIB);
    await pool.whenReady();
    expect(blockCache.capacityBytes).toBe(30 * MIB);
    await pool.close();
    expect(blockCache.capacityBytes).toBe(90 * MIB);
    await pool.close();
    expect(blockCache.capacityBytes).toBe(90 * MIB);
  });

  it('a pool given its threads\' cache size leaves the main thread\'s alone', async () => {
    blockCache.resize(90 * MIB);
    const pool = new QueryPool(1, { memoryBudgetBytes: 10 * MIB });
    await pool.whenReady();
    expect(blockCache.capacityBytes).toBe(90 * MIB);
    await pool.close();
    expect(blockCache.capacityBytes).toBe(90 * MIB);
  });
});
