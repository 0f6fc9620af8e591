import type { PartitionStatus, SegmentSummary } from '../ingest/table-runtime.js';

/** Pinot's `TableView` (ideal state or external view): segment → instance → state, per table type. */
export interface PinotTableView {
  readonly OFFLINE: null;
  readonly REALTIME: Record<string, Record<string, string>>;
}

/**
 * The one-server truth in Pinot's `TableView` shape: every sealed segment `ONLINE` and every
 * consuming segment `CONSUMING` on this server. Ideal state and external view are the same here:
 * there is no assignment that a server has yet to carry out.
 */
export function tableView(sealed: readonly SegmentSummary[], partitions: readonly PartitionStatus[], serverName: string): PinotTableView {
  const view: Record<string, Record<string, string>> = {};
  for (const s of sealed) view[s.segmentName] = { [serverName]: 'ONLINE' };
  for (const p of partitions) if (p.consumingSegmentName !== null && !(p.consumingSegmentName in view)) view[p.consumingSegmentName] = { [serverName]: 'CONSUMING' };
  return { OFFLINE: null, REALTIME: view };
}

/** Pinot's `TableSizeReader.TableSizeDetails` for a realtime table on one server (sealed files on disk). */
export function tableSize(tableName: string, sealed: readonly SegmentSummary[], serverName: string): Record<string, unknown> {
  let total = 0;
  const segments: Record<string, unknown> = {};
  for (const s of sealed) {
    total += s.sizeBytes;
    segments[s.segmentName] = {
      reportedSizeInBytes: s.sizeBytes,
      estimatedSizeInBytes: s.sizeBytes,
      maxReportedSizePerReplicaInBytes: s.sizeBytes,
      serverInfo: { [serverName]: { segmentName: s.segmentName, diskSizeInBytes: s.sizeBytes } },
    };
  }
  const realtimeSegments = { reportedSizeInBytes: total, estimatedSizeInBytes: total, missingSegments: 0, reportedSizePerReplicaInBytes: total, segments };
  return { tableName, reportedSizeInBytes: total, estimatedSizeInBytes: total, reportedSizePerReplicaInBytes: total, offlineSegments: null, realtimeSegments };
}

interface ColumnStats {
  readonly name: string;
  readonly cardinality: number;
  readonly maxNumValuesPerDoc: number;
  readonly singleValue: boolean;
  readonly forwardIndexBytes: number;
  readonly dictionaryBytes: number;
  readonly invertedIndexBytes: number;
}

/**
 * Pinot's `TableMetadataInfo` (`GET /tables/{t}/metadata`): sizes and counts of every segment
 * (consuming ones count in `numSegments` and `numRows`), and for the columns asked for
 * (`columns=a&columns=b`, or `*`) the averages over sealed segments that Pinot's servers report:
 * cardinality, most values per row of multi-value columns, and index sizes. `columnLengthMap`
 * stays empty: the segment format does not record a column's longest value.
 */
export function tableMetadata(
  tableName: string,
  sealed: readonly { readonly summary: SegmentSummary; readonly columns: readonly ColumnStats[] }[],
  consuming: readonly PartitionStatus[],
  columns: readonly string[],
): Record<string, unknown> {
  const consumingRows = consuming.reduce((n, p) => n + (p.consumingSegmentName !== null ? p.rowsInConsumingSegment : 0), 0);
  const numConsuming = consuming.filter((p) => p.consumingSegmentName !== null).length;
  const wanted = (c: string): boolean => columns.includes('*') || columns.includes(c);
  const sums = new Map<string, { n: number; card: number; mv: number; sv: boolean; fwd: number; dict: number; inv: number }>();
  for (const { columns: cols } of sealed) {
    for (const c of cols) {
      if (!wanted(c.name)) continue;
      const s = sums.get(c.name) ?? { n: 0, card: 0, mv: 0, sv: c.singleValue, fwd: 0, dict: 0, inv: 0 };
      sums.set(c.name, { n: s.n + 1, card: s.card + c.cardinality, mv: s.mv + c.maxNumValuesPerDoc, sv: s.sv, fwd: s.fwd + c.forwardIndexBytes, dict: s.dict + c.dictionaryBytes, inv: s.inv + c.invertedIndexBytes });
    }
  }
  const columnCardinalityMap: Record<string, number> = {};
  const maxNumMultiValuesMap: Record<string, number> = {};
  const columnIndexSizeMap: Record<string, Record<string, number>> = {};
  for (const [name, s] of sums) {
    columnCardinalityMap[name] = s.card / s.n;
    if (!s.sv) maxNumMultiValuesMap[name] = s.mv / s.n;
    const sizes: Record<string, number> = { forward_index: s.fwd / s.n };
    if (s.dict > 0) sizes.dictionary = s.dict / s.n;
    if (s.inv > 0) sizes.inverted_index = s.inv / s.n;
    columnIndexSizeMap[name] = sizes;
  }
  return {
    tableName,
    diskSizeInBytes: sealed.reduce((n, s) => n + s.summary.sizeBytes, 0),
    numSegments: sealed.length + numConsuming,
    numRows: sealed.reduce((n, s) => n + s.summary.numDocs, 0) + consumingRows,
    columnLengthMap: {},
    columnCardinalityMap,
    maxNumMultiValuesMap,
    columnIndexSizeMap,
    upsertPartitionToServerPrimaryKeyCountMap: {},
  };
}
