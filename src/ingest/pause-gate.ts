/**
 * The pause switch of one partition's fetch loop. `pause()` resolves once no fetch is in flight:
 * the loop opens the gate's work span before each fetch and closes it once the batch is indexed,
 * so a fetch already running finishes and status stands still when `pause()` returns. The loop
 * then waits in `whilePaused()` until `resume()`, or until `release()` wakes it to stop.
 *
 * @example
 * while (!signal.aborted) {
 *   if (gate.paused) { await gate.whilePaused(); continue; }
 *   gate.beginWork();
 *   const batch = await fetch(); // on every path out of here: gate.endWork()
 *   indexAll(batch);
 *   gate.endWork();
 * }
 */
export class PauseGate {
  private isPaused = false;
  private resumeWaiter: (() => void) | null = null;
  /** Open while a fetch runs and its records are indexed: `pause()` waits for it. */
  private busy: Promise<void> | null = null;
  private workDone: (() => void) | null = null;

  get paused(): boolean {
    return this.isPaused;
  }

  /** Stops new fetches; resolves once the one in flight (if any) is indexed. */
  async pause(): Promise<void> {
    this.isPaused = true;
    await this.busy;
  }

  resume(): void {
    this.isPaused = false;
    this.resumeWaiter?.();
  }

  /** Wakes a loop waiting in `whilePaused()` without resuming (it is stopping). */
  release(): void {
    this.resumeWaiter?.();
  }

  /** For the loop: resolves on `resume()` or `release()`. */
  async whilePaused(): Promise<void> {
    await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
    this.resumeWaiter = null;
  }

  /** For the loop: a fetch starts; `pause()` waits until `endWork()`. */
  beginWork(): void {
    this.busy = new Promise<void>((resolve) => (this.workDone = resolve));
  }

  /** Lets a waiting `pause()` return; safe to call when no work is open. */
  endWork(): void {
    this.workDone?.();
    this.workDone = null;
    this.busy = null;
  }
}
