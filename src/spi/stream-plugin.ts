import type { TableSchema } from '../config/schema.js';
import type { StreamConfig, TableConfig } from '../config/table-config.js';
import type { PartitionIdScheme } from './partition-id-scheme.js';
import type { StreamConsumerFactory } from './stream-consumer-factory.js';

/**
 * How a stream error should be treated: `transient` errors are retried with backoff (a table
 * whose stream was unreachable at start is retried too), `permanent` ones stop the partition (or
 * refuse the table) with the message. `null` from a classifier means "not a stream error at all".
 */
export type StreamErrorClass = 'transient' | 'permanent';

/** The words a stream type uses in status for where a partition started reading. */
export interface StreamStatusWords {
  /** A partition resumed after its last sealed segment, e.g. `AFTER_SEQUENCE_NUMBER 4959… (last sealed segment)`. */
  resumedAfter(offset: string): string;
  /** A child partition started at its oldest record because its parents were read to their end. */
  readonly childFromOldest: string;
}

/** What `StreamPlugin.parse` gets besides the stream map. */
export interface StreamParseContext {
  readonly tableName: string;
  /** The table config (validated by the config layer) and its schema, when parsing at admission. */
  readonly table?: { readonly config: TableConfig; readonly schema: TableSchema };
}

/** What a plugin needs besides its own settings to build a table's consumer factory. */
export interface StreamPluginOptions {
  /** The table's partition-id scheme, loaded from what the table persisted. */
  readonly partitionIds: PartitionIdScheme;
  /** The table's raw name (e.g. for a default assume-role session name). */
  readonly tableName: string;
}

/**
 * One stream type (Pinot's stream plugin): a folder `src/plugins/stream/<type>/` that exports one
 * of these, and one line in `src/plugins/stream/registry.ts`. Nothing outside the folder knows the
 * type's keys, error names, offsets or status words.
 *
 * Lifecycle: `parse` runs once per table config, at admission (`POST`/`PUT /tables`, and when the
 * catalog is reloaded at start); it opens no connection and throws `ShardtableError('STREAM_CONFIG')`
 * naming every bad key. Its result is frozen and handed back to `createConsumerFactory` each time
 * the table's runtime starts; nothing re-parses the string map.
 *
 * @example
 *   const settings = kinesisPlugin.parse(tableConfig.stream, { tableName: 'events' });
 *   const factory = kinesisPlugin.createConsumerFactory(settings, { partitionIds, tableName: 'events' });
 */
export interface StreamPlugin<Settings = unknown> {
  /** The `streamType` value this plugin serves (`kinesis`). */
  readonly streamType: string;
  /**
   * Prefix of this type's own keys in `streamConfigs`, `stream.<type>.`. Decoders read their
   * properties under it (`stream.kinesis.decoder.prop.schema`).
   */
  readonly keyPrefix: string;
  /**
   * The key suffix naming the source under `keyPrefix` when it is not Pinot's `topic.name`
   * (`table.name` for `stream.dynamodb.table.name`); the config layer requires it.
   */
  readonly topicKey?: string;
  /**
   * True when the stream itself delivers each key's changes in order (a DynamoDB table's load,
   * then its stream, one shard lineage per item): an upsert table on it needs no comparison
   * column, and with none records are applied in arrival order (the later wins).
   */
  readonly ordersChanges?: boolean;
  /**
   * Parses and validates this type's keys once; throws `STREAM_CONFIG` naming each bad key.
   * `context.table` is the validated table config and its schema, for a stream type that needs
   * something of the table (a DynamoDB source needs an upsert table keyed by `_id`).
   */
  parse(stream: StreamConfig, context: StreamParseContext): Settings;
  /** Builds a table's readers from settings `parse` returned. Opens connections lazily. */
  createConsumerFactory(settings: Settings, options: StreamPluginOptions): StreamConsumerFactory;
  /**
   * The table's partition-id scheme, rebuilt from what it persisted (`null` for a new table).
   * Throws on a persisted form it cannot read.
   */
  loadPartitionIds(saved: unknown): PartitionIdScheme;
  /**
   * Whether `error` (or one in its cause chain) came from the stream or the network to it, and
   * how to treat it; `null` for anything else (a bug, a disk error).
   */
  classifyError(error: unknown): StreamErrorClass | null;
  readonly statusWords: StreamStatusWords;
  /**
   * Writes records into the table's stream, in order (`POST /ingestFromFile`); resolves with how
   * many were written, throws the stream's error. Absent for a source that takes no writes (a
   * DynamoDB table's change stream).
   */
  putRecords?(settings: Settings, records: readonly RecordToPut[], options: { readonly tableName: string }): Promise<number>;
}

/** One record to write into a stream: its bytes and the key that picks its partition. */
export interface RecordToPut {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/**
 * A table's stream config bound to its plugin and parsed once, at admission. Ingestion builds its
 * consumer factory from it without looking at the string map again.
 */
export interface BoundStream {
  readonly plugin: StreamPlugin;
  /** What `plugin.parse` returned for this table (frozen). */
  readonly settings: unknown;
}
