import { zoneOffsetMinutes } from './joda-format.js';

/**
 * Time zones for the date functions: UTC, fixed offsets (`+05:30`, `UTC-3`) and IANA names
 * (`America/Los_Angeles`, `Europe/Amsterdam`) with their daylight-saving rules, read from the
 * runtime's time-zone data (Intl). An unknown name is an error naming it.
 */
export interface TimeZone {
  /** Offset from UTC in ms at the instant `utcMillis`. */
  offsetAt(utcMillis: number): number;
  /** The UTC instant of a local wall-clock time; in a DST gap or overlap, the earlier offset's reading. */
  toUtc(localMillis: number): number;
}

const cache = new Map<string, TimeZone>();

export function timeZone(zone: string | undefined): TimeZone {
  const key = zone ?? 'UTC';
  let tz = cache.get(key);
  if (tz === undefined) {
    tz = build(zone);
    cache.set(key, tz);
  }
  return tz;
}

function build(zone: string | undefined): TimeZone {
  let fixed: number | null = null;
  try {
    fixed = zoneOffsetMinutes(zone) * 60_000;
  } catch {
    fixed = null;
  }
  if (fixed !== null) {
    const off = fixed;
    return { offsetAt: () => off, toUtc: (local) => local - off };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    throw new Error(`time zone '${zone}' is not known (use UTC, a fixed offset such as +05:30, or an IANA name such as America/Los_Angeles)`);
  }
  const offsetAt = (utc: number): number => {
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(utc))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    return local - (utc - (((utc % 1000) + 1000) % 1000));
  };
  return {
    offsetAt,
    toUtc: (local) => {
      const guess = local - offsetAt(local);
      return local - offsetAt(guess);
    },
  };
}

/**
 * Java's `Duration.parse` (what Pinot's `ago()` reads): `PnDTnHnMn.nS`, each part optional,
 * signs allowed (`PT-1H`, `-P1D`). Returns milliseconds.
 */
export function parseIsoDuration(text: string): number {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i.exec(text);
  if (!m || text.toUpperCase().endsWith('T') || (m[2] ?? m[3] ?? m[4] ?? m[5]) === undefined) {
    throw new Error(`'${text}' is not an ISO-8601 duration such as PT1H, P1D or P1DT2H30M`);
  }
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  const seconds = n(m[5]);
  const fraction = m[6] ? Math.trunc(Number(`0.${m[6]}`) * 1000) * (m[5]?.startsWith('-') ? -1 : 1) : 0;
  const ms = n(m[2]) * 86_400_000 + n(m[3]) * 3_600_000 + n(m[4]) * 60_000 + seconds * 1000 + fraction;
  return m[1] === '-' ? -ms : ms;
}

/** True for UTC and fixed offsets (`+05:30`, `UTC-3`): zones whose offset never changes. */
export function isFixedOffsetZone(zone: string | undefined): boolean {
  try {
    zoneOffsetMinutes(zone);
    return true;
  } catch {
    return false;
  }
}
