import type { SegmentFooter } from './format/footer.js';

/** The footer fields a summary shows, in the order the API shows them. */
const FOOTER_KEYS = ['segmentName', 'partitionId', 'shardId', 'numDocs', 'startOffset', 'endOffset', 'endOfShard', 'creationTimeMs'] as const;

/** The footer's time range, present only when it is known (the API omits it rather than show null). */
type KnownTimeRange = { readonly [K in 'startTimeMs' | 'endTimeMs']?: NonNullable<SegmentFooter[K]> };

/**
 * One sealed segment as `GET /tables/{t}/segments` and `/segments/{t}/{s}/metadata` show it:
 * footer fields (each declared once, on `SegmentFooter`), the file size, and the time column's
 * range when the table has one and the segment has rows.
 */
export type SegmentSummary = Pick<SegmentFooter, (typeof FOOTER_KEYS)[number]> & { readonly sizeBytes: number } & KnownTimeRange;

/** Every key of a summary, in output order. */
const SUMMARY_KEYS = [...FOOTER_KEYS, 'sizeBytes', 'startTimeMs', 'endTimeMs'] as const satisfies readonly (keyof SegmentSummary)[];

/**
 * The summary part of a segment's metadata (`SegmentMetadata` is a superset), without its other
 * fields; an absent time range stays absent.
 *
 * @example
 *   summarizeSegment(sealed.metadata) // { segmentName: 'events__0__3__20240101T0000Z', partitionId: 0, ... }
 */
export function summarizeSegment(metadata: SegmentSummary): SegmentSummary {
  const summary: Partial<Record<keyof SegmentSummary, unknown>> = {};
  for (const key of SUMMARY_KEYS) if (metadata[key] !== undefined) summary[key] = metadata[key];
  return summary as SegmentSummary;
}
