import { mkdir, rm } from 'node:fs/promises';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { SealedSegment } from '../segment/index.js';
import type { RuntimeStartOptions, TableRuntime } from './table-runtime.js';
import { TableRepairs } from './table-repairs.js';
import { recoverTable } from './table-recovery.js';
import type { RecoveredTable } from './table-recovery.js';
import { PartitionIngester } from './partition-ingester.js';
import { openTableStreams, partitionsOfStreams } from './table-streams.js';
import { streamIndexOfShard } from './resolved-table.js';
import { currentCheckpoints, TableRewind } from './table-rewind.js';
import type { RewindHost, RewindResult, RewindTarget } from './table-rewind.js';
import { compareSegments, withoutRetired } from './sealed-segment-ops.js';
import { startPositionOf } from './start-position.js';
import { allPartitionsFinished } from './ingest-bound.js';
import { expiredShards } from './expired-shards.js';
import { tableUpkeep } from './sealed-upkeep.js';
import { StreamIdentityGuard } from './stream-identity-guard.js';
import { ShardtableError } from '../errors.js';
import { retireSegments } from './segment-retirement.js';
import type { StreamResetResult } from './stream-identity-guard.js';
import type { ResetStart } from './stream-identity-store.js';
import { TableIngestionBase } from './table-ingestion-base.js';
import { ClusterShards } from './cluster-shards.js';
import type { ClusterShardRuntime } from './cluster-hooks.js';
import type { SegmentDeleteResult } from './sealed-segment-ops.js';

export type { IngestionEvent, TableIngestionOptions } from './table-ingestion-options.js';

/**
 * The live side of one realtime table (`TableRuntime`): recovers sealed segments, discovers the
 * stream's shards on an interval, runs one `PartitionIngester` per shard, and starts a shard's
 * children only after every parent has been read to its end and sealed.
 */
export class TableIngestion extends TableIngestionBase implements TableRuntime, ClusterShardRuntime {
  /** Cluster mode: which shards this server holds leases for and serves (null when alone). */
  private clusterShards: ClusterShards | null = null;
  /** The shard ids of the last listing, for starting shards outside discovery (a lease taken). */
  private lastListed: ReadonlySet<string> = new Set();

