import { mkdir, rm } from 'node:fs/promises';
import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import { summarizeSegment } from '../segment/index.js';
import type { ConsumingSegment, QueryableSegments, SealedSegment } from '../segment/index.js';
import type { PartitionInfo, StreamMetadataProvider } from '../spi/metadata-provider.js';
import type { SegmentSummary } from '../segment/index.js';
import type { RuntimeStartOptions, TableRuntime } from './table-runtime.js';
import type { ShardCheckpoint } from './checkpoints.js';
import { TableRepairs } from './table-repairs.js';
import type { SealedLedger } from './sealed-ledger.js';
import { KeyedTable, lineageOf } from './keyed-table.js';
import { ledgerEntryOf, recoverTable } from './table-recovery.js';
import type { RecoveredTable } from './table-recovery.js';
import { PartitionIngester } from './partition-ingester.js';
import type { PartitionIdStore } from './partition-id-store.js';
import { openTableStreams, partitionsOfStreams } from './table-streams.js';
import type { StreamIdentities, TableStreamsFactory } from './table-streams.js';
import { streamIndexOfShard } from './resolved-table.js';
import type { ResolvedTable } from './resolved-table.js';
import type { PartitionStatus } from './partition-status.js';
import type { DataLossEntry, TableIngestionStatus } from './table-ingestion-status.js';
import { snapshotPhase } from './snapshot-phase.js';
import { StreamLink } from './stream-link.js';
import { compareSegments, deleteSealedSegment, reloadSealedSegments, segmentMetadataJson, withoutRetired } from './sealed-segment-ops.js';
import { startPositionOf } from './start-position.js';
import type { SealedSegmentsHolder, SegmentDeleteResult, SegmentReloadReport } from './sealed-segment-ops.js';
import { allPartitionsFinished } from './ingest-bound.js';
import { expiredShards } from './expired-shards.js';
import { partitionStatuses } from './partition-status.js';
import type { IngestBound } from './ingest-bound.js';
import { tableUpkeep } from './sealed-upkeep.js';
import type { SealedUpkeep } from './sealed-upkeep.js';
import type { IngestionEvent, TableIngestionOptions } from './table-ingestion-options.js';
import { StreamIdentityGuard } from './stream-identity-guard.js';
import type { StreamResetResult } from './stream-identity-guard.js';
import type { ResetStart } from './stream-identity-store.js';

