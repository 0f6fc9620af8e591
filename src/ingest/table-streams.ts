import type { PartitionInfo, StreamIdentity, StreamMetadataProvider } from '../spi/metadata-provider.js';
import type { StreamOffsetFactory } from '../spi/offset.js';
import type { PartitionConsumer } from '../spi/partition-consumer.js';
import type { PartitionIdScheme } from '../spi/partition-id-scheme.js';
import type { ConsumerStart, FetchConcurrency, SnapshotProgress, StreamConsumerFactory } from '../spi/stream-consumer-factory.js';
import type { BoundStream, StreamPluginOptions } from '../spi/stream-plugin.js';
import { PartitionIdStore, partitionIdFile } from './partition-id-store.js';
import { streamIndexOfShard, tableShardIdOf } from './resolved-table.js';
import type { ResolvedTable } from './resolved-table.js';

/** Partition ids one stream of a table with several streams may use (Pinot's stream-index offset). */
export const PARTITIONS_PER_STREAM = 10_000;

/** One stream of a table, with the consumer factory its plugin built for it. */
export interface TableStream {
  readonly topicName: string;
  /** `<streamType>:<topic>`, for messages. */
  readonly label: string;
  readonly factory: StreamConsumerFactory;
}

/** The identity of each stream reachable now (null: its type cannot tell), for the identity guard. */
export interface StreamIdentities {
  identities(): Promise<{ readonly key: string; readonly label: string; readonly identity: StreamIdentity | null }[]>;
}

/**
 * A table's partition ids for stream `k` of `count` (docs/exactly-once.md, "Several streams"):
 * with one stream, the stream's own ids (as ever); with several, Pinot's numbering
 * `k * 10000 + id`. A partition whose own id is 10 000 or more would take another stream's ids, so
 * it is refused with a message naming it (discovery fails for that stream) rather than numbered
 * twice.
 */
export function streamPartitionIds(inner: PartitionIdScheme, k: number, count: number, label: string): PartitionIdScheme {
  if (count === 1) return inner;
  return {
    idFor(streamPartitionId: string): number {
      const own = inner.idFor(streamPartitionId);
      if (own >= PARTITIONS_PER_STREAM) {
        throw new Error(`partition ${streamPartitionId} of stream ${label} has id ${own}; a table with several streams numbers partitions k * ${PARTITIONS_PER_STREAM} + id, so each stream's ids must stay below ${PARTITIONS_PER_STREAM}`);
      }
      return k * PARTITIONS_PER_STREAM + own;
    },
    get changed() {
      return inner.changed;
    },
    markSaved: () => inner.markSaved(),
    toJSON: () => inner.toJSON(),
  };
}

/**
 * The consumer factory of a table with one or more streams. A partition of stream `k > 0` is
 * known to ingestion by the table-wide shard id `<topic>/<shardId>` (its parents too), so
 * checkpoints, status, metrics and segment footers name the stream; the first stream's partitions
 * keep their own ids, so a table that had one stream reads its segments as before. Calls for a
 * partition go to its stream's factory with the stream's own ids. With one stream this is that
 * stream's factory, unchanged.
 */
export class TableStreamsFactory implements StreamConsumerFactory {
  readonly offsetFactory: StreamOffsetFactory;

  constructor(private readonly streams: readonly TableStream[]) {
    // One stream type per table (validated), so one offset rule.
    this.offsetFactory = streams[0]!.factory.offsetFactory;
    if (streams.some((s) => s.factory.fetchConcurrency !== undefined)) this.fetchConcurrency = () => sumConcurrency(streams);
    const first = streams[0]!.factory;
    if (first.snapshotProgress !== undefined) this.snapshotProgress = (positionOf) => first.snapshotProgress!(positionOf);
  }

  /** The snapshot load's progress (a stream type with a snapshot load is its table's only stream). */
  readonly snapshotProgress?: (positionOf: (shardId: string) => string | null) => SnapshotProgress;

  /** Fetches in flight, summed over the streams' caps (each stream has its own). */
  readonly fetchConcurrency?: () => FetchConcurrency;

  get fetchTimeoutMs(): number {
    return Math.max(...this.streams.map((s) => s.factory.fetchTimeoutMs));
  }

  get discoveryIntervalMs(): number {
    return Math.min(...this.streams.map((s) => s.factory.discoveryIntervalMs));
  }

  get initialPositionDescription(): string {
    return this.streams[0]!.factory.initialPositionDescription;
  }

  initialPositionFor(partition: PartitionInfo): string {
    const { stream, own } = this.route(partition);
    return stream.factory.initialPositionFor?.(own) ?? stream.factory.initialPositionDescription;
  }


