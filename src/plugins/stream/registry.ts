import type { StreamConfig } from '../../config/table-config.js';
import type { TableValidationOptions } from '../../config/table-config-validation.js';
import { ShardtableError } from '../../errors.js';
import type { BoundStream, StreamParseContext, StreamPlugin, StreamPluginOptions } from '../../spi/stream-plugin.js';
import type { StreamConsumerFactory } from '../../spi/stream-consumer-factory.js';
import { dynamoDbPlugin } from './dynamodb/dynamodb-plugin.js';
import { kinesisPlugin } from './kinesis/kinesis-plugin.js';

/**
 * Every stream type this build reads: the only list of them. Adding one is a folder
 * `src/plugins/stream/<type>/` exporting a `StreamPlugin`, one line here, and its keys in
 * docs/config.md (docs/architecture.md, "Adding a stream type").
 */
const PLUGINS: ReadonlyMap<string, StreamPlugin> = new Map<string, StreamPlugin>([
  [kinesisPlugin.streamType, kinesisPlugin as StreamPlugin],
  [dynamoDbPlugin.streamType, dynamoDbPlugin as StreamPlugin],
]);

/**
 * What the config layer needs to know of the stream types (it imports no plugin): their names,
 * the source key of those not named by `topic.name`, and those that order changes themselves.
 */
export function streamValidationOptions(): TableValidationOptions {
  const plugins = [...PLUGINS.values()];
  return Object.freeze({
    streamTypes: supportedStreamTypes(),
    topicKeys: Object.freeze(Object.fromEntries(plugins.filter((p) => p.topicKey !== undefined).map((p) => [p.streamType, p.topicKey!]))),
    orderedStreamTypes: plugins.filter((p) => p.ordersChanges === true).map((p) => p.streamType),
  });
}

/** The `streamType` values this build supports. */
export function supportedStreamTypes(): string[] {
  return [...PLUGINS.keys()];
}

/**
 * The plugin for a `streamType` (trimmed, any case), or a `STREAM_CONFIG` error naming it and the
 * supported types.
 */
export function streamPluginFor(streamType: string): StreamPlugin {
  const plugin = PLUGINS.get(streamType.trim().toLowerCase());
  if (plugin === undefined) {
    throw new ShardtableError('STREAM_CONFIG', {
      detail: `streamType ${JSON.stringify(streamType)} is not supported; supported: ${supportedStreamTypes().join(', ')}`,
    });
  }
  return plugin;
}

/**
 * Binds a table's stream config to its plugin and parses the plugin's keys, once, without
 * connecting. Throws `STREAM_CONFIG` naming an unknown type or each bad key.
 *
 * @example const stream = bindStream(config.stream, { tableName: config.tableName });
 */
export function bindStream(stream: StreamConfig, context: StreamParseContext): BoundStream {
  const plugin = streamPluginFor(stream.streamType);
  return Object.freeze({ plugin, settings: plugin.parse(stream, context) });
}

/** The consumer factory of a bound stream (what ingestion calls when a table's runtime starts). */
export function createStreamConsumerFactory(stream: BoundStream, options: StreamPluginOptions): StreamConsumerFactory {
  return stream.plugin.createConsumerFactory(stream.settings, options);
}