export type { IngestionEvent, TableIngestionOptions } from './table-ingestion-options.js';

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
  private factory: TableStreamsFactory | null = null;
  private metadata: (StreamMetadataProvider & StreamIdentities) | null = null;
  private partitionIds: readonly PartitionIdStore[] = [];
  private discoveryTimer: NodeJS.Timeout | null = null;
  private discovering: Promise<void> | null = null;
  private paused = false;
  private stopped = false;
  private quarantined: { file: string; reason: string }[] = [];
  /** Retention, compaction and checksums (`runRetention()`, `runCompaction()` run a pass now); null before start. */
  sealedUpkeep: SealedUpkeep | null = null;
  private ledger: SealedLedger | null = null;
  private repairs: TableRepairs | null = null;
  private readonly dataLoss = new Map<string, DataLossEntry>();
  private discoveryInfo = { lastListedAtMs: null as number | null, shardsListed: 0, runs: 0, lastError: null as string | null };
  private readonly streamFactory: NonNullable<TableIngestionOptions['streamFactory']>;
  private readonly onEvent: (event: IngestionEvent) => void;
  private readonly link: StreamLink;
  /** Upsert and dedup tables: the one key map of the table (all shards). */
  private readonly keyed: KeyedTable;
  private readonly bound: IngestBound | undefined;
  private readonly options: TableIngestionOptions;
  /** Keeps the table on the stream its checkpoints belong to (a recreated stream halts it). */
  private guard: StreamIdentityGuard | null = null;

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
    // First: a reset committed before a crash retires the old stream's files before they load.
    this.guard = await StreamIdentityGuard.open(this.tableDir, this.config.tableName, this.logger);
    const streams = await openTableStreams(this.table, this.tableDir, this.streamFactory);
    this.partitionIds = streams.idStores;
    this.factory = streams.factory;
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
    // Retention, compaction, background checksums, quarantine of files found corrupt while serving.
    this.sealedUpkeep = tableUpkeep(this.table, this.sealedHolder(), { ...this.options, offsets: this.factory.offsetFactory }, (entry, segment) => {
      this.quarantined.push(entry);
      void this.repairs?.afterQuarantine(segment);
    });
    this.sealedUpkeep.start();
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

  /** Re-reads missing sealed rows: the gaps recovery found now, a quarantined file's when it happens. */
  private startRepairs(gaps: RecoveredTable['gaps']): void {
    this.repairs = new TableRepairs({
      tableDir: this.tableDir, schema: this.schema, config: this.config, factory: this.factory!, ledger: this.ledger!,
      pipelineFor: (shardId) => this.table.pipelineFor(shardId),
      served: () => this.sealed,
      onSealed: (segment) => {
        this.keyed.repaired(segment);
        this.addSealed(segment);
      },
      onLoss: (entry) => {
        this.dataLoss.set(`${entry.shardId}\u0000${entry.lostRange?.from ?? entry.lastSequenceNumber}`, entry);
        this.onEvent({ kind: 'dataLoss', entry });
      },
      logger: this.logger,
    });
    this.repairs.startRecovered(gaps);
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
    await this.sealedUpkeep?.stop();
    await this.stopReaders();
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
    const segment = this.sealed.find((s) => s.metadata.segmentName === segmentName);
    return segment ? segmentMetadataJson(segment, this.keyed.liveRowsOf(segmentName)) : undefined;
  }

  /** The segments a query reads now: every sealed file and every live consuming segment (none once a stream was recreated). */
  queryableSegments(): QueryableSegments {
    const consuming: ConsumingSegment[] = [];
    for (const ingester of this.guard?.halted ? [] : this.ingesters.values()) {
      const segment = ingester.consumingSegment;
      if (segment) consuming.push(segment);
    }
    // Upsert tables: live rows frozen in the same synchronous step, one live row per key.
    return this.keyed.queryable([...this.sealed], consuming);
  }


  partitions(): PartitionStatus[] {
    const after = (shardId: string): string | null => this.checkpoints.get(shardId)?.after?.toString() ?? null;
    return partitionStatuses(this.known.values(), this.ingesters, this.ended, after, (shardId) => this.factory?.labelOf(shardId) ?? '');
  }

  /** Whether the stream is reached, data loss, shard discovery and fetch concurrency, for `consumingSegmentsInfo`. */
  status(): TableIngestionStatus {
    return {
      ingestion: this.link.status,
      dataLoss: [...this.dataLoss.values()],
      quarantined: [...this.quarantined],
      ...(this.sealedUpkeep ? { retention: this.sealedUpkeep.status() } : {}),
      ...(this.sealedUpkeep?.compactionStatus() ? { compaction: this.sealedUpkeep.compactionStatus()! } : {}),
      repairs: this.repairs?.status() ?? [],
      discovery: { intervalMs: this.factory?.discoveryIntervalMs ?? 0, ...this.discoveryInfo },
      fetchConcurrency: this.factory?.fetchConcurrency?.() ?? null,
      ...(this.guard ? { streamIdentity: this.guard.status() } : {}),
      ...this.keyed.status(),
      ...snapshotPhase([...this.known.values()], this.ended, this.factory?.snapshotProgress?.()),
    };
  }

  forceCommit(): string[] {
    return [...this.ingesters.values()].flatMap((ingester) => ingester.requestSeal() ?? []);
  }

  deleteSegment(segmentName: string): Promise<SegmentDeleteResult> {
    const remove = (): Promise<SegmentDeleteResult> => deleteSealedSegment(this.sealedHolder(), segmentName);
    return this.sealedUpkeep ? this.sealedUpkeep.serial(remove) : remove();
  }

  reloadSegments(): Promise<SegmentReloadReport> {
    return reloadSealedSegments(this.sealedHolder());
  }

  private sealedHolder(): SealedSegmentsHolder {
    const consumingNames = (): string[] => this.queryableSegments().consuming.map((s) => s.name);
    return { get: () => this.sealed, set: (s) => (this.sealed = s), ledger: this.ledger, consumingNames, logger: this.logger };
  }

  /**
   * A stream reset's first half (docs/exactly-once.md, "A recreated stream"): if the stream is
   * another one than the checkpoints', stops every reader and retires the old stream's segments;
   * the table manager then starts a new runtime. Null (nothing stopped) for the recorded stream.
   */
  async resetStream(consumeFrom: ResetStart): Promise<StreamResetResult | null> {
    const guard = this.guard;
    const metadata = this.metadata;
    if (!guard || !metadata || (!guard.halted && (await guard.verify(metadata)))) return null;
    await this.stopReaders();
    // The partitions of the recreated streams: every one a segment, a ledger entry or a checkpoint names.
    const ledger = this.ledger?.partitionIds().flatMap((p) => this.ledger!.entries(p).map((e) => ({ shardId: e.shardId, partitionId: p }))) ?? [];
    const partitionsOf = partitionsOfStreams(this.table.streams, [...this.sealed.map((s) => s.metadata), ...ledger, ...this.checkpoints.values()]);
    return guard.commitReset(metadata, consumeFrom, partitionsOf, (retired) => (this.sealed = withoutRetired(this.sealed, (s) => retired.includes(s.metadata.partitionId))));
  }

  /**
   * Stops discovery, repairs and every partition reader (consuming segments are abandoned), then
   * awaits the ledger writes seals started (a drop would race them; no file left half-written).
   */
  private async stopReaders(): Promise<void> {
    if (this.discoveryTimer) clearTimeout(this.discoveryTimer);
    await this.discovering?.catch(() => undefined);
    await this.repairs?.stop();
    await Promise.all([...this.ingesters.values()].map((i) => i.stop()));
    await this.ledger?.flush();
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
      if (!this.metadata || this.guard?.halted) return;
      this.discoveryInfo.runs++;
      let listed: PartitionInfo[];
      let sameStream: boolean;
      try {
        listed = await this.metadata.listPartitions();
        // Before any reader starts, and at every listing: is this still the checkpoints' stream?
        sameStream = (await this.guard?.verify(this.metadata)) ?? true;
      } catch (err) {
        this.discoveryInfo.lastError = err instanceof Error ? err.message : String(err);
        this.link.failed(err);
        throw err;
      }
      if (!sameStream) return this.halt();
      this.link.listed();
      this.discoveryInfo = { ...this.discoveryInfo, lastListedAtMs: Date.now(), shardsListed: listed.length, lastError: null };
      for (const ids of this.partitionIds) await ids.saveIfChanged();
      const listedIds = new Set(listed.map((p) => p.shardId));
      this.reportExpiredShards(listed);
      for (const partition of listed) this.known.set(partition.shardId, partition);
      this.startReadyPartitions(listedIds);
    };
    const next = (this.discovering ?? Promise.resolve()).catch(() => undefined).then(run);
    this.discovering = next;
    return next;
  }

  /** A stream was recreated: nothing more is read; consuming segments are dropped, sealed ones served. */
  private async halt(): Promise<void> {
    this.link.recreated(this.guard!.message);
    await Promise.all([...this.ingesters.values()].map((i) => i.stop()));
  }

  /** Before a seal: the stream must still be the checkpoints' one, or the seal fails and the table halts. */
  private async confirmStream(): Promise<void> {
    if (!this.guard || !this.metadata || (await this.guard.confirm(this.metadata))) return;
    void this.halt(); // not awaited: it stops the partition whose seal is waiting here
    throw new Error(this.guard.message);
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
    const start = startPositionOf(partition, checkpoint, { ended: this.ended, resetStart: this.guard?.startFrom(String(streamIndexOfShard(this.table.streams, partition.shardId))), factory, words: this.table.stream.plugin.statusWords });
    const ingester = new PartitionIngester({
      tableDir: this.tableDir,
      schema: this.schema,
      config: this.config,
      partition,
      consumer: factory.createPartitionConsumer(partition, start.consumerOptions),
      pipeline: this.table.pipelineFor(partition.shardId),
      fetchTimeoutMs: factory.fetchTimeoutMs,
      checkpoint: checkpoint?.after ?? null,
      startedFrom: start.startedFrom,
      nextSequence: checkpoint?.nextSequence ?? 0,
      ...this.keyed.partitionOptions,
      beforeSeal: () => this.confirmStream(),
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
