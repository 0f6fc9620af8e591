import { mkdir, rm } from 'node:fs/promises';
import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import { summarizeSegment } from '../segment/index.js';
import type { ConsumingSegment, QueryableSegments, SealedSegment } from '../segment/index.js';
import type { PartitionInfo, StreamMetadataProvider } from '../spi/metadata-provider.js';
import type { StreamConsumerFactory } from '../spi/stream-consumer-factory.js';
import type { BoundStream, StreamPluginOptions } from '../spi/stream-plugin.js';
import type { SegmentSummary } from '../segment/index.js';
import type { RuntimeStartOptions, TableRuntime } from './table-runtime.js';
import type { ShardCheckpoint } from './checkpoints.js';
import { GapRepairs } from './gap-repairs.js';
import type { SealedLedger } from './sealed-ledger.js';
import { KeyedTable, lineageOf } from './keyed-table.js';
import { ledgerEntryOf, recoverTable } from './table-recovery.js';
import type { RecoveredTable } from './table-recovery.js';
import { PartitionIngester } from './partition-ingester.js';
import { PartitionIdStore } from './partition-id-store.js';
import type { ResolvedTable } from './resolved-table.js';
import type { PartitionStatus } from './partition-status.js';
import type { DataLossEntry, TableIngestionStatus } from './table-ingestion-status.js';
import { StreamLink } from './stream-link.js';
import { deleteSealedSegment, reloadSealedSegments } from './sealed-segment-ops.js';
import type { SealedSegmentsHolder, SegmentDeleteResult, SegmentReloadReport } from './sealed-segment-ops.js';
import { allPartitionsFinished } from './ingest-bound.js';
import { expiredShards } from './expired-shards.js';
import { idlePartitionStatus } from './partition-status.js';
import type { IngestBound } from './ingest-bound.js';
import { tableUpkeep } from './sealed-upkeep.js';
import type { SealedUpkeep } from './sealed-upkeep.js';
import { compareSegments, sealedSegmentMetadata } from './sealed-segment-ops.js';

export interface TableIngestionOptions {
  /** The table, resolved once at admission (stream bound to its plugin, decoder, transforms). */
  readonly table: ResolvedTable;
  readonly tableDir: string;
  readonly logger: Logger;
  /**
   * Builds the stream's consumer factory; default: the table's stream plugin. Tests wrap the real
   * one (e.g. a metadata provider that stops listing a shard, standing in for retention expiry).
   */
  readonly streamFactory?: (stream: BoundStream, opts: StreamPluginOptions) => StreamConsumerFactory;
  /** Sees lineage events in the order they happen (a partition started, a segment published). */
  readonly onEvent?: (event: IngestionEvent) => void;
  /** A bounded run (`ingest --once`): every partition stops at this bound; see {@link boundReached}. */
  readonly bound?: IngestBound;
  /** The clock retention compares segment times with (default `Date.now`; tests inject a fake one). */
  readonly clock?: () => number;
  /** Time between retention checks (default `RETENTION_INTERVAL_MS`). */
  readonly retentionIntervalMs?: number;
}

/**
 * What the table runtime did, in order: a partition's consumer started (after its parents ended),
 * or a segment file was published (the commit). Tests use it to prove parents seal first.
 */
export type IngestionEvent =
  | { readonly kind: 'partitionStarted'; readonly shardId: string; readonly parentShardIds: readonly string[]; readonly atMs: number }
  | { readonly kind: 'segmentSealed'; readonly shardId: string; readonly segmentName: string; readonly endOfShard: boolean; readonly atMs: number }
  | { readonly kind: 'dataLoss'; readonly entry: DataLossEntry };

/**
 * The live side of one realtime table (`TableRuntime`): recovers sealed segments, discovers the
 * stream's shards on an interval, runs one `PartitionIngester` per shard, and starts a shard's
 * children only after every parent has been read to its end and sealed.
 */
export class TableIngestion implements TableRuntime {
  readonly schema: TableSchema;
  readonly config: TableConfig;
  private readonly table: ResolvedTable;
  private readonly tableDir: string;
  private readonly logger: Logger;
  private sealed: SealedSegment[] = [];
  private checkpoints = new Map<string, ShardCheckpoint>();
  private readonly known = new Map<string, PartitionInfo>();
  private readonly ingesters = new Map<string, PartitionIngester>();
  private readonly ended = new Set<string>();
  private factory: StreamConsumerFactory | null = null;
  private metadata: StreamMetadataProvider | null = null;
  private partitionIds: PartitionIdStore | null = null;
  private discoveryTimer: NodeJS.Timeout | null = null;
  private discovering: Promise<void> | null = null;
  private paused = false;
  private stopped = false;
  private quarantined: { file: string; reason: string }[] = [];
  private upkeep: SealedUpkeep | null = null;
  private ledger: SealedLedger | null = null;
  private repairs: GapRepairs | null = null;
  private readonly dataLoss = new Map<string, DataLossEntry>();
  private discoveryInfo = { lastListedAtMs: null as number | null, shardsListed: 0, runs: 0, lastError: null as string | null };
  private readonly streamFactory: NonNullable<TableIngestionOptions['streamFactory']>;
  private readonly onEvent: (event: IngestionEvent) => void;
  private readonly link: StreamLink;
  /** Upsert and dedup tables: the one key map of the table (all shards). */
  private readonly keyed: KeyedTable;
  private readonly bound: IngestBound | undefined;
  private readonly options: TableIngestionOptions;

