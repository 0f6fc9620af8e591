import type { TableIngestion } from '../../src/ingest/index.js';
import { createStreamConsumerFactory } from '../../src/plugins/stream/registry.js';
import { parseLlcSegmentName } from '../../src/segment/index.js';
import type { SegmentSummary } from '../../src/segment/index.js';
import type { StreamOffset } from '../../src/spi/offset.js';
import type { PartitionConsumer } from '../../src/spi/partition-consumer.js';
import type { StreamConsumerFactory } from '../../src/spi/stream-consumer-factory.js';
import type { BoundStream, StreamPluginOptions } from '../../src/spi/stream-plugin.js';

/**
 * TEST ONLY. Stream consumer doubles (a trimmed shard, a fetch that never answers) wrapped around
 * the real plugin's consumers, and views of a table's chain of sealed segments, for the tests of
 * missing and damaged segments.
 */

export type Factory = (stream: BoundStream, opts: StreamPluginOptions) => StreamConsumerFactory;

/** Wraps every partition consumer the table makes (the repair's too) for one shard. */
export function wrapConsumers(shardId: string, wrap: (real: PartitionConsumer) => PartitionConsumer): Factory {
  return (stream, opts) => {
    const real = createStreamConsumerFactory(stream, opts);
    return Object.assign(Object.create(real) as StreamConsumerFactory, {
      createPartitionConsumer(partition: Parameters<StreamConsumerFactory['createPartitionConsumer']>[0], options?: { fromOldest?: boolean }): PartitionConsumer {
        const consumer = real.createPartitionConsumer(partition, options);
        return partition.shardId === shardId ? wrap(consumer) : consumer;
      },
    });
  };
}

/** Test double for retention: the shard's records before `trimmedBefore` are no longer in the stream. */
export function trimmedShardFactory(shardId: string, parseOffset: (text: string) => StreamOffset, trimmedBefore: string): Factory {
  const trim = parseOffset(trimmedBefore);
  return wrapConsumers(shardId, (real) => ({
    async fetchMessages(after, timeoutMs) {
      let position = after;
      for (;;) {
        const batch = await real.fetchMessages(position, timeoutMs);
        const visible = batch.messages.filter((m) => m.offset.compareTo(trim) >= 0);
        if (visible.length > 0 || batch.messages.length === 0 || batch.endOfPartition) return { ...batch, messages: visible };
        position = batch.messages[batch.messages.length - 1]!.offset;
      }
    },
    close: () => real.close(),
  }));
}

/** Test double: fetches strictly after `stuckAfter` never answer (a repair that is still reading). */
export function stuckAfterFactory(shardId: string, stuckAfter: string): Factory {
  return wrapConsumers(shardId, (real) => ({
    fetchMessages: (after, timeoutMs) => (after?.toString() === stuckAfter ? new Promise(() => undefined) : real.fetchMessages(after, timeoutMs)),
    close: () => real.close(),
  }));
}

/** Sealed segments per shard, in LLC sequence order. */
export function segmentsByShard(runtime: TableIngestion): Map<string, SegmentSummary[]> {
  const out = new Map<string, SegmentSummary[]>();
  for (const s of runtime.segments()) out.set(s.shardId, [...(out.get(s.shardId) ?? []), s]);
  for (const list of out.values()) list.sort((a, b) => parseLlcSegmentName(a.segmentName)!.sequence - parseLlcSegmentName(b.segmentName)!.sequence);
  return out;
}

/** Every sealed segment that is not the newest of its shard, by partition then sequence. */
export function middleSegments(runtime: TableIngestion): SegmentSummary[] {
  return [...segmentsByShard(runtime).values()].flatMap((list) => list.slice(0, -1)).sort((a, b) => a.partitionId - b.partitionId || parseLlcSegmentName(a.segmentName)!.sequence - parseLlcSegmentName(b.segmentName)!.sequence);
}
