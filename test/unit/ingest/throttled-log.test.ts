import { describe, expect, it } from 'vitest';
import { ThrottledLog } from '../../../src/ingest/throttled-log.js';

describe('ThrottledLog', () => {
  it('lets one line per key through per interval and reports how many it suppressed', () => {
    let now = 0;
    const log = new ThrottledLog(1000, () => now);
    expect(log.admit('fetch')).toBe(0);
    let admitted = 0;
    for (let i = 0; i < 500; i++) {
      now += 1;
      if (log.admit('fetch') !== null) admitted++;
    }
    expect(admitted).toBe(0);
    now = 1000;
    expect(log.admit('fetch')).toBe(500);
    expect(log.admit('fetch')).toBeNull();
    now = 2000;
    expect(log.admit('fetch')).toBe(1);
  });

  it('keeps keys apart', () => {
    const now = 0;
    const log = new ThrottledLog(1000, () => now);
    expect(log.admit('fetch')).toBe(0);
    expect(log.admit('throttled')).toBe(0);
    expect(log.admit('decode')).toBe(0);
    expect(log.admit('fetch')).toBeNull();
  });

  it('turns a flood of thousands of events into a handful of lines', () => {
    let now = 0;
    const log = new ThrottledLog(30_000, () => now);
    let lines = 0;
    for (let i = 0; i < 10_000; i++) {
      now += 10; // 100 events a second for 100 seconds
      if (log.admit('throttled') !== null) lines++;
    }
    expect(lines).toBeLessThanOrEqual(4);
  });
});
