import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { SealedSegment } from '../segment/index.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  NANOSECONDS: 1e-6,
  MICROSECONDS: 1e-3,
  MILLISECONDS: 1,
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
};

/** How long a table keeps its sealed segments, and how to read its time column as epoch millis. */
export interface RetentionPolicy {
  /** `segmentsConfig.retentionTimeValue` × `retentionTimeUnit`, in millis. */
  readonly retentionMs: number;
  /** Millis per unit of the time column's values (1 for millis and TIMESTAMP). */
  readonly valueMs: number;
}

/**
 * The table's retention, or null when it keeps segments forever: no `retentionTimeUnit/Value`,
 * no time column, or a time column that is not epoch-numeric (a `SIMPLE_DATE_FORMAT` string
 * column has no numeric time range in the footer; `reason` says why).
 */
export function retentionPolicyOf(config: TableConfig, schema: TableSchema): { policy: RetentionPolicy } | { policy: null; reason: string | null } {
  const segmentsConfig = (config.pinot.segmentsConfig ?? {}) as Record<string, unknown>;
  const unit = typeof segmentsConfig.retentionTimeUnit === 'string' ? segmentsConfig.retentionTimeUnit.trim().toUpperCase() : '';
  const value = typeof segmentsConfig.retentionTimeValue === 'string' ? segmentsConfig.retentionTimeValue.trim() : '';
  if (unit === '' || value === '') return { policy: null, reason: null };
  const retentionMs = Number(value) * UNIT_MS[unit]!;
  if (config.timeColumnName === undefined) return { policy: null, reason: 'retention needs segmentsConfig.timeColumnName; segments are kept' };
  const column = schema.columns[schema.columnIndex.get(config.timeColumnName)!]!;
  const valueMs = column.format === undefined ? 1 : epochMillisPerValue(column.format);
  if (valueMs === null) return { policy: null, reason: `time column ${column.name} has format ${column.format}, not epoch numbers; retention keeps its segments` };
  return { policy: { retentionMs, valueMs } };
}

/**
 * Millis per value of an epoch or timestamp date-time format (`1:MILLISECONDS:EPOCH`,
 * `5:MINUTES:EPOCH`, `EPOCH|SECONDS[|size]`, `TIMESTAMP`), or null for `SIMPLE_DATE_FORMAT` and
 * anything else.
 */
export function epochMillisPerValue(format: string): number | null {
  const f = format.trim();
  if (/^TIMESTAMP$/i.test(f) || /^\d+:\w+:TIMESTAMP$/i.test(f)) return 1;
  const piped = /^EPOCH(?:\|(\w+)(?:\|(\d+))?)?$/i.exec(f);
  if (piped) return (UNIT_MS[(piped[1] ?? 'MILLISECONDS').toUpperCase()] ?? NaN) * Number(piped[2] ?? 1) || null;
  const colon = /^(\d+):(\w+):EPOCH$/i.exec(f);
  if (colon) return (UNIT_MS[colon[2]!.toUpperCase()] ?? NaN) * Number(colon[1]) || null;
  return null;
}

/**
 * Sealed segments whose newest time value is older than `nowMs - retentionMs` (Pinot's
 * retention manager: a segment goes whole, once all its rows are out of retention). Segments
 * without a time range (empty ones, such as an end-of-shard marker) are kept.
 */
export function expiredSegments(segments: readonly SealedSegment[], policy: RetentionPolicy, nowMs: number): SealedSegment[] {
  const cutoff = nowMs - policy.retentionMs;
  return segments.filter((s) => s.metadata.endTimeMs !== undefined && s.metadata.endTimeMs * policy.valueMs < cutoff);
}
