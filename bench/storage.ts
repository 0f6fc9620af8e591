import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeSegments } from '../src/ingest/compaction.js';
import { SealedLedger } from '../src/ingest/sealed-ledger.js';
import { silentLogger } from '../src/logger.js';
import { QueryEngine, sealedSnapshot } from '../src/query/index.js';
import { ConsumingSegment, loadTableSegments, sealSegment } from '../src/segment/index.js';
import type { SealedSegment } from '../src/segment/index.js';
import { blockCache } from '../src/segment/reader/block-cache.js';
import { benchQueryList } from './queries.js';
import { eventGenerator, eventsTable, toDecodedRow } from './generated-table.js';
import { fmt, machineInfo, msSince, summarise } from './harness.js';
import type { BenchResult, Measurement } from './harness.js';

const MIB = 2 ** 20;

interface StorageParams {
  readonly segments: number;
  readonly rowsPerSegment: number;
  /** The memory budget of the bounded runs, MiB. */
  readonly budgetMb: number;
  readonly runs: number;
  /** Compaction: small segments merged into one, and their rows each. */
  readonly mergeInputs: number;
  readonly mergeRowsEach: number;
}

function params(quick: boolean): StorageParams {
  return quick
    ? { segments: 20, rowsPerSegment: 100_000, budgetMb: 32, runs: 5, mergeInputs: 10, mergeRowsEach: 20_000 }
    : { segments: 100, rowsPerSegment: 1_000_000, budgetMb: 1024, runs: 5, mergeInputs: 20, mergeRowsEach: 50_000 };
}

