import { describe, expect, it } from 'vitest';
import { ShardRateLimiter } from '../../../../../src/plugins/stream/kinesis/kinesis-rate-limiter.js';

describe('ShardRateLimiter', () => {
  it('spaces reservations of one key by the interval and keeps keys apart', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.reserve('a', 200, 1000, 5000)).toBe(1000);
    expect(limiter.reserve('a', 200, 1000, 5000)).toBe(1200);
    expect(limiter.reserve('a', 200, 1050, 5000)).toBe(1400);
    expect(limiter.reserve('b', 200, 1050, 5000)).toBe(1050);
    // Idle for a while: the next slot is now, not in the past.
    expect(limiter.reserve('b', 200, 9000, 9100)).toBe(9000);
  });

  it('reserves nothing when the next slot is past the deadline', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.reserve('a', 1000, 0, 100)).toBe(0);
    expect(limiter.reserve('a', 1000, 10, 100)).toBeUndefined();
    expect(limiter.reserve('a', 1000, 10, 100)).toBeUndefined();
    expect(limiter.reserve('a', 1000, 10, 1000)).toBe(1000);
  });

  it('charges bytes as read time on the shard: the later of the call spacing and the paid-off budget', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.reserve('a', 200, 0, 1000)).toBe(0);
    limiter.chargeBytes('a', 0, 150); // a small read: the 200 ms spacing still rules
    expect(limiter.nextSlotOf('a')).toBe(200);
    limiter.chargeBytes('a', 0, 400); // costs queue up: 150 + 400
    expect(limiter.nextSlotOf('a')).toBe(550);
    expect(limiter.reserve('a', 200, 100, 1000)).toBe(550);
    limiter.chargeBytes('a', 550, 0);
    expect(limiter.nextSlotOf('a')).toBe(750);
    limiter.forget('a');
    expect(limiter.nextSlotOf('a')).toBeUndefined();
  });
});
