import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { blockCache } from '../segment/reader/block-cache.js';
import { queryMemory } from '../segment/reader/query-memory.js';
import type { QueryMemoryStats } from '../segment/reader/query-memory.js';
import type { BlockCacheStats } from '../segment/reader/block-cache.js';
import type { ReclaimerStats } from '../segment/reader/memory-reclaimer.js';
import type { TableManager } from '../table/table-manager.js';
import type { PartitionStatus, TableRuntime } from '../ingest/table-runtime.js';
import type { SnapshotPhase } from '../ingest/table-ingestion-status.js';

const SHARD_LABELS = ['table', 'stream', 'shard', 'partition'];

/**
 * The Prometheus metrics of one server (`GET /metrics`), built with `prom-client`. Every value is
 * read from the table runtimes when Prometheus scrapes (each metric's `collect`), so ingestion's
 * hot path pays nothing; `_total` counters restart from zero with the process, as Prometheus
 * expects.
 */
export function createMetricsRegistry(manager: TableManager): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shardtable_process_' });

  const perPartition = (kind: 'counter' | 'gauge', name: string, help: string, value: (p: PartitionStatus) => number | null): void => {
    function collect(this: Counter | Gauge): void {
      this.reset();
      for (const { table, partitions } of liveTables(manager)) {
        for (const p of partitions) {
          const v = value(p);
          if (v === null) continue;
          const labels = { table, stream: p.stream ?? '', shard: p.shardId, partition: String(p.partitionId) };
          if (this instanceof Counter) this.inc(labels, v);
          else this.set(labels, v);
        }
      }
    }
    const config = { name, help, labelNames: SHARD_LABELS, registers: [registry], collect };
    if (kind === 'counter') new Counter(config);
    else new Gauge(config);
  };
  perPartition('counter', 'shardtable_records_consumed_total', 'Kinesis records consumed since start', (p) => p.recordsConsumed);
  perPartition('counter', 'shardtable_bytes_consumed_total', 'Record payload bytes consumed since start', (p) => p.bytesConsumed);
  perPartition('counter', 'shardtable_records_dropped_total', 'Records skipped because they failed to decode or index', (p) => p.recordsDropped);
  perPartition(
    'counter',
    'shardtable_records_lossy_coercion_total',
    'Records indexed with a value changed to fit its column (fraction dropped, boolean as number, NaN as null, overflow as infinity)',
    (p) => p.recordsWithLossyCoercion ?? 0,
  );
  perPartition('counter', 'shardtable_fetch_throttled_total', 'GetRecords calls refused for rate limits (retried)', (p) => p.throttleCount);
  perPartition('counter', 'shardtable_errors_total', 'Fetch and seal errors (retried or fatal)', (p) => p.errorCount);
  perPartition('gauge', 'shardtable_ms_behind_latest', 'Millis the consumer is behind the tip of the shard (GetRecords MillisBehindLatest)', (p) => p.msBehindLatest);
  perPartition('gauge', 'shardtable_consuming_rows', 'Rows in the consuming (in-memory) segment', (p) => p.rowsInConsumingSegment);
  perPartition('gauge', 'shardtable_partition_error', '1 when the partition stopped with an error', (p) => (p.state === 'ERROR' ? 1 : 0));
  perPartition('gauge', 'shardtable_partition_retrying', '1 while the partition is RETRYING: its last fetches in a row failed or timed out', (p) => (p.state === 'RETRYING' ? 1 : 0));
  perPartition('gauge', 'shardtable_consecutive_failed_fetches', 'Fetches in a row that failed or timed out (0 once one answers)', (p) => p.consecutiveFailedFetches ?? 0);

  // A table whose `value` is null has no series.
  const perTable = (name: string, help: string, value: (runtime: TableRuntime) => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames: ['table'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { table, runtime } of liveTables(manager)) {
          const v = value(runtime);
          if (v !== null) this.set({ table }, v);
        }
      },
    });
  };
  perTable('shardtable_sealed_segments', 'Sealed segment files', (r) => r.segments().length);
  perTable('shardtable_sealed_rows', 'Rows in sealed segment files', (r) => r.segments().reduce((n, s) => n + s.numDocs, 0));
  perTable('shardtable_sealed_bytes', 'Bytes of sealed segment files', (r) => r.segments().reduce((n, s) => n + s.sizeBytes, 0));
  perTable('shardtable_data_loss_shards', 'Data-loss entries: shards that expired before this table read them to their end, and sealed rows gone from disk that the stream no longer has', (r) => r.status?.().dataLoss.length ?? 0);
  perTable('shardtable_retention_dropped_segments', 'Sealed segments dropped by retention since start (older than segmentsConfig.retentionTimeValue/Unit)', (r) => r.status?.().retention?.segmentsDropped ?? 0);
  perTable('shardtable_retention_dropped_rows', 'Rows of the sealed segments dropped by retention since start', (r) => r.status?.().retention?.rowsDropped ?? 0);
  perTable('shardtable_quarantined_segment_files', 'Segment files refused on start (corrupt, another segment\'s identity, overlapping offsets) or found corrupt while serving', (r) => r.status?.().quarantined?.length ?? 0);
  perTable('shardtable_upsert_keys', 'Upsert and dedup tables: primary keys in the key map', (r) => r.status?.().upsert?.keys ?? r.status?.().dedup?.keys ?? 0);
  perTable('shardtable_upsert_live_rows', 'Upsert tables: keys whose live row is not deleted', (r) => r.status?.().upsert?.liveRows ?? 0);
  perTable('shardtable_upsert_out_of_order_records', 'Upsert tables: records older than their key\'s live row since start (kept not live, or dropped)', (r) => {
    const u = r.status?.().upsert;
    return u ? u.outOfOrderKept + u.outOfOrderDropped : 0;
  });
  perTable('shardtable_dedup_duplicates_dropped', 'Dedup tables: records dropped since start because their primary key was already seen', (r) => r.status?.().dedup?.duplicatesDropped ?? 0);
  perTable('shardtable_segment_gap_repairs_pending', 'Gaps in the chains of sealed segments still being re-read from the stream', (r) => (r.status?.().repairs ?? []).filter((g) => g.state === 'PENDING' || g.state === 'READING').length);

  // Tables whose stream starts with a snapshot load (a DynamoDB table's scan): only those get a series.
  const perSnapshotTable = (name: string, help: string, value: (phase: SnapshotPhase) => number | null): void =>
    perTable(name, help, (runtime) => {
      const phase = runtime.status?.().phase;
      return phase === undefined ? null : value(phase);
    });
  perSnapshotTable('shardtable_snapshot_loading', 'Tables with an initial load: 1 while LOADING (a scan segment is unread), 0 once STREAMING', (p) => (p.state === 'LOADING' ? 1 : 0));
  perSnapshotTable('shardtable_snapshot_items_loaded', 'Items the initial load has loaded (continued across restarts from the sealed checkpoints)', (p) => p.progress?.items ?? null);
  perSnapshotTable('shardtable_snapshot_bytes_loaded', 'Item bytes the initial load has loaded (continued across restarts)', (p) => p.progress?.bytes ?? null);
  perSnapshotTable('shardtable_snapshot_capacity_units', 'Read-capacity units charged for the items loaded (continued across restarts)', (p) => p.progress?.capacityUnits ?? null);
  perSnapshotTable('shardtable_snapshot_percent', 'Items loaded as a percent of the source table\'s approximate item count', (p) => p.progress?.percent ?? null);

  // Counters and gauges read from a stats object at scrape time.
  const statsMetric = <S>(read: () => S) => (kind: 'counter' | 'gauge', name: string, help: string, value: (s: S) => number): void => {
    function collect(this: Counter | Gauge): void {
      this.reset();
      if (this instanceof Counter) this.inc(value(read()));
      else this.set(value(read()));
    }
    if (kind === 'counter') new Counter({ name, help, registers: [registry], collect });
    else new Gauge({ name, help, registers: [registry], collect });
  };
  const blockCacheMetric = statsMetric<BlockCacheStats>(() => blockCache.stats());
  const queryMemoryMetric = statsMetric<QueryMemoryStats>(() => queryMemory.stats());
  blockCacheMetric('counter', 'shardtable_block_cache_hits_total', 'Sealed-column block reads answered from the decoded-block cache', (s) => s.hits);
  blockCacheMetric('counter', 'shardtable_block_cache_misses_total', 'Sealed-column block reads that decompressed the block', (s) => s.misses);
  blockCacheMetric('counter', 'shardtable_block_cache_evictions_total', 'Decoded blocks evicted to stay within the cache size', (s) => s.evictions);
  blockCacheMetric('gauge', 'shardtable_block_cache_bytes', 'Estimated bytes held by the memory budget, both tiers (decoded and compressed)', (s) => s.bytes);
  blockCacheMetric('gauge', 'shardtable_block_cache_capacity_bytes', 'The memory budget, both tiers (0 = off)', (s) => s.capacityBytes);
  blockCacheMetric('counter', 'shardtable_block_cache_compressed_hits_total', 'Decoded-tier misses whose section bytes came from the compressed tier (no disk read)', (s) => s.compressed.hits);
  blockCacheMetric('counter', 'shardtable_block_cache_compressed_misses_total', 'Decoded-tier misses read from the segment file', (s) => s.compressed.misses);
  queryMemoryMetric('gauge', 'shardtable_query_memory_reserved_bytes', 'Bytes running queries reserved from the memory budget (group tables, distinct sets, percentile buffers)', (s) => s.reservedBytes);
  queryMemoryMetric('gauge', 'shardtable_query_memory_peak_reserved_bytes', 'Most bytes queries held reserved at once since the server started', (s) => s.peakReservedBytes);
  queryMemoryMetric('gauge', 'shardtable_memory_budget_peak_bytes', 'Most bytes of block cache plus query reservations held at once since the server started', (s) => s.peakTotalBytes);
  queryMemoryMetric('counter', 'shardtable_queries_over_memory_budget_total', 'Queries whose reservations the memory budget could not hold (they ran on; their response says by how much)', (s) => s.queriesOverBudget);
  const reclaimerMetric = statsMetric<ReclaimerStats>(() => blockCache.reclaimer.stats());
  reclaimerMetric('counter', 'shardtable_memory_trims_total', 'Times freed memory was returned to the system (malloc_trim after the cache let a share of the budget go)', (s) => s.trims);
  reclaimerMetric('counter', 'shardtable_memory_trim_seconds_total', 'Time spent returning freed memory to the system', (s) => s.trimMs / 1000);
  reclaimerMetric('gauge', 'shardtable_memory_large_allocations_mapped', 'Whether allocations of 64 KiB and more get their own mapping now (1: memory pressure, a trim within the last 30 s)', (s) => (s.largeAllocationsMapped ? 1 : 0));
  blockCacheMetric('gauge', 'shardtable_block_cache_compressed_bytes', 'Bytes of section file bytes held by the compressed tier', (s) => s.compressed.bytes);
  return registry;
}

/** Running tables with their runtime and partition status; tables that failed to start are skipped. */
function liveTables(manager: TableManager): { table: string; runtime: TableRuntime; partitions: PartitionStatus[] }[] {
  const out: { table: string; runtime: TableRuntime; partitions: PartitionStatus[] }[] = [];
  for (const table of manager.listTables()) {
    const runtime = manager.getRuntime(table);
    if (runtime) out.push({ table, runtime, partitions: runtime.partitions() });
  }
  return out;
}
