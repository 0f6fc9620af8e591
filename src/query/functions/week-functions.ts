import { sv } from './function-types.js';
import type { ScalarFunction } from './function-types.js';
import { datePart } from './time-functions.js';
import { timeZone } from './time-zones.js';
import { toBigInt, toNumber } from './values.js';

/** The ISO-8601 week-based year and week of a (zone-shifted) date, as Joda's `weekyear` / `weekOfWeekyear`. */
function isoWeek(d: Date): { year: number; week: number } {
  // The Thursday of this ISO week decides its year.
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return { year, week };
}

/** Nanoseconds per unit of Java's `TimeUnit`, for TIMECONVERT. */
const TIME_UNIT_NANOS: Readonly<Record<string, bigint>> = {
  NANOSECONDS: 1n,
  MICROSECONDS: 1_000n,
  MILLISECONDS: 1_000_000n,
  SECONDS: 1_000_000_000n,
  MINUTES: 60_000_000_000n,
  HOURS: 3_600_000_000_000n,
  DAYS: 86_400_000_000_000n,
};

function timeUnit(text: unknown, what: string): bigint {
  const unit = TIME_UNIT_NANOS[String(text).toUpperCase()];
  if (unit === undefined) throw new Error(`${what} must be one of ${Object.keys(TIME_UNIT_NANOS).join(', ')}, got '${String(text)}'`);
  return unit;
}

function offsetPart(name: string, part: (offsetMillis: number) => number): ScalarFunction {
  return {
    name,
    minArgs: 1,
    maxArgs: 2,
    args: ['literal', 'numeric'],
    returnType: () => sv('INT'),
    build: (a) => {
      const tz = timeZone(String(a[0]!.literal));
      return (_zone: unknown, millis?: unknown) => part(tz.offsetAt(millis === undefined ? Date.now() : toNumber(millis)));
    },
  };
}

/**
 * More of Pinot's date-time functions: `week` / `weekOfYear` and `yearOfWeek` (ISO-8601, with an
 * optional time zone), `timezoneHour` / `timezoneMinute(zone[, millis])` (the zone's offset then;
 * now without millis) and `timeConvert(value, 'FROM_UNIT', 'TO_UNIT')` (Java's `TimeUnit.convert`:
 * truncates toward zero).
 */
export const WEEK_FUNCTIONS: readonly ScalarFunction[] = [
  datePart('week', (d) => isoWeek(d).week, ['weekofyear']),
  datePart('yearofweek', (d) => isoWeek(d).year, ['yow']),
  offsetPart('timezonehour', (ms) => Math.trunc(ms / 3_600_000)),
  offsetPart('timezoneminute', (ms) => Math.trunc(ms / 60_000) % 60),
  {
    name: 'timeconvert',
    minArgs: 3,
    maxArgs: 3,
    args: ['numeric', 'literal', 'literal'],
    returnType: () => sv('LONG'),
    build: (a) => {
      const from = timeUnit(a[1]!.literal, 'the input unit (argument 2)');
      const to = timeUnit(a[2]!.literal, 'the output unit (argument 3)');
      return (v: unknown) => (toBigInt(v) * from) / to;
    },
  },
];
