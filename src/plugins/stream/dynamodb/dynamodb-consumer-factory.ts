import type { PartitionInfo, StreamMetadataProvider } from '../../../spi/metadata-provider.js';
import type { StreamOffsetFactory } from '../../../spi/offset.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import type { PartitionIdScheme } from '../../../spi/partition-id-scheme.js';
import type { ConsumerStart, SnapshotProgress, StreamConsumerFactory } from '../../../spi/stream-consumer-factory.js';
import { CapacityBudget } from './dynamodb-capacity-budget.js';
import type { BudgetClock } from './dynamodb-capacity-budget.js';
import { createDynamoDbClients } from './dynamodb-clients.js';
import type { DynamoDbClients } from './dynamodb-clients.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { readExportManifest, sdkGetObject } from './dynamodb-export.js';
import type { ExportManifest, GetObject } from './dynamodb-export.js';
import { DynamoDbExportConsumer } from './dynamodb-export-consumer.js';
import { loadCounts, percentOf } from './dynamodb-load-progress.js';
import { dynamoDbOffsetFactory } from './dynamodb-offset.js';
import { scanSegmentOf } from './dynamodb-partition-id.js';
import { DynamoDbScanConsumer, sdkScanCall } from './dynamodb-scan-consumer.js';
import type { ScanCall } from './dynamodb-scan-consumer.js';
import { DynamoDbMetadataProvider } from './dynamodb-shards.js';
import { describeSourceTable } from './dynamodb-source.js';
import type { SourceTable } from './dynamodb-source.js';
import { DynamoDbStreamConsumer } from './dynamodb-stream-consumer.js';
import { sdkStreamsApi } from './dynamodb-streams-api.js';
import type { DynamoDbStreamsApi } from './dynamodb-streams-api.js';

export interface DynamoDbFactoryOptions {
  readonly partitionIds: PartitionIdScheme;
  readonly tableName: string;
  /** Test seams: an in-process double of the Streams API, a scan double, a fake clock. */
  readonly streamsApi?: DynamoDbStreamsApi;
  readonly scan?: ScanCall;
  readonly getObject?: GetObject;
  readonly describe?: () => Promise<SourceTable>;
  readonly budgetClock?: BudgetClock;
}

/**
 * The DynamoDB `StreamConsumerFactory` of one table runtime: one pair of clients, one
 * description of the DynamoDB table (refreshed by every listing), one read-capacity budget for
 * the whole initial load; scan segments and stream shards are its partitions
 * (`dynamodb-shards.ts`). `close()` destroys the clients.
 */
export class DynamoDbConsumerFactory implements StreamConsumerFactory {
  readonly offsetFactory: StreamOffsetFactory = dynamoDbOffsetFactory;
  private readonly clients: DynamoDbClients | undefined;
  private readonly api: DynamoDbStreamsApi;
  private readonly scan: ScanCall;
  private readonly budget: CapacityBudget;
  private readonly getObject: GetObject;
  private manifest: Promise<ExportManifest> | undefined;
  private described: Promise<SourceTable> | undefined;
  private lastDescribed: SourceTable | undefined;

  constructor(readonly config: DynamoDbConfig, private readonly opts: DynamoDbFactoryOptions) {
    const needClients = opts.streamsApi === undefined || opts.scan === undefined || opts.describe === undefined;
    this.clients = needClients ? createDynamoDbClients(config, opts.tableName) : undefined;
    this.api = opts.streamsApi ?? sdkStreamsApi(this.clients!.streams);
    this.scan = opts.scan ?? sdkScanCall(this.clients!.dynamodb);
    this.getObject = opts.getObject ?? ((bucket, key, signal) => sdkGetObject(this.clients!.s3)(bucket, key, signal));
    this.budget = new CapacityBudget(config.scanRcuLimit, opts.budgetClock);
  }

  get fetchTimeoutMs(): number {
    return this.config.fetchTimeoutMs;
  }

  get discoveryIntervalMs(): number {
    return this.config.discoveryIntervalMs;
  }

  get initialPositionDescription(): string {
    return this.config.initialLoad !== 'none' ? 'TRIM_HORIZON (after the initial load)' : this.config.shardIteratorType;
  }

  initialPositionFor(partition: PartitionInfo): string {
    const segment = scanSegmentOf(partition.shardId);
    if (segment !== undefined && this.config.initialLoad === 'export') return `export ${this.config.export!.exportId}: data files ${segment}, ${segment} + ${this.config.scanSegments}, ... from the start`;
    if (segment !== undefined) return `scan segment ${segment} of ${this.config.scanSegments} from its start`;
    return this.initialPositionDescription;
  }

  snapshotProgress(positionOf: (shardId: string) => string | null): SnapshotProgress {
    const itemCount = this.exportItems ?? this.lastDescribed?.itemCount ?? 0;
    const segments = this.config.initialLoad !== 'none' ? this.config.scanSegments : 0;
    const counts = loadCounts(segments, positionOf);
    return {
      ...counts,
      capacityLimitPerSecond: this.config.scanRcuLimit,
      sourceItemCount: itemCount,
      percent: percentOf(counts.items, itemCount),
    };
  }

  /** The export's item count (its manifest's), once read: the load's 100 %. */
  private exportItems: number | undefined;

  /** The export's manifests, read once per runtime (the first listing checks them: a 400 at POST). */
  private exportManifest = (): Promise<ExportManifest> => {
    this.manifest ??= this.source()
      .then((table) => readExportManifest(this.getObject, this.config, table, Date.now()))
      .then((m) => {
        this.exportItems = m.itemCount;
        return m;
      })
      .catch((err: unknown) => {
        this.manifest = undefined;
        throw err;
      });
    return this.manifest;
  };

  /** The DynamoDB table's description: the last listing's, or a fresh DescribeTable. */
  private source = (signal?: AbortSignal): Promise<SourceTable> => {
    this.described ??= this.describeNow(signal).catch((err: unknown) => {
      this.described = undefined;
      throw err;
    });
    return this.described;
  };

  private async describeNow(signal?: AbortSignal): Promise<SourceTable> {
    const table = this.opts.describe !== undefined ? await this.opts.describe() : await describeSourceTable(this.clients!, this.config, signal);
    this.lastDescribed = table;
    return table;
  }

  createMetadataProvider(): StreamMetadataProvider {
    return new DynamoDbMetadataProvider(this.api, this.config, async (signal) => {
      // Every listing describes the table again (a stream re-enabled gets a new ARN).
      this.described = this.describeNow(signal);
      const table = await this.described;
      if (this.config.initialLoad === 'export') await this.exportManifest();
      return table;
    }, this.opts.partitionIds);
  }

  createPartitionConsumer(partition: PartitionInfo, options: ConsumerStart = {}): PartitionConsumer {
    const source = () => this.source();
    const segment = scanSegmentOf(partition.shardId);
    if (segment !== undefined && this.config.initialLoad === 'export') {
      return new DynamoDbExportConsumer({ get: this.getObject, config: this.config, segment, manifest: this.exportManifest, source });
    }
    if (segment !== undefined) {
      return new DynamoDbScanConsumer({ scan: this.scan, config: this.config, segment, source, budget: this.budget });
    }
    return new DynamoDbStreamConsumer({ api: this.api, config: this.config, shardId: partition.shardId, source, fromOldest: options.fromOldest === true, fromLatest: options.fromLatest === true });
  }

  async close(): Promise<void> {
    this.clients?.destroy();
  }
}
