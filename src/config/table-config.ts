import type { StarTreeConfig } from './star-tree-config.js';
import type { DedupSettings, UpsertSettings } from './upsert-config.js';
import type { RollupSettings } from './rollup-config.js';

/**
 * The engine's view of a Pinot REALTIME table config, built once from validated JSON
 * (`validateTableConfig` in `table-config-validation.ts`) and frozen. Code past the HTTP edge
 * trusts it.
 */
export interface TableConfig {
  /** Raw table name, without Pinot's `_REALTIME` suffix. */
  readonly tableName: string;
  readonly timeColumnName?: string;
  /** The first stream: its flush thresholds, timing keys and bad-record policy key are the table's. */
  readonly stream: StreamConfig;
  /**
   * Every stream the table reads, in config order (`streams[0]` is `stream`): Pinot's
   * `streamConfigMaps`, one or more, all of one stream type, each its own topic. A partition of
   * stream `k` gets partition id `k * 10000 + its own id` (docs/exactly-once.md, "Several streams").
   */
  readonly streams: readonly StreamConfig[];
  readonly indexing: IndexingConfig;
  /** Bad-record policy, transforms, filter and complex types (absent = skip bad records, no transforms). */
  readonly ingestion?: IngestionSettings;
  /** `upsertConfig` with mode FULL or PARTIAL (absent: an append table). */
  readonly upsert?: UpsertSettings;
  /** `dedupConfig` with `dedupEnabled: true`. */
  readonly dedup?: DedupSettings;
  /**
   * `isDimTable: true`: a dimension table (primary-keyed, read whole by `lookUp()` and by joins;
   * `docs/query.md`, "Dimension tables"). Absent for other tables.
   */
  readonly isDimTable?: true;
  /** Ingest-time rollup (`aggregateMetrics`, `aggregationConfigs`): see `rollup-config.ts`. */
  readonly rollup?: RollupSettings;
  /** The config as the user posted it (unknown keys kept), for `GET /tables/{name}`. */
  readonly pinot: PinotTableConfig;
}

export interface IndexingConfig {
  /** Rows are sorted by this column when a segment is sealed. */
  readonly sortedColumn?: string;
  readonly invertedIndexColumns: readonly string[];
  /** Columns stored raw (no dictionary) in sealed segments. */
  readonly noDictionaryColumns: readonly string[];
  /** When true, null bitmaps are stored and queries can test `IS NULL`. */
  readonly nullHandlingEnabled: boolean;
  /** Columns given a JSON index at seal (`index-config.ts`); absent = none. */
  readonly jsonIndexColumns?: readonly string[];
  /** Numeric columns given a range index at seal; absent = none. */
  readonly rangeIndexColumns?: readonly string[];
  /** Columns given a bloom filter at seal, with fpp and size cap; absent = none. */
  readonly bloomFilters?: Readonly<Record<string, { readonly fpp: number; readonly maxSizeInBytes: number }>>;
  /** Single-value STRING/JSON columns given a text index at seal (`TEXT` in `fieldConfigList`); absent = none. */
  readonly textIndexColumns?: readonly string[];
  /** Single-value TIMESTAMP/LONG columns given a timestamp index at seal, with its granularities (`timestampConfig`); absent = none. */
  readonly timestampIndexes?: Readonly<Record<string, readonly string[]>>;
  /** Star-trees built at seal (`starTreeIndexConfigs`); absent = none. */
  readonly starTrees?: readonly StarTreeConfig[];
}

/** The stream part of a table config: Pinot's `streamConfigs` map plus the parsed thresholds. */
export interface StreamConfig {
  /** `kinesis` (the key into the stream plugin registry). */
  readonly streamType: string;
  /** Stream name (`stream.kinesis.topic.name`). */
  readonly topicName: string;
  /** Every key of the `streamConfigs` map as given, values as strings. Holds secrets: never echo. */
  readonly properties: Readonly<Record<string, string>>;
  readonly flush: FlushThresholds;
  /** Decoder name after mapping Pinot class names (`json`). */
  readonly decoderName: string;
}

export interface FlushThresholds {
  /** Seal after this many rows (`realtime.segment.flush.threshold.rows`, alias `.size`). */
  readonly rows: number;
  /** Seal when the consuming segment is this old, in millis (`realtime.segment.flush.threshold.time`). */
  readonly timeMs: number;
  /** Seal when the estimated size reaches this many bytes (`...threshold.segment.size`); 0 = off. */
  readonly segmentSizeBytes: number;
}

/** A Pinot table config JSON object; only the fields shardtable reads are typed. */
export interface PinotTableConfig {
  tableName: string;
  tableType?: string;
  segmentsConfig?: { timeColumnName?: string; [key: string]: unknown };
  tableIndexConfig?: {
    streamConfigs?: Record<string, unknown>;
    sortedColumn?: string[] | string;
    invertedIndexColumns?: string[];
    noDictionaryColumns?: string[];
    nullHandlingEnabled?: boolean;
    [key: string]: unknown;
  };
  ingestionConfig?: {
    streamIngestionConfig?: { streamConfigMaps?: Record<string, unknown>[]; [key: string]: unknown };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * What happens to a record that fails to decode, transform or index (`docs/ingestion.md`):
 * `skip` counts it and moves on, `fail` stops the partition at it (state ERROR, resumes at that
 * record after `PUT /tables/{t}`), `deadLetter` appends it to `<tableDir>/dead-letter/<shard>.jsonl`.
 */
export type RecordErrorPolicy = 'skip' | 'fail' | 'deadLetter';

/** Pinot's `ingestionConfig.complexTypeConfig`. */
export interface ComplexTypeSettings {
  readonly fieldsToUnnest: readonly string[];
  /** Joins nested field names when flattening (default `.`). */
  readonly delimiter: string;
  /** Which arrays that are not unnested are stored as JSON text (default `NON_PRIMITIVE`). */
  readonly collectionNotUnnestedToJson: 'NONE' | 'NON_PRIMITIVE' | 'ALL';
}

/** The ingestion part of a table config, validated. */
export interface IngestionSettings {
  readonly errorPolicy: RecordErrorPolicy;
  readonly transforms: readonly { readonly columnName: string; readonly transformFunction: string }[];
  /** Rows for which this expression is true are dropped (Pinot's `filterConfig.filterFunction`). */
  readonly filterFunction?: string;
  readonly complexType?: ComplexTypeSettings;
}
