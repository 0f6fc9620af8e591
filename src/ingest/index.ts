import type { Logger } from '../logger.js';
import type { TableRuntimeFactory } from './table-runtime.js';
import { TableIngestion } from './table-ingestion.js';

export { TableIngestion } from './table-ingestion.js';
export type { ResolvedTable } from './resolved-table.js';
export type { IngestionEvent, TableIngestionOptions } from './table-ingestion.js';
export type { QueryableSegments } from '../segment/index.js';
export { PartitionIngester } from './partition-ingester.js';
export { applyBound, allPartitionsFinished } from './ingest-bound.js';
export type { IngestBound } from './ingest-bound.js';
export type { PartitionState, PartitionStatus } from './partition-status.js';
export type { DataLossEntry, IngestionHealth, IngestionState, TableIngestionStatus } from './table-ingestion-status.js';

/** The runtime factory the server uses: real stream ingestion into segment files. */
export function tableIngestionFactory(logger: Logger, options: { readonly retentionIntervalMs?: number } = {}): TableRuntimeFactory {
  return ({ table, tableDir }) => new TableIngestion({ table, tableDir, logger, ...options });
}
