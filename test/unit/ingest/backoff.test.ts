import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from '../../../src/ingest/backoff.js';

describe('Backoff', () => {
  it('doubles its ceiling from the base up to the max', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws each wait with full jitter in [0, ceiling]', () => {
    const rolls = [0, 0.5, 0.999, 0.25];
    const backoff = new Backoff(100, 10_000, () => rolls.shift()!);
    expect(backoff.next()).toBe(0);
    expect(backoff.next()).toBe(100);
    expect(backoff.next()).toBe(400);
    expect(backoff.next()).toBe(200);
  });

  it('never exceeds the max or goes negative, even after many attempts', () => {
    const backoff = new Backoff(100, 10_000);
    for (let i = 0; i < 200; i++) {
      const wait = backoff.next();
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(10_000);
      expect(Number.isFinite(wait)).toBe(true);
    }
  });

  it('starts again from the base after reset', () => {
    const backoff = new Backoff(50, 5000, () => 1);
    backoff.next();
    backoff.next();
    expect(backoff.next()).toBe(200);
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });
});

describe('sleep', () => {
  it('resolves at once when its signal aborts', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
  });

  it('resolves at once for an already aborted signal', async () => {
    await expect(sleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });
});
