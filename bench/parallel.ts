import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_PARALLEL_MIN_ROWS, QueryEngine, QueryPool, consumingSnapshot, sealedSnapshot } from '../src/query/index.js';
import type { SegmentSnapshot } from '../src/query/index.js';
import { buildSegments, CsvWriter, eventsTable } from './generated-table.js';
import { measureProcessMemory } from './parallel-memory.js';
import { blockCache } from '../src/segment/reader/block-cache.js';
import { fmt, machineInfo, msSince, summarise } from './harness.js';
import type { BenchResult } from './harness.js';
import { benchQueryList, normalise, sameRows } from './queries.js';

/**
 * Query kinds that scan or aggregate many rows (the 1 → 2 thread target: 11 of the 15
 * queries). Left out: the three selective index lookups (a few ms, answered on the main thread)
 * and `count` (`SELECT count(*)` without WHERE adds up row counts from segment metadata: it
 * reads no block). The speed-up over all 15 queries is reported too.
 */
const SCAN_KINDS = new Set(['filter', 'group-by', 'top-k', 'aggregate', 'time-bucket', 'multi-value']);

/**
 * Query worker threads, 1 against 2, and DuckDB, 1 thread against 2, on the 15 queries of the
 * `queries` benchmark over the same rows, plus shardtable on the main thread only (no pool). The
 * five set-ups are measured in turn within each round, so a change of load on a shared machine
 * touches all alike; medians over the rounds, after each set-up has run the query for a second and
 * at least 20 times
 * (`settle`: the workers' isolates compile their own code). Answers are compared with DuckDB's.
 *
 * Memory while querying (`parallel-memory.ts`): the peak resident memory of a fresh process
 * (every thread) that opens the sealed files and answers the 15 queries twice on the main thread
 * alone (today's engine), against another that answers them on a pool of 2, both under the
 * default memory budget.
 *
 * The timed rounds keep the three set-ups (main thread, pools of 1 and 2) in this one process,
 * where the memory budget is split between the main thread and all three pool threads: the
 * budget is raised to 4x the default for them, so each thread's cache has the room the default
 * gives a server running one set-up (the rounds compare threads, not cache sizes).
 * Sizes: `SHARDTABLE_BENCH_PARALLEL_ROWS` (default 10M, 1M with `--quick`).
 */
