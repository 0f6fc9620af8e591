import { DATETIME_CONVERT } from './datetime-convert.js';
import { sv } from './function-types.js';
import type { ArgInfo, ScalarFunction } from './function-types.js';
import { formatMillis, parseToMillis } from './joda-format.js';
import { parseIsoDuration, timeZone } from './time-zones.js';
import { toBigInt, toNumber } from './values.js';
import { queryNowMs } from '../exec/deadline.js';

const UNIT_MILLIS: Record<string, bigint> = {
  MILLISECONDS: 1n,
  SECONDS: 1000n,
  MINUTES: 60_000n,
  HOURS: 3_600_000n,
  DAYS: 86_400_000n,
};

/** Java long division (truncates toward zero), as `TimeUnit.MILLISECONDS.toX`. */
const toUnit = (millis: bigint, unit: bigint): bigint => millis / unit;

function epochFunctions(): ScalarFunction[] {
  const out: ScalarFunction[] = [];
  for (const [suffix, unit] of [['seconds', 1000n], ['minutes', 60_000n], ['hours', 3_600_000n], ['days', 86_400_000n]] as const) {
    out.push(
      { name: `toepoch${suffix}`, minArgs: 1, maxArgs: 1, args: ['numeric'], returnType: () => sv('LONG'), build: () => (m: unknown) => toUnit(toBigInt(m), unit) },
      {
        name: `toepoch${suffix}rounded`,
        minArgs: 2,
        maxArgs: 2,
        args: ['numeric'],
        returnType: () => sv('LONG'),
        build: () => (m: unknown, r: unknown) => {
          const b = toBigInt(r);
          return (toUnit(toBigInt(m), unit) / b) * b;
        },
      },
      {
        name: `toepoch${suffix}bucket`,
        minArgs: 2,
        maxArgs: 2,
        args: ['numeric'],
        returnType: () => sv('LONG'),
        build: () => (m: unknown, b: unknown) => toBigInt(m) / (unit * toBigInt(b)),
      },
      { name: `fromepoch${suffix}`, minArgs: 1, maxArgs: 1, args: ['numeric'], returnType: () => sv('LONG'), build: () => (v: unknown) => toBigInt(v) * unit },
      {
        name: `fromepoch${suffix}bucket`,
        minArgs: 2,
        maxArgs: 2,
        args: ['numeric'],
        returnType: () => sv('LONG'),
        build: () => (v: unknown, b: unknown) => toBigInt(v) * toBigInt(b) * unit,
      },
    );
  }
  return out;
}

