import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { Logger } from '../logger.js';
import { summarizeSegment } from '../segment/index.js';
import type { ConsumingSegment, QueryableSegments, SealedSegment } from '../segment/index.js';
import type { PartitionInfo, StreamMetadataProvider } from '../spi/metadata-provider.js';
import type { SegmentSummary } from '../segment/index.js';
import type { ShardCheckpoint } from './checkpoints.js';
import type { TableRepairs } from './table-repairs.js';
import type { SealedLedger } from './sealed-ledger.js';
import { KeyedTable, lineageOf } from './keyed-table.js';
import { ledgerEntryOf } from './table-recovery.js';
import type { PartitionIngester } from './partition-ingester.js';
import type { PartitionIdStore } from './partition-id-store.js';
import type { StreamIdentities, TableStreamsFactory } from './table-streams.js';
import type { ResolvedTable } from './resolved-table.js';
import type { PartitionStatus } from './partition-status.js';
import type { TableRewind } from './table-rewind.js';
import type { DataLossEntry, TableIngestionStatus } from './table-ingestion-status.js';
import { snapshotPhase } from './snapshot-phase.js';
import { StreamLink } from './stream-link.js';
import { deleteSealedSegment, reindexOptions, reloadSealedSegments, segmentMetadataJson } from './sealed-segment-ops.js';
import type { SealedSegmentsHolder, SegmentDeleteResult, SegmentReloadReport } from './sealed-segment-ops.js';
import { partitionStatuses } from './partition-status.js';
import type { IngestBound } from './ingest-bound.js';
import type { SealedUpkeep } from './sealed-upkeep.js';
import type { IngestionEvent, TableIngestionOptions } from './table-ingestion-options.js';
import type { StreamIdentityGuard } from './stream-identity-guard.js';

/**
 * The state of one table's live side and the reads of it (segments, status, queries), shared by
 * {@link TableIngestion}, which adds the lifecycle: start, discovery, readers, rewind and reset.
 */
export abstract class TableIngestionBase {
  readonly schema: TableSchema;
  readonly config: TableConfig;
  protected readonly table: ResolvedTable;
  protected readonly tableDir: string;
  protected readonly logger: Logger;
  protected sealed: SealedSegment[] = [];
  protected checkpoints = new Map<string, ShardCheckpoint>();
  protected readonly known = new Map<string, PartitionInfo>();
  protected readonly ingesters = new Map<string, PartitionIngester>();
  protected readonly ended = new Set<string>();
  protected factory: TableStreamsFactory | null = null;
  protected metadata: (StreamMetadataProvider & StreamIdentities) | null = null;
  protected partitionIds: readonly PartitionIdStore[] = [];
  protected discoveryTimer: NodeJS.Timeout | null = null;
  protected discovering: Promise<void> | null = null;
  protected paused = false;
  protected stopped = false;
  protected quarantined: { file: string; reason: string }[] = [];
  /** Retention, compaction and checksums (`runRetention()`, `runCompaction()` run a pass now); null before start. */
  sealedUpkeep: SealedUpkeep | null = null;
  protected ledger: SealedLedger | null = null;
  protected repairs: TableRepairs | null = null;
  protected readonly dataLoss = new Map<string, DataLossEntry>();
  protected discoveryInfo = { lastListedAtMs: null as number | null, shardsListed: 0, runs: 0, lastError: null as string | null };
  protected readonly streamFactory: NonNullable<TableIngestionOptions['streamFactory']>;
  protected readonly onEvent: (event: IngestionEvent) => void;
  protected readonly link: StreamLink;
  /** Upsert and dedup tables: the one key map of the table (all shards). */
  protected readonly keyed: KeyedTable;
  protected readonly bound: IngestBound | undefined;
  protected readonly options: TableIngestionOptions;
  /** Keeps the table on the stream its checkpoints belong to (a recreated stream halts it). */
  protected guard: StreamIdentityGuard | null = null;
  /** An online rewind's durable plan and its partitions' replays (`table-rewind.ts`). */
  protected rewinds: TableRewind | null = null;

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

  /** A segment was published: serve it (same tick as the swap) and add it to the ledger. */
  protected addSealed(segment: SealedSegment): void {
    this.sealed.push(segment);
    void this.ledger?.record(segment.metadata.partitionId, [ledgerEntryOf(segment)]);
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
    for (const [shardId, ingester] of this.guard?.halted ? [] : this.ingesters) {
      // A rewind's replay stays hidden until its segments are swapped in for the old ones.
      const segment = this.rewinds?.hides(shardId) ? null : ingester.consumingSegment;
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
      ...(this.rewinds?.status() ? { rewind: this.rewinds.status()! } : {}),
      ...this.keyed.status(),
      ...snapshotPhase([...this.known.values()], this.ended, this.factory?.snapshotProgress?.((id) => this.ingesters.get(id)?.status().currentOffset ?? this.checkpoints.get(id)?.after?.toString() ?? null)),
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
    const reload = (): Promise<SegmentReloadReport> => reloadSealedSegments(this.sealedHolder(), reindexOptions(this.config, this.tableDir));
    return this.sealedUpkeep?.serial(reload) ?? reload();
  }

  protected sealedHolder(): SealedSegmentsHolder {
    const consumingNames = (): string[] => this.queryableSegments().consuming.map((s) => s.name);
    const replaying = (partitionId: number): boolean => this.rewinds?.replaying(partitionId) === true;
    // Keys whose row leaves with a segment leave the key map in the same tick (`KeyedTable`).
    return this.keyed.followRetirements({ get: () => this.sealed, set: (s) => (this.sealed = s), ledger: this.ledger, consumingNames, logger: this.logger, replaying });
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
}
