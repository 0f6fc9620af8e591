import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { BoundStream } from '../spi/stream-plugin.js';
import type { RecordPipeline } from './record-pipeline.js';

/**
 * A table as ingestion receives it: the validated config with everything parsed or compiled from
 * it once, at admission (`src/table/table-admission.ts`): the stream bound to its plugin with its
 * keys parsed, the decoder built, the transforms compiled. Ingestion never reads the config's
 * string maps again. Frozen.
 *
 * @example
 *   const table = resolveTable(schema, config);
 *   const pipeline = table.pipelineFor('shardId-000000000000');
 */
export interface ResolvedTable {
  readonly schema: TableSchema;
  readonly config: TableConfig;
  /** The first stream (`streams[0].stream`). */
  readonly stream: BoundStream;
  /** Every stream of the table, in config order (Pinot's `streamConfigMaps`). */
  readonly streams: readonly ResolvedStream[];
  /**
   * The record pipeline of one partition: the table's decoder and compiled transforms, with the
   * partition's own id in the record metadata columns. Cheap: nothing is parsed or compiled.
   */
  pipelineFor(streamPartitionId: string): RecordPipeline;
}

/** One stream of a table: its plugin binding and its partitions' record pipelines (its own decoder). */
export interface ResolvedStream {
  readonly topicName: string;
  readonly stream: BoundStream;
  pipelineFor(tableShardId: string): RecordPipeline;
}

/**
 * The stream a table-wide shard id belongs to: `<topic>/<shardId>` names stream `k > 0` by its
 * topic; a bare shard id is the first stream's (as in a table with one stream).
 */
export function streamIndexOfShard(streams: readonly { readonly topicName: string }[], tableShardId: string): number {
  for (let k = 1; k < streams.length; k++) if (tableShardId.startsWith(`${streams[k]!.topicName}/`)) return k;
  return 0;
}

export function streamOfShard<T extends { readonly topicName: string }>(streams: readonly T[], tableShardId: string): T {
  return streams[streamIndexOfShard(streams, tableShardId)]!;
}

/** The table-wide shard id of stream `k`'s partition `shardId` (the stream's own id for the first stream). */
export function tableShardIdOf(k: number, topicName: string, shardId: string): string {
  return k === 0 ? shardId : `${topicName}/${shardId}`;
}