  constructor(options: TableIngestionOptions) {
    this.options = options;
    this.streamFactory = options.streamFactory ?? ((stream, opts) => stream.plugin.createConsumerFactory(stream.settings, opts));
    this.onEvent = options.onEvent ?? (() => undefined);
    this.table = options.table;
    this.schema = options.table.schema;
    this.config = options.table.config;
    this.tableDir = options.tableDir;
    this.logger = options.logger.child({ table: options.table.config.tableName });
    this.link = new StreamLink(this.logger);
    this.keyed = new KeyedTable(this.schema, this.config);
    this.keyed.setLineage(lineageOf(this.known));
    this.bound = options.bound;
  }

  /**
   * Loads the sealed segments (queryable from then on), then lists the stream's partitions and
   * starts their readers. With `waitForStream: false` the listing runs in the background and is
   * retried with backoff until the stream answers (see {@link RuntimeStartOptions}).
   */
  async start(options: RuntimeStartOptions = {}): Promise<void> {
    await mkdir(this.tableDir, { recursive: true });
    this.partitionIds = await PartitionIdStore.load(this.tableDir, this.table.stream.plugin);
    this.factory = this.streamFactory(this.table.stream, { partitionIds: this.partitionIds.scheme, tableName: this.config.tableName });
    const recovered = await recoverTable(this.tableDir, this.config.tableName, this.factory.offsetFactory, this.logger);
    this.quarantined = [...recovered.quarantined];
    for (const q of recovered.quarantined) this.logger.error(q, 'segment file refused and quarantined');
    this.sealed = [...recovered.sealed].sort(compareSegments);
    // Before any reader starts: the key map is rebuilt from the committed files alone.
    this.keyed.rebuild(this.sealed);
    this.ledger = recovered.ledger;
    this.checkpoints = recovered.checkpoints;
    for (const checkpoint of this.checkpoints.values()) if (checkpoint.ended) this.ended.add(checkpoint.shardId);
    this.startRepairs(recovered.gaps);
    this.startUpkeep();
    this.metadata = this.factory.createMetadataProvider();
    if (options.waitForStream === false) {
      this.link.retryUntilListed(() => this.discover(), () => this.scheduleDiscovery());
      return;
    }
    // The first listing runs before start() returns, so a stream that cannot be read is an error
    // the caller sees (POST /tables answers 400 within the plugin's deadline), not a silent idle table.
    await this.discover();
    this.scheduleDiscovery();
  }

  /** Re-reads the gaps in the shards' chains of sealed segments, beside the normal consumers. */
  private startRepairs(gaps: RecoveredTable['gaps']): void {
    if (gaps.length === 0) return;
    const ledger = this.ledger!;
    this.repairs = new GapRepairs({
      tableDir: this.tableDir,
      schema: this.schema,
      config: this.config,
      factory: this.factory!,
      pipelineFor: (shardId) => this.table.pipelineFor(shardId),
      gaps,
      onSealed: (segment) => {
        this.keyed.repaired(segment);
        this.addSealed(segment);
      },
      onLoss: (entry) => {
        this.dataLoss.set(`${entry.shardId}\u0000${entry.lostRange?.from ?? entry.lastSequenceNumber}`, entry);
        this.onEvent({ kind: 'dataLoss', entry });
      },
      onPartitionDone: (partitionId) => void ledger.release(partitionId),
      logger: this.logger,
    });
    this.repairs.start();
  }

  /** Retention, background checksums and quarantine of files found corrupt while serving. */
  private startUpkeep(): void {
    const offsets = this.factory!.offsetFactory;
    const compareOffsets = (a: string, b: string): number => offsets.parse(a).compareTo(offsets.parse(b));
    this.upkeep = tableUpkeep(this.table, this.sealedHolder(), { ...this.options, compareOffsets }, (entry) => this.quarantined.push(entry));
    this.upkeep.start();
  }