  get tableName(): string {
    return this.config.tableName;
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
    // Then: replacement segments of an unfinished rewind that were never swapped in are removed.
    this.rewinds = await TableRewind.open(this.tableDir, this.config.tableName, this.logger);
    const streams = await openTableStreams(this.table, this.tableDir, this.streamFactory);
    this.partitionIds = streams.idStores;
    this.factory = streams.factory;
    const recovered = await recoverTable(this.tableDir, this.config.tableName, this.factory.offsetFactory, this.logger);
    this.quarantined = [...recovered.quarantined];
    for (const q of recovered.quarantined) this.logger.error(q, 'segment file refused and quarantined');
    const cluster = this.options.cluster;
    this.sealed = cluster ? [] : [...recovered.sealed].sort(compareSegments);
    // Before any reader starts: the key map is rebuilt from the committed files alone.
    this.keyed.rebuild(this.sealed);
    this.ledger = recovered.ledger;
    this.checkpoints = cluster ? new Map() : recovered.checkpoints;
    // Cluster mode: local files are a cache; a shard's committed segments are served once its lease is taken.
    if (cluster) this.clusterShards = new ClusterShards(this.clusterHost(), recovered.sealed);
    for (const checkpoint of this.checkpoints.values()) if (checkpoint.ended) this.ended.add(checkpoint.shardId);
    this.startRepairs(cluster ? [] : recovered.gaps);
    // Retention, compaction, background checksums, quarantine of files found corrupt while serving.
    this.sealedUpkeep = tableUpkeep(this.table, this.sealedHolder(), { ...this.options, offsets: this.factory.offsetFactory }, (entry, segment) => {
      this.quarantined.push(entry);
      // Cluster mode: the committed segments are the truth; a damaged file is fetched again at the next lease take.
      if (!this.options.cluster) void this.repairs?.afterQuarantine(segment);
    });
    this.sealedUpkeep.start();
    this.metadata = this.factory.createMetadataProvider();
    cluster?.attached(this);
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
      ...this.keyed.repairOptions,
    });
    this.repairs.startRecovered(gaps);
  }

  /** A bounded run is over: no partition reads any more, and none is about to start (a child of ended parents). */
  async boundReached(): Promise<boolean> {
    await this.discovering?.catch(() => undefined);
    return allPartitionsFinished(this.known.values(), this.ingesters, this.ended);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.options.cluster?.detached(this);
    this.link.stop();
    await this.sealedUpkeep?.stop();
    await this.stopReaders();
    await this.metadata?.close();
    await this.factory?.close();
    await this.clusterShards?.close();
    for (const segment of this.sealed) segment.close();
  }

  acquireShard(shardId: string): Promise<void> {
    return this.inChain(async () => {
      if (this.stopped || !this.clusterShards) return;
      // Consumed at once; its committed files are fetched and served in the background.
      const { loaded } = await this.clusterShards.acquire(shardId);
      this.startReadyPartitions(this.lastListed);
      // The shard's committed segments are this server's to keep now, expired ones included:
      // checked once they are served (retention judges the served list).
      void loaded.then(() => (this.stopped ? undefined : this.sealedUpkeep?.runRetention()));
    });
  }

  releaseShard(shardId: string, seal: boolean): Promise<void> {
    return this.inChain(async () => {
      if (this.clusterShards) await this.clusterShards.release(shardId, seal);
    });
  }

  leasesChanged(): void {
    void this.inChain(async () => this.startReadyPartitions(this.lastListed));
  }

  syncCommitted(): Promise<void> {
    return this.inChain(async () => {
      if (this.stopped || !this.clusterShards) return;
      const holder = this.sealedHolder();
      await this.clusterShards.sync((gone) => this.sealedUpkeep!.serial(() => retireSegments(holder, gone, 'deleted')));
    });
  }

  /** Cluster mode: the segment's committed item and deep-store object first (any server may take the delete), then the copy served here. */
  override async deleteSegment(segmentName: string): Promise<SegmentDeleteResult> {
    if (!this.options.cluster) return super.deleteSegment(segmentName);
    const deleted = await this.options.cluster.deleteCommitted([segmentName]);
    const local = await super.deleteSegment(segmentName);
    return deleted.length > 0 ? 'deleted' : local;
  }

  /** Cluster mode: see `TableRuntime.deleteSegmentsInCluster`; undefined alone. */
  async deleteSegmentsInCluster(segmentNames: readonly string[]): Promise<string[] | undefined> {
    if (!this.options.cluster) return undefined;
    const deleted = new Set(await this.options.cluster.deleteCommitted(segmentNames));
    for (const name of segmentNames) if ((await super.deleteSegment(name)) === 'deleted') deleted.add(name);
    return segmentNames.filter((n) => deleted.has(n));
  }

  /** Cluster mode: the table's sealed segments are those committed (served by whichever server holds their shard). */
  async sealedSegmentNames(): Promise<string[]> {
    if (!this.options.cluster) return this.sealed.map((s) => s.metadata.segmentName);
    return (await this.options.cluster.listCommitted()).flatMap((c) => (c.deleted ? [] : [c.segmentName]));
  }

  /** Runs `work` after discovery and every earlier lease change (one at a time). */
  private inChain<T>(work: () => Promise<T>): Promise<T> {
    const run = (this.discovering ?? Promise.resolve()).catch(() => undefined).then(work);
    this.discovering = run.then(() => undefined, () => undefined);
    return run;
  }

  private clusterHost(): ConstructorParameters<typeof ClusterShards>[0] {
    return {
      tableDir: this.tableDir, hooks: this.options.cluster!, offsets: this.factory!.offsetFactory, logger: this.logger,
      ingesters: this.ingesters, checkpoints: this.checkpoints, ended: this.ended,
      sealed: () => this.sealed,
      setSealed: (segments) => (this.sealed = segments),
    };
  }

  async drop(): Promise<void> {
    await this.stop();
    // Cluster mode: released, not left to expire (nothing more is committed: the runtime stopped).
    await this.options.cluster?.dropped();
    await rm(this.tableDir, { recursive: true, force: true });
  }

  /**
   * A stream reset's first half (docs/exactly-once.md, "A recreated stream"): if the stream is
   * another one than the checkpoints', stops every reader and retires the old stream's segments;
   * the table manager then starts a new runtime. Null (nothing stopped) for the recorded stream.
   */
  async resetStream(consumeFrom: ResetStart): Promise<StreamResetResult | null> {
    if (this.options.cluster) throw new ShardtableError('CLUSTER_UNSUPPORTED', { field: 'resetStream', reason: 'a stream reset retires segments every server commits to; delete the table and create it again' });
    const guard = this.guard;
    const metadata = this.metadata;
    if (!guard || !metadata || (!guard.halted && (await guard.verify(metadata)))) return null;
    await this.stopReaders();
    // The partitions of the recreated streams: every one a segment, a ledger entry or a checkpoint names.
    const ledger = this.ledger?.partitionIds().flatMap((p) => this.ledger!.entries(p).map((e) => ({ shardId: e.shardId, partitionId: p }))) ?? [];
    const partitionsOf = partitionsOfStreams(this.table.streams, [...this.sealed.map((s) => s.metadata), ...ledger, ...this.checkpoints.values()]);
    return guard.commitReset(metadata, consumeFrom, partitionsOf, (retired) => (this.sealed = withoutRetired(this.sealed, (s) => retired.includes(s.metadata.partitionId))));
  }

  /** Online rewind (`table-rewind.ts`), run in the discovery chain so no listing starts readers meanwhile. */
  rewind(target: RewindTarget): Promise<RewindResult> {
    const repairing = this.repairs?.status().some((r) => r.state === 'PENDING' || r.state === 'READING') === true;
    if (this.options.cluster) throw new ShardtableError('CLUSTER_UNSUPPORTED', { field: 'consumeFrom (rewind)', reason: 'a rewind replaces segments every server commits to; delete the table and create it again' });
    const why = this.guard?.halted ? 'its stream was deleted and created again; reset it first (POST /tables/{t}/resetStream)' : repairing ? 'it is still re-reading gaps in its sealed segments; retry once consumingSegmentsInfo shows no repair pending' : this.rewinds ? null : 'it is not running';
    if (why !== null) throw new ShardtableError('REWIND_UNSUPPORTED', { table: this.config.tableName, reason: why });
    const run = (this.discovering ?? Promise.resolve()).catch(() => undefined).then(() => this.rewinds!.rewind(target, this.rewindHost()));
    this.discovering = run.then(() => undefined, () => undefined);
    return run;
  }

  private rewindHost(): RewindHost {
    const offsets = this.factory!.offsetFactory;
    return {
      offsets,
      ledger: this.ledger,
      sealed: () => this.sealed,
      known: () => [...this.known.values()],
      listingError: () => this.discoveryInfo.lastError,
      ended: (shardId) => this.ended.has(shardId),
      ingester: (shardId) => this.ingesters.get(shardId),
      nextSequence: (shardId) => this.checkpoints.get(shardId)?.nextSequence ?? 0,
      // By name: a reload may have replaced the served objects since the replay started.
      swap: (retire, replacements) => this.sealedUpkeep!.serial(() => {
        const names = new Set(retire.map((s) => s.metadata.segmentName));
        return retireSegments(this.sealedHolder(), this.sealed.filter((s) => names.has(s.metadata.segmentName)), 'rewind', replacements);
      }).then(() => undefined),
      restart: (partitions) => {
        this.checkpoints = currentCheckpoints(this.sealed, this.ledger, offsets, this.checkpoints);
        for (const p of partitions) this.ingesters.delete(p.shardId);
        for (const p of partitions) this.startPartition(p);
      },
    };
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
      await this.options.cluster?.shardsListed(listed);
      this.lastListed = listedIds;
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
      // Cluster mode: only a shard whose lease this server holds, once its committed segments are served.
      if (this.clusterShards && !this.clusterShards.isReady(shardId)) continue;
      // A parent no longer listed has expired past retention: nothing of it can be read any more.
      const parentsDone = partition.parentShardIds.every((p) => this.parentEnded(p) || !listed.has(p));
      if (!parentsDone) continue;
      this.startPartition(partition);
    }
  }

  /** Read to its end and committed: here, or (cluster mode) by whichever server held its lease. */
  private parentEnded(shardId: string): boolean {
    return this.ended.has(shardId) || this.options.cluster?.shardFinished(shardId) === true;
  }

  private startPartition(partition: PartitionInfo): void {
    const factory = this.factory!;
    const checkpoint = this.checkpoints.get(partition.shardId);
    const rewound = this.rewinds?.startFor(partition, this.rewindHost(), (o) => (o.fromOldest ? 'TRIM_HORIZON' : `AT_TIMESTAMP ${new Date(o.atTimestampMs ?? 0).toISOString()}`)) ?? null;
    const ended = this.clusterShards ? new Set([...this.ended, ...partition.parentShardIds.filter((p) => this.parentEnded(p))]) : this.ended;
    const start = rewound ?? startPositionOf(partition, checkpoint, { ended, resetStart: this.guard?.startFrom(String(streamIndexOfShard(this.table.streams, partition.shardId))), factory, words: this.table.stream.plugin.statusWords });
    const ingester = new PartitionIngester({
      tableDir: this.tableDir,
      schema: this.schema,
      config: this.config,
      partition,
      consumer: factory.createPartitionConsumer(partition, start.consumerOptions),
      pipeline: this.table.pipelineFor(partition.shardId),
      fetchTimeoutMs: factory.fetchTimeoutMs,
      checkpoint: rewound ? rewound.checkpoint : (checkpoint?.after ?? null),
      startedFrom: start.startedFrom,
      nextSequence: rewound?.nextSequence ?? checkpoint?.nextSequence ?? 0,
      ...(rewound ? { rewind: rewound.cursor } : {}),
      ...this.keyed.partitionOptions,
      beforeSeal: () => this.confirmStream(),
      ...(this.options.cluster ? { commit: (segment: SealedSegment) => this.options.cluster!.commit(segment) } : {}),
      onSealed: (segment) => {
        if (!this.rewinds?.holdsBack(partition.shardId, segment)) this.addSealed(segment);
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