async function buildSegments(dir: string, count: number, rowsEach: number, firstSequence = 0): Promise<void> {
  const { schema, config } = eventsTable();
  const generator = eventGenerator(count * rowsEach);
  for (let s = 0; s < count; s++) {
    const seg = new ConsumingSegment({
      identity: { tableName: 'events', segmentName: `events__0__${firstSequence + s}__20260101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' },
      schema,
      indexing: config.indexing,
      timeColumnName: 'ts',
    });
    for (let i = 0; i < rowsEach; i++) {
      const row = generator.next(s * rowsEach + i);
      seg.index(toDecodedRow(schema, row), String(s * rowsEach + i + 1), Number(row.ts));
    }
    await sealSegment(seg, { tableDir: dir, endOfShard: false });
  }
}

/**
 * Tables larger than the memory budget (issue 16): segments on disk, opened from their footers
 * only; the query set run with no budget to speak of (everything decoded stays cached), then
 * under `budgetMb`, cold (cache emptied before each run) and warm; compaction throughput and a
 * query's latency while a merge runs beside it.
 */
export async function benchStorage(quick: boolean): Promise<BenchResult> {
  const p = params(quick);
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-storage-'));
  const { schema } = eventsTable();
  try {
    const buildStart = process.hrtime.bigint();
    await buildSegments(dir, p.segments, p.rowsPerSegment);
    const buildSeconds = msSince(buildStart) / 1000;

    // Ready time: opening every segment as `serve` does (footers only), and as before (whole-file CRC).
    const footerStart = process.hrtime.bigint();
    const loaded = await loadTableSegments(dir, { tableName: 'events', verifyChecksum: false });
    const readyFooterOnlyMs = msSince(footerStart);
    const fullStart = process.hrtime.bigint();
    const verified = await loadTableSegments(dir, { tableName: 'events' });
    const readyFullChecksumMs = msSince(fullStart);
    for (const s of verified.segments) s.close();
    const sealed: SealedSegment[] = loaded.segments;
    const fileBytes = sealed.reduce((n, s) => n + s.metadata.sizeBytes, 0);

    const engine = new QueryEngine({ resolve: (n) => (n.toLowerCase() === 'events' ? { name: 'events', schema, snapshot: () => sealed.map((s) => sealedSnapshot(s)) } : undefined) });
    const rows = p.segments * p.rowsPerSegment;
    const queries = benchQueryList(rows);
    const run = async (sql: string): Promise<number> => {
      const start = process.hrtime.bigint();
      const r = await engine.query(sql, 'timeoutMs=600000;numGroupsLimit=10000000');
      if (r.exceptions.length > 0) throw new Error(`${sql}: ${JSON.stringify(r.exceptions)}`);
      return msSince(start);
    };
    const medianOf = async (sql: string, before?: () => void): Promise<Measurement> => {
      const times: number[] = [];
      for (let i = 0; i < p.runs; i++) {
        before?.();
        times.push(await run(sql));
      }
      return summarise(times);
    };

    // Per query, so both runs see the same JIT state: (1) no budget to speak of — every decoded
    // section stays cached (the all-in-memory run); (2) under the budget, cold (cache emptied
    // before each run) and warm (repeated).
    const warmUp = async (sql: string): Promise<void> => {
      let spent = 0;
      for (let i = 0; i < 20 && spent < 300; i++) spent += await run(sql);
    };
    let decodedBytes = 0;
    let peakCacheBytes = 0;
    const perQuery: Record<string, unknown>[] = [];
    for (const q of queries) {
      blockCache.resize(16 * 1024 * MIB);
      await warmUp(q.pinot);
      decodedBytes = Math.max(decodedBytes, blockCache.stats().bytes);
      const all = await medianOf(q.pinot);
      blockCache.resize(p.budgetMb * MIB);
      const cold = await medianOf(q.pinot, () => blockCache.clear());
      await warmUp(q.pinot);
      const warm = await medianOf(q.pinot);
      peakCacheBytes = Math.max(peakCacheBytes, blockCache.stats().bytes);
      perQuery.push({ name: q.name, inMemoryMs: all, budgetWarmMs: warm, budgetColdMs: cold, warmRatio: warm.median / all.median });
      console.log(`storage ${q.name.padEnd(20)} in-memory ${fmt(all.median)} ms  budget warm ${fmt(warm.median)} ms  cold ${fmt(cold.median)} ms`);
    }
    // What every query together decodes, against the budget.
    blockCache.resize(16 * 1024 * MIB);
    blockCache.clear();
    for (const q of queries) await run(q.pinot);
    decodedBytes = Math.max(decodedBytes, blockCache.stats().bytes);
    blockCache.resize(p.budgetMb * MIB);
    const rssUnderBudgetMB = process.memoryUsage().rss / MIB;

    // 3. Compaction: merge small segments into one; a query's latency while it runs.
    const mergeDir = join(dir, 'merge');
    await mkdir(mergeDir, { recursive: true });
    await buildSegments(mergeDir, p.mergeInputs, p.mergeRowsEach, 1000);
    const inputs = (await loadTableSegments(mergeDir, { tableName: 'events', verifyChecksum: false })).segments;
    const ledger = await SealedLedger.load(mergeDir, silentLogger());
    let served = [...inputs];
    const holder = { get: () => served, set: (s: SealedSegment[]) => (served = s), ledger, consumingNames: () => [], logger: silentLogger() };
    const probe = queries.find((q) => q.name === 'group-low-card')!.pinot;
    await warmUp(probe);
    const quiet = await medianOf(probe);
    const during: number[] = [];
    let merging = true;
    const mergeStart = process.hrtime.bigint();
    const merge = mergeSegments(
      { holder, tableDir: mergeDir, schema, config: eventsTable().config, settings: { maxRowsPerSegment: 10 ** 9, smallSegmentRows: 10 ** 9, minSegments: 2, intervalMs: 1 }, compareOffsets: (a, b) => Number(a) - Number(b), now: Date.now },
      inputs,
    ).finally(() => (merging = false));
    while (merging) {
      during.push(await run(probe));
      await new Promise((r) => setImmediate(r));
    }
    await merge;
    const mergeSeconds = msSince(mergeStart) / 1000;
    const mergeRows = p.mergeInputs * p.mergeRowsEach;
    const whileMerging = summarise(during.length > 0 ? during : [Number.NaN]);

    const warmRatios = perQuery.map((q) => q.warmRatio as number);
    const result: BenchResult = {
      name: 'storage',
      machine: machineInfo(),
      params: { ...p, rows, fileMB: fileBytes / MIB },
      metrics: {
        buildSeconds,
        readyFooterOnlyMs,
        readyFullChecksumMs,
        decodedMBInMemoryRun: decodedBytes / MIB,
        budgetMB: p.budgetMb,
        peakCacheMB: peakCacheBytes / MIB,
        rssUnderBudgetMB,
        medianWarmRatio: summarise(warmRatios).median,
        medianInMemoryMs: summarise(perQuery.map((q) => (q.inMemoryMs as Measurement).median)).median,
        medianBudgetWarmMs: summarise(perQuery.map((q) => (q.budgetWarmMs as Measurement).median)).median,
        medianBudgetColdMs: summarise(perQuery.map((q) => (q.budgetColdMs as Measurement).median)).median,
        compactionRowsPerSec: mergeRows / mergeSeconds,
        queryQuietMs: quiet,
        queryWhileMergingMs: whileMerging,
      },
      queries: perQuery,
    };
    console.log(
      `storage: ${p.segments} segments, ${fmt(rows)} rows, ${fmt(fileBytes / MIB)} MiB on disk; ready ${fmt(readyFooterOnlyMs)} ms (footers) vs ${fmt(readyFullChecksumMs)} ms (full CRC); ` +
        `warm/in-memory median ratio ${fmt(summarise(warmRatios).median)}; compaction ${fmt(mergeRows / mergeSeconds, 0)} rows/s`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
