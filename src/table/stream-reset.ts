import { ShardtableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResetStart, StreamResetResult, TableRuntime } from '../ingest/table-runtime.js';
import type { TableEntry } from './table-entry.js';
import type { TableLauncher } from './table-launcher.js';

/**
 * A stream reset of one table (docs/operations.md, "A recreated stream"), run inside the table's
 * mutation queue: the runtime commits the reset and retires the old stream's segments, then the
 * table gets a new runtime on the same data dir, which records nothing old and reads the new
 * stream from `consumeFrom`. The new runtime does not wait for the stream: the reset is committed
 * whatever happens next, and a stream that cannot be listed is retried as at boot.
 */
export async function resetTableStream(entry: TableEntry, runtime: TableRuntime, consumeFrom: ResetStart, launcher: TableLauncher, log: Logger): Promise<StreamResetResult> {
  const { config } = entry.table;
  const result = (await runtime.resetStream?.(consumeFrom)) ?? null;
  if (result === null) {
    const recorded = runtime.status?.().streamIdentity?.recorded ?? {};
    const streams = config.streams.map((s, k) => {
      const r = recorded[String(k)];
      return `${s.streamType}:${s.topicName} (${r ? `${r.id}, created ${new Date(r.createdAtMs).toISOString()}` : 'identity not recorded'})`;
    });
    throw new ShardtableError('STREAM_NOT_RECREATED', { streams: streams.join(', '), table: config.tableName });
  }
  await launcher.stop(entry);
  await launcher.launch(entry, { onFailure: 'record' }, { waitForStream: false });
  log.warn({ table: config.tableName, streams: result.streams.map((s) => s.label), consumeFrom, partitionsRetired: result.partitionsRetired }, 'stream reset: reading the new stream');
  return result;
}
