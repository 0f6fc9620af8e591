import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'vitest';
import { waitForStreamStatus } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { expectExactlyOnce, idCounts, waitFor } from './table-rows.js';

/** Splits `shardId` of `stream` at `newStartingHashKey` (default: the middle) and waits for ACTIVE. */
export async function splitShard(client: KinesisClient, stream: string, shardId = 'shardId-000000000000', newStartingHashKey = 2n ** 127n): Promise<void> {
  await client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: newStartingHashKey.toString() }));
  await waitForStreamStatus(client, stream, 'ACTIVE');
}

/**
 * A table reading a 1-shard `stream` that holds ids 0..29: once it has them, the shard is split
 * and `put` writes ids 30..59 (into the children). Then every id is in the table once, the
 * parent's segments hold its 30 rows and the last one ends the shard, the parent's partition is
 * ENDED, and there are three partitions (parent and two children).
 */
export async function expectSplitReadThrough(client: KinesisClient, stream: string, runtime: TableIngestion, put: (from: number, count: number) => Promise<unknown>): Promise<void> {
  await waitFor('30 rows', () => idCounts(runtime).size === 30);
  await splitShard(client, stream);
  await put(30, 30);
  await waitFor('60 rows', () => idCounts(runtime).size === 60);
  expectExactlyOnce(runtime, 60);
  const parent = runtime.segments().filter((s) => s.shardId === 'shardId-000000000000');
  expect(parent.at(-1)?.endOfShard).toBe(true);
  expect(parent.reduce((n, s) => n + s.numDocs, 0)).toBe(30);
  const states = Object.fromEntries(runtime.partitions().map((p) => [p.shardId, p.state]));
  expect(states['shardId-000000000000']).toBe('ENDED');
  expect(Object.keys(states)).toHaveLength(3);
}
