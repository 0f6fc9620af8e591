/** The table registry: catalog persistence, the table manager, and the runtime seam. */
export { TableManager } from './table-manager.js';
export type { TableManagerOptions, StartReport, TableLoadResult, TableState } from './table-manager.js';
export type { PauseResult } from './consuming-segments.js';
export { Catalog, CATALOG_DIR } from './catalog.js';
export type { CatalogContents, CatalogProblem, CatalogScope } from './catalog.js';
export type { TableRuntime, TableRuntimeFactory, SegmentSummary, PartitionStatus, PartitionState } from '../ingest/table-runtime.js';
export { loadCatalogTable } from './catalog-table.js';
export type { CatalogTable } from './catalog-table.js';
