import { isFixedOffsetZone, timeZone } from '../functions/time-zones.js';
import { dateTrunc } from '../functions/time-functions.js';
import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';

const literalText = (e: BoundExpr | undefined): string | null => (e?.kind === 'literal' && e.value !== null ? String(e.value) : null);

/** A `DATETRUNC` whose input and output are milliseconds: it returns `BigInt(dateTrunc(unit, Number(input), zone))`. */
export interface DateTruncSpec {
  readonly unit: string;
  readonly zone: string | undefined;
  readonly input: BoundExpr;
}

/** The unit, zone and input of `DATETRUNC(unit, input [, 'MILLISECONDS' [, zone [, 'MILLISECONDS']]])`; null for other forms. */
export function dateTruncSpec(e: BoundOf<'call'>): DateTruncSpec | null {
  const [unitArg, input, inUnit, zoneArg, outUnit] = e.args;
  const unit = literalText(unitArg)?.toUpperCase();
  if (unit === undefined || input === undefined) return null;
  if (inUnit !== undefined && literalText(inUnit)?.toUpperCase() !== 'MILLISECONDS') return null;
  if (outUnit !== undefined && literalText(outUnit)?.toUpperCase() !== 'MILLISECONDS') return null;
  if (zoneArg !== undefined && literalText(zoneArg) === null) return null;
  return { unit, zone: zoneArg === undefined ? undefined : literalText(zoneArg)!, input };
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Units `dateTrunc` computes as `floor((millis + off) / width) * width - off`, and whether `off` applies. */
const FIXED: Record<string, { width: number; zoned: boolean }> = {
  SECOND: { width: 1000, zoned: false },
  MINUTE: { width: 60_000, zoned: false },
  HOUR: { width: 3_600_000, zoned: true },
  DAY: { width: 86_400_000, zoned: true },
};

/**
 * The width and offset of a fixed-width `DATETRUNC` (SECOND, MINUTE, HOUR, DAY in a fixed-offset
 * zone): its bucket of `t` is `floor((t + shift) / width) * width - shift`, as `truncateInPlace`
 * computes it. Null for calendar units, MILLISECOND and zones with rules.
 */
export function fixedBuckets(spec: DateTruncSpec): { readonly width: number; readonly shift: number } | null {
  const fixed = FIXED[spec.unit];
  if (fixed === undefined || !isFixedOffsetZone(spec.zone)) return null;
  return { width: fixed.width, shift: fixed.zoned ? timeZone(spec.zone).offsetAt(0) : 0 };
}

/**
 * Replaces `values[0..n)` (epoch millis) by `dateTrunc(unit, v, zone)` when that is a safe
 * integer, else NaN: the numeric group key of the bucket. Fixed-width units use the same
 * arithmetic as `dateTrunc`, inline (it is the hot loop of a time-bucket GROUP BY); others call it.
 */
export function truncateInPlace(spec: DateTruncSpec, values: Float64Array, n: number): void {
  if (n === 0) return;
  const { unit, zone } = spec;
  const fixed = FIXED[unit];
  // dateTrunc validates the zone on every call, whatever the unit.
  const tz = timeZone(zone);
  // Only a fixed offset keeps the arithmetic fast path; a zone with DST rules goes through dateTrunc.
  const off = isFixedOffsetZone(zone) ? tz.offsetAt(0) : null;
  if (off !== null && (unit === 'MILLISECOND' || fixed !== undefined)) {
    if (fixed !== undefined) {
      const width = fixed.width;
      const shift = fixed.zoned ? off : 0;
      for (let i = 0; i < n; i++) values[i] = Math.floor((values[i]! + shift) / width) * width - shift;
    }
  } else {
    for (let i = 0; i < n; i++) values[i] = dateTrunc(unit, values[i]!, zone);
  }
  for (let i = 0; i < n; i++) {
    const t = values[i]!;
    if (!(t >= -MAX_SAFE && t <= MAX_SAFE)) values[i] = Number.NaN;
  }
}

