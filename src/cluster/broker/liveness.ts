/** A server as its `<prefix>-servers` item describes it. */
export interface ServerRecord {
  readonly serverId: string;
  /** The base URL peers reach it at. */
  readonly url: string;
  readonly heartbeatCounter: number;
  readonly startedAtMs: number;
}

interface Seen {
  record: ServerRecord;
  /** Local time at which this reader last saw the counter change (or first saw the server). */
  changedAtMs: number;
}

/**
 * Who is alive, judged as the KCL judges leases: by watching each server's heartbeat counter on
 * this reader's own clock, never by comparing clocks across machines. A server whose counter this
 * reader has seen unchanged for `timeoutMs` is gone; one seen for the first time counts as alive
 * until then (its counter cannot be judged yet); one whose item disappeared (deregistered) is gone
 * at once.
 */
export class LivenessTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly timeoutMs: number) {}

  /** Takes a full read of the table at local time `nowMs`. */
  observe(records: readonly ServerRecord[], nowMs: number): void {
    const present = new Set<string>();
    for (const record of records) {
      present.add(record.serverId);
      const before = this.seen.get(record.serverId);
      if (before === undefined || before.record.heartbeatCounter !== record.heartbeatCounter || before.record.startedAtMs !== record.startedAtMs) {
        this.seen.set(record.serverId, { record, changedAtMs: nowMs });
      } else before.record = record;
    }
    for (const id of [...this.seen.keys()]) if (!present.has(id)) this.seen.delete(id);
  }

  /** The servers alive at `nowMs`, by server id. */
  live(nowMs: number): ServerRecord[] {
    return [...this.seen.values()].filter((s) => nowMs - s.changedAtMs < this.timeoutMs).map((s) => s.record).sort((a, b) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0));
  }

  /** Servers whose counter has not moved for `ms` (candidates for removal of their item), with the counter last seen. */
  silentFor(ms: number, nowMs: number): ServerRecord[] {
    return [...this.seen.values()].filter((s) => nowMs - s.changedAtMs >= ms).map((s) => s.record);
  }
}