  /** Retention, compaction and checksums of the sealed segments (`runRetention()`, `runCompaction()` run a pass now); null before start. */
  get sealedUpkeep(): SealedUpkeep | null {
    return this.upkeep;
  }

  /** A segment was published: serve it (same tick as the swap) and add it to the ledger. */
  private addSealed(segment: SealedSegment): void {
    this.sealed.push(segment);
    void this.ledger?.record(segment.metadata.partitionId, [ledgerEntryOf(segment)]);
  }

  /** A bounded run is over: no partition reads any more, and none is about to start (a child of ended parents). */
  async boundReached(): Promise<boolean> {
    await this.discovering?.catch(() => undefined);
    return allPartitionsFinished(this.known.values(), this.ingesters, this.ended);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.link.stop();
    if (this.discoveryTimer) clearTimeout(this.discoveryTimer);
    await this.discovering?.catch(() => undefined);
    await this.repairs?.stop();
    await this.upkeep?.stop();
    await Promise.all([...this.ingesters.values()].map((i) => i.stop()));
    // Ledger writes start after each seal without being awaited; none may outlive the runtime
    // (a drop would race them, and a stopped table must leave no file half-written).
    await this.ledger?.flush();
    await this.metadata?.close();
    await this.factory?.close();
    for (const segment of this.sealed) segment.close();
  }

  async drop(): Promise<void> {
    await this.stop();
    await rm(this.tableDir, { recursive: true, force: true });
  }

  segments(): SegmentSummary[] {
    return this.sealed.map((s) => summarizeSegment(s.metadata));
  }

  segmentMetadata(segmentName: string): Record<string, unknown> | undefined {
    return sealedSegmentMetadata(this.sealed, segmentName, this.keyed);
  }

  /** The segments a query reads now: every sealed file and every live consuming segment. */
  queryableSegments(): QueryableSegments {
    const consuming: ConsumingSegment[] = [];
    for (const ingester of this.ingesters.values()) {
      const segment = ingester.consumingSegment;
      if (segment) consuming.push(segment);
    }
    // Upsert tables: live rows frozen in the same synchronous step, one live row per key.
    return this.keyed.queryable([...this.sealed], consuming);
  }


  partitions(): PartitionStatus[] {
    const result: PartitionStatus[] = [];
    for (const partition of this.known.values()) {
      const ingester = this.ingesters.get(partition.shardId);
      if (ingester) {
        result.push(ingester.status());
        continue;
      }
      result.push(idlePartitionStatus(partition, this.ended.has(partition.shardId), this.checkpoints.get(partition.shardId)?.after?.toString() ?? null));
    }
    return result.sort((a, b) => a.partitionId - b.partitionId);
  }

  /** Whether the stream is reached, data loss, shard discovery and fetch concurrency, for `consumingSegmentsInfo`. */
  status(): TableIngestionStatus {
    return {
      ingestion: this.link.status,
      dataLoss: [...this.dataLoss.values()],
      quarantined: [...this.quarantined],
      ...(this.upkeep ? { retention: this.upkeep.status() } : {}),
      ...(this.upkeep?.compactionStatus() ? { compaction: this.upkeep.compactionStatus()! } : {}),
      repairs: this.repairs?.status() ?? [],
      discovery: { intervalMs: this.factory?.discoveryIntervalMs ?? 0, ...this.discoveryInfo },
      fetchConcurrency: this.factory?.fetchConcurrency?.() ?? null,
      ...this.keyed.status(),
    };
  }

  forceCommit(): string[] {
    return [...this.ingesters.values()].flatMap((ingester) => ingester.requestSeal() ?? []);
  }

  deleteSegment(segmentName: string): Promise<SegmentDeleteResult> {
    const remove = (): Promise<SegmentDeleteResult> => deleteSealedSegment(this.sealedHolder(), segmentName);
    return this.upkeep ? this.upkeep.serial(remove) : remove();
  }

  reloadSegments(): Promise<SegmentReloadReport> {
    return reloadSealedSegments(this.sealedHolder());
  }

  private sealedHolder(): SealedSegmentsHolder {
    const consumingNames = (): string[] => this.queryableSegments().consuming.map((s) => s.name);
    return { get: () => this.sealed, set: (s) => (this.sealed = s), ledger: this.ledger, consumingNames, logger: this.logger };
  }

  async pause(): Promise<void> {
    this.paused = true;
    // Resolves once no GetRecords call is in flight and none starts until resume().
    await Promise.all([...this.ingesters.values()].map((ingester) => ingester.pause()));
  }

  async resume(): Promise<void> {
    this.paused = false;
    for (const ingester of this.ingesters.values()) ingester.resume();
  }

