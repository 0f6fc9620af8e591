import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { PartitionInfo, StreamMetadataProvider } from '../../../spi/metadata-provider.js';
import type { StreamOffsetFactory } from '../../../spi/offset.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import type { ConsumerStart, StreamConsumerFactory } from '../../../spi/stream-consumer-factory.js';
import { createEfoClient, createKinesisClient } from './kinesis-client.js';
import { initialPositionFor } from './kinesis-config.js';
import type { KinesisConfig } from './kinesis-config.js';
import { KinesisPartitionConsumer } from './kinesis-consumer.js';
import { KinesisEfoPartitionConsumer } from './kinesis-efo-consumer.js';
import { registerStreamConsumer } from './kinesis-efo-registration.js';
import type { EfoRegistration } from './kinesis-efo-registration.js';
import { FetchSemaphore } from './kinesis-fetch-budget.js';
import type { FetchConcurrencyStats } from './kinesis-fetch-budget.js';
import { kinesisOffsetFactory } from './kinesis-offset.js';
import { sharedShardRateLimiter, systemClock } from './kinesis-rate-limiter.js';
import type { Clock, ShardRateLimiter } from './kinesis-rate-limiter.js';
import { KinesisMetadataProvider } from './kinesis-shards.js';
import type { PartitionIdResolver } from './kinesis-shards.js';

export interface KinesisConsumerFactoryOptions {
  /** Shard id → partition id (a `PartitionIdMap` the table persists). */
  readonly partitionIds: PartitionIdResolver;
  /** Use this client instead of building one (it is then not destroyed by `close()`). */
  readonly client?: KinesisClient;
  /** GetRecords spacing per shard; default the process-wide limiter shared by all tables. */
  readonly rateLimiter?: ShardRateLimiter;
  readonly clock?: Clock;
  /** ListShards page size (default 1000). */
  readonly listShardsPageSize?: number;
  /** The table's name, for the default assume-role session name `shardtable-<table>`. */
  readonly tableName?: string;
}

/**
 * The Kinesis `StreamConsumerFactory`: one `KinesisClient` per factory (per table), shared by its
 * metadata provider and every partition consumer; `close()` destroys it.
 *
 * @example
 *   const factory = new KinesisConsumerFactory(parseKinesisConfig(tableConfig.stream), { partitionIds });
 *   const [first] = await factory.createMetadataProvider().listPartitions();
 *   const batch = await factory.createPartitionConsumer(first).fetchMessages(null, factory.fetchTimeoutMs);
 */
export class KinesisConsumerFactory implements StreamConsumerFactory {
  readonly offsetFactory: StreamOffsetFactory = kinesisOffsetFactory;
  readonly client: KinesisClient;
  private readonly ownsClient: boolean;
  private readonly rateLimiter: ShardRateLimiter;
  private readonly clock: Clock;
  /** The table's cap on fetches in flight (`stream.kinesis.max.concurrent.fetches`), FIFO. */
  readonly fetchSemaphore: FetchSemaphore;
  /** Enhanced fan-out: the HTTP/2 client and the table's consumer registration, made on first use. */
  private efoClient: KinesisClient | undefined;
  private registration: Promise<EfoRegistration> | undefined;

  constructor(readonly config: KinesisConfig, private readonly opts: KinesisConsumerFactoryOptions) {
    this.ownsClient = opts.client === undefined;
    this.client = opts.client ?? createKinesisClient(this.config, opts.tableName !== undefined ? { tableName: opts.tableName } : {});
    this.rateLimiter = opts.rateLimiter ?? sharedShardRateLimiter;
    this.clock = opts.clock ?? systemClock;
    this.fetchSemaphore = new FetchSemaphore(this.config.maxConcurrentFetches);
  }

  fetchConcurrency(): FetchConcurrencyStats {
    return this.fetchSemaphore.stats();
  }

  get fetchTimeoutMs(): number {
    return this.config.fetchTimeoutMs;
  }

  get discoveryIntervalMs(): number {
    return this.config.discoveryIntervalMs;
  }

  get initialPositionDescription(): string {
    return this.config.initialPositionDescription;
  }

  initialPositionFor(partition: PartitionInfo): string {
    return initialPositionFor(this.config, partition.shardId);
  }

  createMetadataProvider(): StreamMetadataProvider {
    return new KinesisMetadataProvider(this.client, this.config.streamName, this.opts.partitionIds, {
      timeoutMs: this.config.metadataTimeoutMs,
      ...(this.opts.listShardsPageSize !== undefined ? { pageSize: this.opts.listShardsPageSize } : {}),
    });
  }

  createPartitionConsumer(partition: PartitionInfo, options: ConsumerStart = {}): PartitionConsumer {
    const efo = this.config.efo;
    if (efo === undefined) return this.pollingConsumer(partition, options);
    return new KinesisEfoPartitionConsumer({
      ...options,
      client: (this.efoClient ??= this.opts.client ?? createEfoClient(this.config, efo.subscriptionMs, this.opts.tableName !== undefined ? { tableName: this.opts.tableName } : {})),
      config: this.config,
      efo,
      shardId: partition.shardId,
      clock: this.clock,
      // One registration per table run, shared by its shards; a failure is kept (every shard polls).
      registration: () => (this.registration ??= registerStreamConsumer(this.client, this.config.streamName, efo, this.clock)),
      polling: () => this.pollingConsumer(partition, options),
      endProbeIntervalMs: this.config.discoveryIntervalMs,
    });
  }

  private pollingConsumer(partition: PartitionInfo, options: ConsumerStart): PartitionConsumer {
    return new KinesisPartitionConsumer({
      fromOldest: options.fromOldest === true,
      fromLatest: options.fromLatest === true,
      ...(options.atTimestampMs !== undefined ? { atTimestampMs: options.atTimestampMs } : {}),
      client: this.client,
      config: this.config,
      shardId: partition.shardId,
      rateLimiter: this.rateLimiter,
      rateLimitKey: `${this.config.endpoint ?? 'aws'}|${this.config.region ?? ''}|${this.config.streamName}|${partition.shardId}`,
      clock: this.clock,
      concurrency: this.fetchSemaphore,
    });
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
    if (this.ownsClient) this.efoClient?.destroy();
  }
}
