import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { StreamConsumerFactory } from '../spi/stream-consumer-factory.js';
import type { StreamStatusWords } from '../spi/stream-plugin.js';
import type { ShardCheckpoint } from './checkpoints.js';
import type { ResetStart } from './stream-identity-store.js';

/** Where a partition's reader starts: the consumer's options and, for status, in words. */
export interface StartPosition {
  readonly consumerOptions: { readonly fromOldest: boolean; readonly fromLatest: boolean };
  readonly startedFrom: string;
}

/**
 * Where a partition starts, first rule that applies:
 * 1. after its checkpoint (its last sealed segment's end);
 * 2. a child of a shard this table read to its end continues that shard's records: at its oldest
 *    record whatever the table's `shardIteratorType`, or LATEST would skip records;
 * 3. after a stream reset, where the reset said (`smallest` = oldest, `largest` = newest);
 * 4. the table's configured starting position.
 */
export function startPositionOf(
  partition: PartitionInfo,
  checkpoint: ShardCheckpoint | undefined,
  context: { readonly ended: ReadonlySet<string>; readonly resetStart: ResetStart | undefined; readonly factory: StreamConsumerFactory; readonly words: StreamStatusWords },
): StartPosition {
  const { ended, resetStart, factory, words } = context;
  const after = checkpoint?.after ?? null;
  const afterParents = partition.parentShardIds.some((parent) => ended.has(parent));
  const reset = afterParents ? undefined : resetStart;
  return {
    consumerOptions: { fromOldest: afterParents || reset === 'smallest', fromLatest: reset === 'largest' },
    startedFrom: after
      ? words.resumedAfter(after.toString())
      : afterParents
        ? words.childFromOldest
        : reset !== undefined
          ? `stream reset: consumeFrom=${reset}`
          : (factory.initialPositionFor?.(partition) ?? factory.initialPositionDescription),
  };
}