  private scheduleDiscovery(): void {
    if (this.stopped || !this.factory) return;
    this.discoveryTimer = setTimeout(() => {
      this.discover()
        .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'shard discovery failed; will retry'))
        .finally(() => this.scheduleDiscovery());
    }, this.factory.discoveryIntervalMs);
    this.discoveryTimer.unref();
  }

  /** Lists shards, records new ones, and starts every shard whose parents are done. */
  private discover(): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.metadata || !this.partitionIds) return;
      this.discoveryInfo.runs++;
      let listed: PartitionInfo[];
      try {
        listed = await this.metadata.listPartitions();
      } catch (err) {
        this.discoveryInfo.lastError = err instanceof Error ? err.message : String(err);
        this.link.failed(err);
        throw err;
      }
      this.link.listed();
      this.discoveryInfo = { ...this.discoveryInfo, lastListedAtMs: Date.now(), shardsListed: listed.length, lastError: null };
      await this.partitionIds.saveIfChanged();
      const listedIds = new Set(listed.map((p) => p.shardId));
      this.reportExpiredShards(listed);
      for (const partition of listed) this.known.set(partition.shardId, partition);
      this.startReadyPartitions(listedIds);
    };
    const next = (this.discovering ?? Promise.resolve()).catch(() => undefined).then(run);
    this.discovering = next;
    return next;
  }

  /** Reports shards that expired unread (status, warn log, event); see {@link expiredShards}. */
  private reportExpiredShards(listed: readonly PartitionInfo[]): void {
    const view = { known: this.known, checkpoints: this.checkpoints, ended: this.ended, reported: this.dataLoss, currentOffset: (shardId: string) => this.ingesters.get(shardId)?.status().currentOffset };
    for (const entry of expiredShards(listed, view, Date.now())) {
      this.dataLoss.set(entry.shardId, entry);
      this.logger.warn({ shardId: entry.shardId, lastSequenceNumber: entry.lastSequenceNumber, dataLoss: true }, `data loss: ${entry.reason}`);
      this.onEvent({ kind: 'dataLoss', entry });
    }
  }

  private startReadyPartitions(listed: ReadonlySet<string>): void {
    if (this.stopped || !this.factory) return;
    for (const partition of this.known.values()) {
      const { shardId } = partition;
      if (this.ingesters.has(shardId) || this.ended.has(shardId)) continue;
      // A parent no longer listed has expired past retention: nothing of it can be read any more.
      const parentsDone = partition.parentShardIds.every((p) => this.ended.has(p) || !listed.has(p));
      if (!parentsDone) continue;
      this.startPartition(partition);
    }
  }

  private startPartition(partition: PartitionInfo): void {
    const factory = this.factory!;
    const checkpoint = this.checkpoints.get(partition.shardId);
    const after = checkpoint?.after ?? null;
    // A child of a shard this table read to its end continues that shard's records: it starts at
    // its oldest record whatever the table's shardIteratorType, or LATEST would skip records.
    const fromOldest = partition.parentShardIds.some((parent) => this.ended.has(parent));
    const words = this.table.stream.plugin.statusWords;
    const ingester = new PartitionIngester({
      tableDir: this.tableDir,
      schema: this.schema,
      config: this.config,
      partition,
      consumer: factory.createPartitionConsumer(partition, { fromOldest }),
      pipeline: this.table.pipelineFor(partition.shardId),
      fetchTimeoutMs: factory.fetchTimeoutMs,
      checkpoint: after,
      startedFrom: after
        ? words.resumedAfter(after.toString())
        : fromOldest
          ? words.childFromOldest
          : (factory.initialPositionFor?.(partition) ?? factory.initialPositionDescription),
      nextSequence: checkpoint?.nextSequence ?? 0,
      ...this.keyed.partitionOptions,
      onSealed: (segment) => {
        this.addSealed(segment);
        const { segmentName, endOfShard } = segment.metadata;
        this.onEvent({ kind: 'segmentSealed', shardId: partition.shardId, segmentName, endOfShard, atMs: Date.now() });
      },
      onEnded: () => {
        this.ended.add(partition.shardId);
        // Read to its end after all (a listing that missed it was wrong, or it came back): no loss.
        this.dataLoss.delete(partition.shardId);
        this.logger.info({ shardId: partition.shardId }, 'shard read to its end; starting its children');
        // Children may not be listed yet if the reshard happened after the last discovery.
        this.discover().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'shard discovery failed'));
      },
      logger: this.logger.child({ shardId: partition.shardId, partitionId: partition.partitionId }),
      ...(this.bound !== undefined ? { bound: this.bound } : {}),
    });
    this.ingesters.set(partition.shardId, ingester);
    this.onEvent({ kind: 'partitionStarted', shardId: partition.shardId, parentShardIds: partition.parentShardIds, atMs: Date.now() });
    if (this.paused) void ingester.pause();
    ingester.start();
  }
}
