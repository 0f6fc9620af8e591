/**
 * Lets one line through per key per interval and counts the rest, so a partition that is
 * throttled for minutes writes a handful of log lines, not thousands.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs = 30_000, private readonly now: () => number = Date.now) {}

  /** Returns null when this key logged recently; else how many lines were suppressed since. */
  admit(key: string): number | null {
    const at = this.now();
    const entry = this.last.get(key);
    if (entry && at - entry.at < this.intervalMs) {
      entry.suppressed++;
      return null;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(key, { at, suppressed: 0 });
    return suppressed;
  }
}
