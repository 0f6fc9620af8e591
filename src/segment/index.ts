/**
 * The segment subsystem: consuming segments (column builders, queryable while they grow), the
 * sealed file format (docs/segment-format.md), seal + atomic publish, recovery listing, and the
 * read interface shared by both kinds of segment.
 */
export { ConsumingSegment } from './consuming-segment.js';
export type { ConsumingSegmentOptions, ConsumingSnapshot } from './consuming-segment.js';
export type { SegmentIdentity } from './segment-identity.js';
export type { SegmentView, ColumnReader, SealedColumnReader, Dictionary, DictionaryBounds, BlockStats, DecodedBlock, InvertedIndex } from './segment-view.js';
export { SealedSegment } from './sealed-segment.js';
export type { VerifyReport } from './sealed-segment.js';
export type { SegmentMetadata, ColumnMetadata } from './segment-metadata.js';
export { summarizeSegment } from './segment-summary.js';
export type { SegmentSummary } from './segment-summary.js';
export type { QueryableSegments } from './queryable-segments.js';
export { LiveDocs } from './live-docs.js';
export type { FrozenLiveDocs } from './live-docs.js';
export type { SegmentFooter, ColumnFooter, BlockFooter, SectionRef, ColumnEncoding, UpsertFooter, UpsertSealInfo } from './format/footer.js';
export { REPLAY_NONE, REPLAY_SKIP } from './format/footer.js';
export { sealPermutation } from './format/segment-writer.js';
export { FORMAT_VERSION, DOCS_PER_BLOCK } from './format/format-constants.js';
export { sealSegment, SEGMENT_FILE_SUFFIX, TEMP_FILE_SUFFIX } from './seal-segment.js';
export { buildReindexedFile, indexChanges, REINDEX_FILE_SUFFIX } from './reindex-segment.js';
export { rollupRows, rolledUpSegment, segmentRows } from './rollup.js';
export type { SealOptions } from './seal-segment.js';
export { SealWorker, SealWorkerUnavailableError, defaultSealWorker, closeSealWorker } from './seal-worker/seal-worker.js';
export { openSegment, decodeSegmentBytes, checkSegmentBytes, openBuiltSegment, verifySegmentChecksum } from './open-segment.js';
export type { CheckedSegment, OpenSegmentOptions } from './open-segment.js';
export { onCorruptSegment } from './reader/corruption-reports.js';
export type { CorruptSegmentListener } from './reader/corruption-reports.js';
export { blockCache, MEMORY_BUDGET_ENV, BLOCK_CACHE_ENV, memoryBudgetFromEnv, parseBlockCacheMb } from './reader/block-cache.js';
export { RETIRED_SEGMENT_GRACE_MS } from './sealed-segment.js';
export { loadTableSegments, quarantine, QUARANTINE_DIR } from './load-table-segments.js';
export type { LoadedSegments, QuarantinedFile } from './load-table-segments.js';
export { llcSegmentName, parseLlcSegmentName } from './segment-name.js';
export type { LlcSegmentName } from './segment-name.js';
export { toPinotSchema } from './schema-json.js';
export { ColumnBuilder } from './builders/column-builder.js';
export type { ImmutableColumn } from './builders/column-builder.js';
export { getZstdCodec, selectZstdCodec, loadZstdNative, loadZstdWasm, ZSTD_ENV, NATIVE_RETRY_MS, avroZstdCodecs, avroZstdDecoders } from './codecs/index.js';
export type { ZstdCodec } from './codecs/index.js';
export { toDisplayJson, formatFloat32 } from './display-value.js';
export { exportSegmentToAvro } from './export/avro-export.js';
export { avroSchemaOf, avroTypeOptions, BIGINT_LONG } from './export/avro-schema.js';
