import { describe, expect, it } from 'vitest';
import { PauseGate } from '../../../src/ingest/pause-gate.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('PauseGate', () => {
  it('pause() resolves at once when no fetch is in flight', async () => {
    const gate = new PauseGate();
    await gate.pause();
    expect(gate.paused).toBe(true);
  });

  it('pause() waits for the fetch in flight to be indexed', async () => {
    const gate = new PauseGate();
    gate.beginWork();
    let paused = false;
    const pausing = gate.pause().then(() => (paused = true));
    await tick();
    expect(paused).toBe(false);
    gate.endWork();
    await pausing;
    expect(paused).toBe(true);
  });

  it('holds the loop until resume(), and release() wakes it without resuming', async () => {
    const gate = new PauseGate();
    await gate.pause();
    let woken = 0;
    const wait = (): Promise<number> => gate.whilePaused().then(() => ++woken);
    const first = wait();
    await tick();
    expect(woken).toBe(0);
    gate.release();
    await first;
    expect(gate.paused).toBe(true);
    const second = wait();
    gate.resume();
    await second;
    expect(woken).toBe(2);
    expect(gate.paused).toBe(false);
  });

  it('endWork() is safe when no work is open', () => {
    expect(() => new PauseGate().endWork()).not.toThrow();
  });
});