  /**
   * Lists every stream; a listing fails when any stream's does (a stream missing from a listing
   * would look like expired shards). Readers already running are not affected.
   */
  createMetadataProvider(): StreamMetadataProvider & StreamIdentities {
    const providers = this.streams.map((s) => s.factory.createMetadataProvider());
    const streams = this.streams;
    return {
      async listPartitions(): Promise<PartitionInfo[]> {
        const listed = await Promise.all(providers.map((p) => p.listPartitions()));
        return listed.flatMap((partitions, k) => partitions.map((p) => (k === 0 ? p : tableWide(p, k, streams[k]!.topicName))));
      },
      async identities() {
        return Promise.all(providers.map(async (p, k) => ({ key: String(k), label: streams[k]!.label, identity: p.streamIdentity ? await p.streamIdentity() : null })));
      },
      async close(): Promise<void> {
        await Promise.all(providers.map((p) => p.close()));
      },
    };
  }

  /** `<streamType>:<topic>` of the stream a table-wide shard id belongs to. */
  labelOf(tableShardId: string): string {
    return this.streams[streamIndexOfShard(this.streams, tableShardId)]!.label;
  }

  createPartitionConsumer(partition: PartitionInfo, options?: ConsumerStart): PartitionConsumer {
    const { stream, own } = this.route(partition);
    return stream.factory.createPartitionConsumer(own, options);
  }

  async close(): Promise<void> {
    await Promise.all(this.streams.map((s) => s.factory.close()));
  }

  private route(partition: PartitionInfo): { stream: TableStream; own: PartitionInfo } {
    const k = streamIndexOfShard(this.streams, partition.shardId);
    const stream = this.streams[k]!;
    if (k === 0) return { stream, own: partition };
    const strip = (id: string): string => id.slice(stream.topicName.length + 1);
    return { stream, own: Object.freeze({ ...partition, shardId: strip(partition.shardId), parentShardIds: Object.freeze(partition.parentShardIds.map(strip)) }) };
  }
}

function sumConcurrency(streams: readonly TableStream[]): FetchConcurrency {
  const all = streams.map((s) => s.factory.fetchConcurrency?.()).filter((c): c is FetchConcurrency => c !== undefined);
  const sum = (f: (c: FetchConcurrency) => number): number => all.reduce((n, c) => n + f(c), 0);
  return { limit: sum((c) => c.limit), inFlight: sum((c) => c.inFlight), maxInFlight: sum((c) => c.maxInFlight), waiting: sum((c) => c.waiting) };
}

function tableWide(p: PartitionInfo, k: number, topicName: string): PartitionInfo {
  return Object.freeze({
    ...p,
    shardId: tableShardIdOf(k, topicName, p.shardId),
    parentShardIds: Object.freeze(p.parentShardIds.map((id) => tableShardIdOf(k, topicName, id))),
  });
}

/**
 * Builds a table's streams for one runtime: each stream's partition-id scheme loaded from its
 * file (`partitionIdFile(k)`), numbered by {@link streamPartitionIds}, and its consumer factory
 * from `build` (the plugin's, or a test's wrapper).
 */
export async function openTableStreams(
  table: ResolvedTable,
  tableDir: string,
  build: (stream: BoundStream, opts: StreamPluginOptions) => StreamConsumerFactory,
): Promise<{ readonly factory: TableStreamsFactory; readonly idStores: readonly PartitionIdStore[] }> {
  const idStores: PartitionIdStore[] = [];
  const parts: TableStream[] = [];
  const count = table.streams.length;
  for (const [k, s] of table.streams.entries()) {
    const store = await PartitionIdStore.load(tableDir, s.stream.plugin, partitionIdFile(k));
    const label = `${table.config.streams[k]!.streamType}:${s.topicName}`;
    idStores.push(store);
    parts.push({ topicName: s.topicName, label, factory: build(s.stream, { partitionIds: streamPartitionIds(store.scheme, k, count, label), tableName: table.config.tableName }) });
  }
  return { factory: new TableStreamsFactory(parts), idStores };
}

/**
 * The partition ids of the streams with the given keys (their index in the config, as text), among
 * the partitions `named` (segments, ledger entries, checkpoints), ascending.
 */
export function partitionsOfStreams(
  streams: readonly { readonly topicName: string }[],
  named: readonly { readonly shardId: string; readonly partitionId: number }[],
): (keys: ReadonlySet<string>) => number[] {
  return (keys) => [...new Set(named.filter((n) => keys.has(String(streamIndexOfShard(streams, n.shardId)))).map((n) => n.partitionId))].sort((a, b) => a - b);
}
