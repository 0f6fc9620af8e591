import type { Clock } from '../../../../../src/plugins/stream/kinesis/kinesis-rate-limiter.js';

/**
 * A fake `Clock` for pacing tests: `sleep` registers a timer on virtual time and `runUntil`
 * advances time to each timer in order, letting the woken code run before the next one. No
 * wall-clock time passes, so tests assert call times and requested waits exactly.
 */
export class VirtualClock implements Clock {
  private time: number;
  private readonly timers: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;
  /** Every wait requested through `sleep`, in order. */
  readonly sleeps: number[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Sets the time (tests that step one wait at a time rewind to when it ended). */
  setTime(ms: number): void {
    this.time = ms;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((wake) => this.timers.push({ at: this.time + ms, seq: this.seq++, wake }));
  }

  /** Runs timers in time order until none is due at or before `until` (absolute virtual millis). */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      // Woken code may take several turns (a fake call, then the next sleep) to register a timer.
      for (let i = 0; i < 10; i++) await settle();
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.at > until) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.wake();
    }
    this.time = Math.max(this.time, until);
  }
}

/** Lets pending promise chains (and I/O callbacks) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
