import { sv } from './function-types.js';
import type { ArgInfo, ScalarFunction } from './function-types.js';
import { formatMillis, parseToMillis } from './joda-format.js';
import { isFixedOffsetZone, timeZone } from './time-zones.js';
import { toBigInt } from './values.js';

const UNIT_MILLIS: Readonly<Record<string, bigint>> = { MILLISECONDS: 1n, SECONDS: 1_000n, MINUTES: 60_000n, HOURS: 3_600_000n, DAYS: 86_400_000n };

/** A Pinot `DateTimeFormatSpec`, parsed once: epoch numbers in `size` × `unit`, timestamps, or a Joda pattern. */
export type DateTimeFormat =
  | { readonly kind: 'epoch'; readonly unitMillis: bigint }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'sdf'; readonly pattern: string; readonly zone: string | undefined };

function unitMillis(unit: string, spec: string): bigint {
  const m = UNIT_MILLIS[unit.trim().toUpperCase()];
  if (m === undefined) throw new Error(`'${unit}' in format '${spec}' is not a time unit (${Object.keys(UNIT_MILLIS).join(', ')})`);
  return m;
}

function positiveSize(size: string, spec: string): bigint {
  if (!/^\d+$/.test(size.trim()) || BigInt(size.trim()) === 0n) throw new Error(`size '${size}' in '${spec}' is not a positive integer`);
  return BigInt(size.trim());
}

/**
 * Parses Pinot's two spellings of a date-time format: `1:MILLISECONDS:EPOCH`, `5:MINUTES:EPOCH`,
 * `1:MILLISECONDS:TIMESTAMP`, `1:DAYS:SIMPLE_DATE_FORMAT:yyyyMMdd` (the pattern may hold colons
 * and end in ` tz(America/New_York)`), and `EPOCH|MILLISECONDS[|size]`, `TIMESTAMP`,
 * `SIMPLE_DATE_FORMAT|pattern[|zone]`. Throws `Error` naming the bad part.
 */
export function parseDateTimeFormat(spec: string): DateTimeFormat {
  if (spec.includes('|') || /^(EPOCH|TIMESTAMP|SIMPLE_DATE_FORMAT)$/i.test(spec.trim())) {
    const [type, a, b] = spec.split('|');
    switch (type!.trim().toUpperCase()) {
      case 'EPOCH':
        return { kind: 'epoch', unitMillis: unitMillis(a ?? 'MILLISECONDS', spec) * (b === undefined ? 1n : positiveSize(b, spec)) };
      case 'TIMESTAMP':
        return { kind: 'timestamp' };
      case 'SIMPLE_DATE_FORMAT':
        if (!a) throw new Error(`format '${spec}' needs a pattern`);
        return sdf(a, b?.trim(), spec);
    }
    throw new Error(`format '${spec}' is not EPOCH, TIMESTAMP or SIMPLE_DATE_FORMAT`);
  }
  const parts = spec.split(':');
  if (parts.length < 3) throw new Error(`format '${spec}' is not size:unit:EPOCH|TIMESTAMP|SIMPLE_DATE_FORMAT[:pattern]`);
  const size = positiveSize(parts[0]!, spec);
  const unit = unitMillis(parts[1]!, spec);
  switch (parts[2]!.trim().toUpperCase()) {
    case 'EPOCH':
      return { kind: 'epoch', unitMillis: size * unit };
    case 'TIMESTAMP':
      return { kind: 'timestamp' };
    case 'SIMPLE_DATE_FORMAT': {
      const rest = parts.slice(3).join(':');
      const tz = /^(.*?)\s*tz\(([^)]*)\)\s*$/.exec(rest);
      return sdf(tz ? tz[1]! : rest, tz ? tz[2]!.trim() : undefined, spec);
    }
  }
  throw new Error(`format '${spec}' is not EPOCH, TIMESTAMP or SIMPLE_DATE_FORMAT`);
}

function sdf(pattern: string, zone: string | undefined, spec: string): DateTimeFormat {
  if (pattern.trim() === '') throw new Error(`format '${spec}' needs a pattern`);
  timeZone(zone); // an unknown zone fails the query now
  formatMillis(0, pattern); // so does a bad pattern
  return { kind: 'sdf', pattern, zone };
}


/** Formats in the format's zone; an IANA zone's offset (with DST) is taken at that instant. */
function formatIn(millis: number, f: Extract<DateTimeFormat, { kind: 'sdf' }>): string {
  if (isFixedOffsetZone(f.zone)) return formatMillis(millis, f.pattern, f.zone);
  return formatMillis(millis + timeZone(f.zone).offsetAt(millis), f.pattern);
}

/** Parses a local wall-clock text in the format's zone (an IANA zone's DST rules apply). */
function parseIn(text: string, f: Extract<DateTimeFormat, { kind: 'sdf' }>): number {
  if (isFixedOffsetZone(f.zone)) return parseToMillis(text, f.pattern, f.zone);
  return timeZone(f.zone).toUtc(parseToMillis(text, f.pattern));
}

/** `1:HOURS`, `15:MINUTES` or `HOURS|1`: the bucket size in millis. */
export function parseGranularity(spec: string): bigint {
  const [a, b] = spec.includes('|') ? spec.split('|').reverse() : spec.split(':');
  if (a === undefined || b === undefined) throw new Error(`granularity '${spec}' is not size:unit`);
  return positiveSize(a, spec) * unitMillis(b, spec);
}

function toMillis(v: unknown, f: DateTimeFormat): bigint {
  switch (f.kind) {
    case 'epoch':
      return toBigInt(v) * f.unitMillis;
    case 'timestamp':
      return toBigInt(v);
    case 'sdf':
      return BigInt(parseIn(String(v), f));
  }
}

/**
 * `DATETIMECONVERT(col, inputFormat, outputFormat, outputGranularity)`: reads `col` in the input
 * format, truncates the epoch millis to the granularity (Java's long division, as Pinot's
 * `DateTimeConversionTransformer`: toward zero), and writes the output format: LONG for EPOCH
 * (in the output's size × unit) and TIMESTAMP (millis), STRING for SIMPLE_DATE_FORMAT.
 */
export const DATETIME_CONVERT: ScalarFunction = {
  name: 'datetimeconvert',
  minArgs: 4,
  maxArgs: 4,
  args: ['sv', 'literal', 'literal', 'literal'],
  returnType: (a: readonly ArgInfo[]) => sv(parseDateTimeFormat(String(a[2]!.literal)).kind === 'sdf' ? 'STRING' : 'LONG'),
  build: (a) => {
    const input = parseDateTimeFormat(String(a[1]!.literal));
    const output = parseDateTimeFormat(String(a[2]!.literal));
    const bucket = parseGranularity(String(a[3]!.literal));
    return (v: unknown) => {
      const millis = (toMillis(v, input) / bucket) * bucket;
      switch (output.kind) {
        case 'epoch':
          return millis / output.unitMillis;
        case 'timestamp':
          return millis;
        case 'sdf':
          return formatIn(Number(millis), output);
      }
    };
  },
};
