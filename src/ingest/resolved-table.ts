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
  readonly stream: BoundStream;
  /**
   * The record pipeline of one partition: the table's decoder and compiled transforms, with the
   * partition's own id in the record metadata columns. Cheap: nothing is parsed or compiled.
   */
  pipelineFor(streamPartitionId: string): RecordPipeline;
}
