import type { StreamConfig } from '../../config/table-config.js';
import { ShardtableError } from '../../errors.js';
import type { BoundStream, StreamPlugin, StreamPluginOptions } from '../../spi/stream-plugin.js';
import type { StreamConsumerFactory } from '../../spi/stream-consumer-factory.js';
import { kinesisPlugin } from './kinesis/kinesis-plugin.js';

/**
 * Every stream type this build reads: the only list of them. Adding one is a folder
 * `src/plugins/stream/<type>/` exporting a `StreamPlugin`, one line here, and its keys in
 * docs/config.md (docs/architecture.md, "Adding a stream type").
 */
const PLUGINS: ReadonlyMap<string, StreamPlugin> = new Map<string, StreamPlugin>([
  [kinesisPlugin.streamType, kinesisPlugin as StreamPlugin],
]);

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
export function bindStream(stream: StreamConfig, context: { readonly tableName: string }): BoundStream {
  const plugin = streamPluginFor(stream.streamType);
  return Object.freeze({ plugin, settings: plugin.parse(stream, context) });
}

/** The consumer factory of a bound stream (what ingestion calls when a table's runtime starts). */
export function createStreamConsumerFactory(stream: BoundStream, options: StreamPluginOptions): StreamConsumerFactory {
  return stream.plugin.createConsumerFactory(stream.settings, options);
}