export async function benchParallel(quick: boolean): Promise<BenchResult> {
  const rows = Number(process.env.SHARDTABLE_BENCH_PARALLEL_ROWS ?? (quick ? 1_000_000 : 10_000_000));
  if (!Number.isInteger(rows) || rows < 100_000) throw new Error(`SHARDTABLE_BENCH_PARALLEL_ROWS must be an integer ≥ 100000, got ${String(process.env.SHARDTABLE_BENCH_PARALLEL_ROWS)}`);
  const rowsPerSegment = Math.max(50_000, Math.floor(rows / 8));
  const consumingRows = Math.floor(rowsPerSegment / 4);
  const rounds = 5;
  const table = eventsTable();
  const { schema } = table;
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-parallel-'));
  const pools: QueryPool[] = [];
  try {
    const csvPath = join(dir, 'events.csv');
    const csv = new CsvWriter(csvPath, table);
    const { sealed, consuming } = await buildSegments(table, { rows, rowsPerSegment, consumingRows }, dir, (row) => csv.write(row));
    csv.close();
    const tail = consuming;
    const snapshot = (): SegmentSnapshot[] => [...sealed.map((s) => sealedSnapshot(s)), ...(tail ? [consumingSnapshot(tail)] : [])];
    const resolver = { resolve: (n: string) => (n.toLowerCase() === 'events' ? { name: 'events', schema, snapshot } : undefined) };
    const queryList = benchQueryList(rows);
    // engines[0]: the main thread only (no pool), as before the pool; engines[t]: a pool of t threads
    // used where the cost estimate sends a query (at least DEFAULT_PARALLEL_MIN_ROWS rows read).
    const mainOnly = new QueryEngine(resolver, { parallel: null });
    const paths = sealed.map((seg) => seg.path);
    const memoryMain = await measureProcessMemory(paths, rows, 0);
    const memoryPool = await measureProcessMemory(paths, rows, 2);
    console.log(`parallel memory: peak RSS while querying (a process each, sealed files, default budget): main thread ${fmt(memoryMain.peakMB, 0)} MiB (from ${fmt(memoryMain.baseMB, 0)}), pool of 2 ${fmt(memoryPool.peakMB, 0)} MiB (from ${fmt(memoryPool.baseMB, 0)}): x${fmt(memoryPool.peakMB / memoryMain.peakMB)}`);
    const defaultBudget = blockCache.capacityBytes;
    blockCache.resize(4 * defaultBudget);
    pools.push(new QueryPool(2));
    await pools[0]!.whenReady();
    pools.unshift(new QueryPool(1));
    await pools[0]!.whenReady();
    const engines = [
      mainOnly,
      // The cost estimate decides per query, as on a server (selective queries stay on the main thread).
      ...pools.map((pool) => new QueryEngine(resolver, { parallel: { pool, minRows: DEFAULT_PARALLEL_MIN_ROWS } })),
    ];

    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const duck = await instance.connect();
    await duck.run(
      `CREATE TABLE events AS SELECT ts::BIGINT AS ts, customerId::INTEGER AS customerId, userId::BIGINT AS userId, country::VARCHAR AS country, ` +
        `eventType::VARCHAR AS eventType, status::INTEGER AS status, amount::DOUBLE AS amount, latencyMs::INTEGER AS latencyMs, ` +
        `string_split(tags, '|') AS tags FROM read_csv('${csvPath}', header = true, all_varchar = true)`,
    );
    const ours = async (t: number, sql: string): Promise<{ ms: number; rows: readonly (readonly unknown[])[] }> => {
      const start = process.hrtime.bigint();
      const r = await engines[t]!.query(sql, 'timeoutMs=600000');
      const ms = msSince(start);
      if (r.exceptions.length > 0 || r.partialResult) throw new Error(`${sql} failed: ${JSON.stringify(r.exceptions)}`);
      return { ms, rows: r.rows };
    };
    const theirs = async (t: number, sql: string): Promise<{ ms: number; rows: readonly (readonly unknown[])[] }> => {
      await duck.run(`SET threads = ${t}`);
      const start = process.hrtime.bigint();
      const reader = await duck.runAndReadAll(sql);
      return { ms: msSince(start), rows: reader.getRowsJS() as unknown[][] };
    };
    const loadBefore = loadavg()[0]!;
    const perQuery: Record<string, unknown>[] = [];
    for (const q of queryList) {
      const times: number[][] = [[], [], [], [], []];
      // Warm-up of all five, answers compared; then each set-up runs the query until its code
      // has settled (`settle`) before the timed rounds.
      const warm = [await ours(1, q.pinot), await ours(2, q.pinot), await theirs(1, q.duckdb), await theirs(2, q.duckdb), await ours(0, q.pinot)];
      const expected = normalise(warm[2]!.rows);
      for (const w of [warm[0]!, warm[1]!, warm[3]!, warm[4]!]) if (!sameRows(normalise(w.rows), expected)) throw new Error(`query ${q.name}: answers differ from DuckDB's`);
      for (const run of [() => ours(1, q.pinot), () => ours(2, q.pinot), () => theirs(1, q.duckdb), () => theirs(2, q.duckdb), () => ours(0, q.pinot)]) await settle(run);
      for (let r = 0; r < rounds; r++) {
        times[0]!.push((await ours(1, q.pinot)).ms);
        times[1]!.push((await ours(2, q.pinot)).ms);
        times[2]!.push((await theirs(1, q.duckdb)).ms);
        times[3]!.push((await theirs(2, q.duckdb)).ms);
        times[4]!.push((await ours(0, q.pinot)).ms);
      }
      const [o1, o2, d1, d2, o0] = times.map((t) => summarise(t));
      const row = { name: q.name, kind: q.kind, mainThreadMs: o0!, shardtable1Ms: o1!, shardtable2Ms: o2!, poolOf2VsMain: o0!.median / o2!.median, duckdb1Ms: d1!, duckdb2Ms: d2!, speedup: o1!.median / o2!.median, duckdbSpeedup: d1!.median / d2!.median, ratio1: o1!.median / d1!.median, ratio2: o2!.median / d2!.median };
      perQuery.push(row);
      console.log(`parallel ${q.name.padEnd(20)} shardtable main ${fmt(o0!.median)} ms 1t ${fmt(o1!.median)} ms 2t ${fmt(o2!.median)} ms (x${fmt(row.speedup)}; main / pool of 2 x${fmt(row.poolOf2VsMain)})  duckdb 1t ${fmt(d1!.median)} 2t ${fmt(d2!.median)} (x${fmt(row.duckdbSpeedup)})  ratio 1t ${fmt(row.ratio1)} 2t ${fmt(row.ratio2)}`);
    }
    duck.closeSync();
    instance.closeSync();
    const geo = (xs: number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
    const scans = perQuery.filter((q) => SCAN_KINDS.has(q.kind as string));
    const metrics = {
      scanSpeedupGeoMean: geo(scans.map((q) => q.speedup as number)),
      allSpeedupGeoMean: geo(perQuery.map((q) => q.speedup as number)),
      scanQueries: scans.length,
      scanPoolOf2VsMainGeoMean: geo(scans.map((q) => (q.mainThreadMs as { median: number }).median / (q.shardtable2Ms as { median: number }).median)),
      // Over all queries: the main thread's time over the pool of 2's (> 1: the pool is faster), and the worst query.
      poolOf2VsMainGeoMean: geo(perQuery.map((q) => q.poolOf2VsMain as number)),
      poolOf2VsMainMin: Math.min(...perQuery.map((q) => q.poolOf2VsMain as number)),
      peakRssMainThreadMB: memoryMain.peakMB,
      peakRssPoolOf2MB: memoryPool.peakMB,
      rssBeforeMainThreadMB: memoryMain.baseMB,
      rssBeforePoolOf2MB: memoryPool.baseMB,
      peakRssPoolOf2VsMain: memoryPool.peakMB / memoryMain.peakMB,
      duckdbScanSpeedupGeoMean: geo(scans.map((q) => q.duckdbSpeedup as number)),
      medianRatio1Thread: summarise(perQuery.map((q) => q.ratio1 as number)).median,
      medianRatio2Threads: summarise(perQuery.map((q) => q.ratio2 as number)).median,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg()[0]!,
    };
    console.log(`parallel: 1 → 2 threads x${fmt(metrics.scanSpeedupGeoMean)} on scans/aggregations (DuckDB x${fmt(metrics.duckdbScanSpeedupGeoMean)}), x${fmt(metrics.allSpeedupGeoMean)} on all; main / pool of 2 x${fmt(metrics.poolOf2VsMainGeoMean)} (worst x${fmt(metrics.poolOf2VsMainMin)}); peak RSS x${fmt(metrics.peakRssPoolOf2VsMain)}; median ratio 1t ${fmt(metrics.medianRatio1Thread)}, 2t ${fmt(metrics.medianRatio2Threads)}; load ${fmt(loadBefore, 1)} → ${fmt(metrics.loadAverageAfter, 1)}`);
    return { name: 'parallel', machine: machineInfo(), params: { rows, rowsPerSegment, consumingRows, sealedSegments: sealed.length, rounds, settleMs: SETTLE_MS, settleMinRuns: SETTLE_MIN_RUNS, quick }, metrics, queries: perQuery };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a set-up's query until it has run for `SETTLE_MS` and at least `SETTLE_MIN_RUNS` times (at
 * most `SETTLE_MAX_RUNS`). Every worker thread is a V8 isolate that compiles its own optimised
 * code, on V8's background threads, which share the two cores with the workers: with one warm-up
 * run a pool of 2 was timed while its isolates were still compiling (TurboFan took 10-15 % of a
 * core for ~2 s of dict-broad runs: bench/notes.md), which a pool of 1 does on the idle core and a
 * server running for a while no longer does. V8 optimises a function after enough calls, not
 * enough time, and each worker of a pool of 2 reads half the segments, so it calls each kernel half
 * as often: a pool of 2 took ~20 runs of a query to settle, whatever the query's length (medians
 * of 5 runs: time-bucket 118, 98, 98, 94, 87 ms, then 84-93; bench/notes.md, 2026-12-07), where a
 * one-second settle gave a 150 ms query 7 runs. All five set-ups settle alike.
 */
async function settle(run: () => Promise<{ ms: number }>): Promise<void> {
  let spent = 0;
  for (let i = 0; i < SETTLE_MAX_RUNS && (i < SETTLE_MIN_RUNS || spent < SETTLE_MS); i++) spent += (await run()).ms;
}

const SETTLE_MS = 1000;
const SETTLE_MIN_RUNS = 20;
const SETTLE_MAX_RUNS = 60;