const TRUNC_UNITS = ['MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];

/** Truncates epoch millis to the start of `unit` in `zone` (UTC, a fixed offset or an IANA name). */
export function dateTrunc(unit: string, millis: number, zone?: string): number {
  const tz = timeZone(zone);
  if (unit === 'MILLISECOND') return millis;
  if (unit === 'SECOND') return Math.floor(millis / 1000) * 1000;
  const local = millis + tz.offsetAt(millis);
  // Only the calendar units need a Date; fixed-width units stay arithmetic (hot in GROUP BY).
  const d = unit === 'MONTH' || unit === 'QUARTER' || unit === 'YEAR' ? new Date(local) : null;
  const y = d?.getUTCFullYear() ?? 0;
  const mo = d?.getUTCMonth() ?? 0;
  let t: number;
  switch (unit) {
    case 'MINUTE':
      t = Math.floor(local / 60_000) * 60_000;
      break;
    case 'HOUR':
      t = Math.floor(local / 3_600_000) * 3_600_000;
      break;
    case 'DAY':
      t = Math.floor(local / 86_400_000) * 86_400_000;
      break;
    case 'WEEK': {
      const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
      const dow = (new Date(dayStart).getUTCDay() + 6) % 7; // Monday = 0
      t = dayStart - dow * 86_400_000;
      break;
    }
    case 'MONTH':
      t = Date.UTC(y, mo, 1);
      break;
    case 'QUARTER':
      t = Date.UTC(y, mo - (mo % 3), 1);
      break;
    default:
      t = Date.UTC(y, 0, 1);
  }
  return tz.toUtc(t);
}

export function datePart(name: string, f: (d: Date) => number, aliases?: string[]): ScalarFunction {
  return {
    name,
    ...(aliases ? { aliases } : {}),
    minArgs: 1,
    maxArgs: 2,
    args: ['numeric', 'literal'],
    returnType: () => sv('INT'),
    build: (a) => {
      const tz = timeZone(a.length > 1 ? String(a[1]!.literal) : undefined);
      return (m: unknown) => {
        const millis = toNumber(m);
        return f(new Date(millis + tz.offsetAt(millis)));
      };
    },
  };
}

/** The parts `EXTRACT(part FROM ts)` reads, as the date-part functions compute them (UTC). */
const EXTRACT_PARTS: Record<string, (d: Date) => number> = {
  YEAR: (d) => d.getUTCFullYear(),
  QUARTER: (d) => Math.floor(d.getUTCMonth() / 3) + 1,
  MONTH: (d) => d.getUTCMonth() + 1,
  DAY: (d) => d.getUTCDate(),
  DOW: (d) => ((d.getUTCDay() + 6) % 7) + 1,
  DOY: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  HOUR: (d) => d.getUTCHours(),
  MINUTE: (d) => d.getUTCMinutes(),
  SECOND: (d) => d.getUTCSeconds(),
};

/** The Joda pattern (second argument) and optional time zone (third) of `toDateTime` / `fromDateTime`. */
function patternArgs(a: readonly ArgInfo[]): { pattern: string; zone: string | undefined } {
  return { pattern: String(a[1]!.literal), zone: a[2] ? String(a[2].literal) : undefined };
}

/** Time functions over epoch millis (LONG/TIMESTAMP), with Pinot's names. */
export const TIME_FUNCTIONS: readonly ScalarFunction[] = [
  ...epochFunctions(),
  {
    name: 'datetrunc',
    minArgs: 2,
    maxArgs: 5,
    args: ['literal', 'numeric', 'literal', 'literal', 'literal'],
    returnType: () => sv('LONG'),
    build: (a) => {
      const unit = String(a[0]!.literal).toUpperCase();
      if (!TRUNC_UNITS.includes(unit)) throw new Error(`DATETRUNC unit '${String(a[0]!.literal)}' is not one of ${TRUNC_UNITS.join(', ')}`);
      const inUnit = UNIT_MILLIS[String(a[2]?.literal ?? 'MILLISECONDS').toUpperCase()];
      if (inUnit === undefined) throw new Error(`DATETRUNC input time unit '${String(a[2]?.literal)}' is not a TimeUnit`);
      const zone = a[3] ? String(a[3].literal) : undefined;
      timeZone(zone); // an unknown zone fails the query now
      const outUnit = UNIT_MILLIS[String(a[4]?.literal ?? a[2]?.literal ?? 'MILLISECONDS').toUpperCase()] ?? inUnit;
      return (_unit: unknown, v: unknown) => {
        const millis = Number(toBigInt(v) * inUnit);
        return BigInt(dateTrunc(unit, millis, zone)) / outUnit;
      };
    },
  },
  {
    name: 'todatetime',
    minArgs: 2,
    maxArgs: 3,
    args: ['numeric', 'literal', 'literal'],
    returnType: () => sv('STRING'),
    build: (a) => {
      const { pattern, zone } = patternArgs(a);
      formatMillis(0, pattern, zone); // validates the pattern now
      return (m: unknown) => formatMillis(toNumber(m), pattern, zone);
    },
  },
  {
    name: 'fromdatetime',
    minArgs: 2,
    maxArgs: 3,
    args: ['sv', 'literal', 'literal'],
    returnType: () => sv('LONG'),
    build: (a) => {
      const { pattern, zone } = patternArgs(a);
      return (s: unknown) => BigInt(parseToMillis(String(s), pattern, zone));
    },
  },
  {
    // The parser turns `EXTRACT(YEAR FROM ts)` into `extract('YEAR', ts)`.
    name: 'extract',
    minArgs: 2,
    maxArgs: 2,
    args: ['literal', 'numeric'],
    returnType: () => sv('INT'),
    build: (a) => {
      const part = EXTRACT_PARTS[String(a[0]!.literal).toUpperCase()];
      if (part === undefined) throw new Error(`EXTRACT part '${String(a[0]!.literal)}' is not one of ${Object.keys(EXTRACT_PARTS).join(', ')}`);
      return (_part: unknown, m: unknown) => part(new Date(toNumber(m)));
    },
  },
  {
    // Pinot's ago(): now minus an ISO-8601 duration, in epoch millis, fixed once per query.
    name: 'ago',
    minArgs: 1,
    maxArgs: 1,
    args: ['literal'],
    returnType: () => sv('LONG'),
    build: (a) => {
      const at = BigInt(queryNowMs() - parseIsoDuration(String(a[0]!.literal)));
      return () => at;
    },
  },
  DATETIME_CONVERT,
  { name: 'now', minArgs: 0, maxArgs: 0, returnType: () => sv('LONG'), build: () => { const at = BigInt(queryNowMs()); return () => at; } },
  datePart('year', (d) => d.getUTCFullYear()),
  datePart('quarter', (d) => Math.floor(d.getUTCMonth() / 3) + 1),
  datePart('month', (d) => d.getUTCMonth() + 1, ['monthofyear']),
  datePart('dayofmonth', (d) => d.getUTCDate(), ['day']),
  datePart('dayofweek', (d) => ((d.getUTCDay() + 6) % 7) + 1, ['dow']),
  datePart('dayofyear', (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, ['doy']),
  datePart('hour', (d) => d.getUTCHours()),
  datePart('minute', (d) => d.getUTCMinutes()),
  datePart('second', (d) => d.getUTCSeconds()),
  datePart('millisecond', (d) => d.getUTCMilliseconds()),
];
