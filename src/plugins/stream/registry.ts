import type { StreamConfig } from '../../config/table-config.js';
import { ShardtableError } from '../../errors.js';
import type { StreamConsumerFactory } from '../../spi/stream-consumer-factory.js';
import { parseKinesisConfig } from './kinesis/kinesis-config.js';
import { KinesisConsumerFactory } from './kinesis/kinesis-consumer-factory.js';

/**
 * Where a stream plugin gets partition ids for partitions whose own ids are not integers. The
 * table owns and persists it (`PartitionIdMap` from the Kinesis plugin implements it).
 */
export interface PartitionIdStore {
  idFor(shardId: string): number;
}

export interface StreamPluginOptions {
  readonly partitionIds: PartitionIdStore;
  /** The table's name (e.g. for the default assume-role session name). */
  readonly tableName?: string;
}

/** One stream type: checks its keys, and builds a table's consumer factory. */
export interface StreamPlugin {
  /** Throws `STREAM_CONFIG` naming each bad key; opens no connection. */
  validate(stream: StreamConfig): void;
  /** Builds the factory (validating first). */
  create(stream: StreamConfig, opts: StreamPluginOptions): StreamConsumerFactory;
}

const plugins: ReadonlyMap<string, StreamPlugin> = new Map<string, StreamPlugin>([
  ['kinesis', {
    validate: (stream) => void parseKinesisConfig(stream),
    create: (stream, opts) => new KinesisConsumerFactory(stream, {
      partitionIds: opts.partitionIds,
      ...(opts.tableName !== undefined ? { tableName: opts.tableName } : {}),
    }),
  }],
]);

function pluginFor(stream: StreamConfig): StreamPlugin {
  const plugin = plugins.get(stream.streamType.trim().toLowerCase());
  if (plugin === undefined) {
    throw new ShardtableError('STREAM_CONFIG', {
      detail: `streamType ${JSON.stringify(stream.streamType)} is not supported; supported: ${supportedStreamTypes().join(', ')}`,
    });
  }
  return plugin;
}

/**
 * Checks a stream config at the edge (table create/update) without connecting: an unknown
 * `streamType` or a bad plugin key throws `STREAM_CONFIG` naming it.
 */
export function validateStreamConfig(stream: StreamConfig): void {
  pluginFor(stream).validate(stream);
}

/** The `streamType` values this build supports. */
export function supportedStreamTypes(): string[] {
  return [...plugins.keys()];
}

/**
 * The consumer factory for `stream.streamType`; an unknown type is a `STREAM_CONFIG` error naming
 * it and the supported ones. Also validates the plugin's keys (so a table config can be checked
 * at POST time by building a factory and closing it).
 *
 * @example
 *   const factory = createStreamConsumerFactory(config.stream, { partitionIds });
 */
export function createStreamConsumerFactory(stream: StreamConfig, opts: StreamPluginOptions): StreamConsumerFactory {
  return pluginFor(stream).create(stream, opts);
}
