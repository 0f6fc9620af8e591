/**
 * Pinot's `PauseState` (pinot-spi `config/table/PauseState.java`): why a table's consumption is
 * paused or was resumed, by whom's word (`comment`) and when (`timestamp`). Pinot keeps it in the
 * table's ideal state; here the pause flag file in the catalog holds it while the table is paused
 * (so a restart keeps it), and the table entry holds the latest one in memory.
 */

/** Pinot's `PauseState.ReasonCode`. Only `ADMINISTRATIVE` (a user's call) happens here. */
export type PauseReasonCode = 'ADMINISTRATIVE' | 'STORAGE_QUOTA_EXCEEDED' | 'RESOURCE_UTILIZATION_LIMIT_EXCEEDED';

export interface PauseState {
  readonly paused: boolean;
  readonly reasonCode: PauseReasonCode;
  /** The `comment` query parameter of the call, or null. */
  readonly comment: string | null;
  /** When, as Pinot writes it: `java.sql.Timestamp#toString` (here in UTC), e.g. `2024-05-01 10:20:30.5`. */
  readonly timestamp: string;
}

/**
 * A time as `java.sql.Timestamp#toString` prints it in a UTC JVM: `yyyy-MM-dd HH:mm:ss.f`, the
 * fraction of a second without trailing zeros but at least one digit.
 *
 * @example javaTimestamp(Date.UTC(2024, 4, 1, 10, 20, 30, 500)) // '2024-05-01 10:20:30.5'
 */
export function javaTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-05-01T10:20:30.500Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '') || '0';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction}`;
}

/** A pause state made now. */
export function pauseStateNow(paused: boolean, comment: string | null, nowMs = Date.now()): PauseState {
  return { paused, reasonCode: 'ADMINISTRATIVE', comment, timestamp: javaTimestamp(nowMs) };
}

/** Reads a pause flag file back (older files hold only `{paused, sinceMs}`). */
export function pauseStateFromFile(json: unknown): PauseState {
  const record = (json ?? {}) as { sinceMs?: unknown; reasonCode?: unknown; comment?: unknown; timestamp?: unknown };
  const sinceMs = typeof record.sinceMs === 'number' ? record.sinceMs : 0;
  return {
    paused: true,
    reasonCode: record.reasonCode === 'STORAGE_QUOTA_EXCEEDED' || record.reasonCode === 'RESOURCE_UTILIZATION_LIMIT_EXCEEDED' ? record.reasonCode : 'ADMINISTRATIVE',
    comment: typeof record.comment === 'string' ? record.comment : null,
    timestamp: typeof record.timestamp === 'string' ? record.timestamp : sinceMs > 0 ? javaTimestamp(sinceMs) : '',
  };
}

/** Pinot's `PauseStatusDetails` default comment when the state has none. */
export function defaultPauseComment(paused: boolean): string {
  return paused ? 'Table is paused.' : 'Table is unpaused.';
}
