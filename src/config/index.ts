/** Pinot schema and table config: models, validation at the edge, stream config parsing, redaction. */
export * from './data-type.js';
export * from './schema.js';
export { checkSchemaEvolution } from './schema-evolution.js';
export type { SchemaEvolution } from './schema-evolution.js';
export type * from './table-config.js';
export { validateSchema, formatAjvErrors, invalidNameReason, pointerToPath } from './schema-validation.js';
export { validateTableConfig, tableIdentity, rawTableName, REALTIME_SUFFIX } from './table-config-validation.js';
export {
  parseStreamConfig,
  parseFlushThresholds,
  parseDurationMs,
  parseDataSize,
  decoderNameFor,
  keyPath,
  FLUSH_DEFAULTS,
  DECODER_NAMES,
} from './stream-config.js';
export type { DecoderName } from './stream-config.js';
export { redactTableConfig, restoreRedactedSecrets, isSecretKey, isSecretValue, keyWords, collectSecrets, scrubSecrets, REDACTED } from './redact.js';
export { PARTIAL_UPSERT_STRATEGIES } from './upsert-config.js';
export type { PartialUpsertStrategy, UpsertSettings, DedupSettings } from './upsert-config.js';
export { parsePair } from './star-tree-config.js';
export type { StarTreeConfig } from './star-tree-config.js';
