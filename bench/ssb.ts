import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { QueryEngine, snapshotRuntime } from '../src/query/index.js';
import { fmt, machineInfo, msSince, summarise } from './harness.js';
import type { BenchResult, Measurement } from './harness.js';
import { startQueryServer } from './http-query-server.js';
import { duckdbThreadsFromEnv, normalise, readyQueryThreads, sameRows, timeDuckDb, timeRuns } from './queries.js';
import type { BenchQuery, Cell } from './queries.js';
import { ssbQueryList } from './ssb-queries.js';
import { buildSegments, CsvWriter, SSB_COLUMNS, SSB_DUCKDB_TYPES, ssbTable } from './generated-table.js';

export interface SsbBenchParams {
  readonly rows: number;
  readonly rowsPerSegment: number;
  readonly consumingRows: number;
  readonly runs: number;
  readonly duckdbThreads: number;
}

/**
 * Sizes: 10M rows in a full run, 1M with `--quick`; `SHARDTABLE_BENCH_SSB_ROWS` overrides the
 * row count (segments stay 1M rows, or a quarter of the rows when fewer). DuckDB runs with
 * `SHARDTABLE_BENCH_DUCKDB_THREADS` threads (default 1: shardtable executes a query on one thread).
 */
export function ssbBenchParams(quick: boolean): SsbBenchParams {
  const rows = Number(process.env.SHARDTABLE_BENCH_SSB_ROWS ?? (quick ? 1_000_000 : 10_000_000));
  if (!Number.isInteger(rows) || rows < 1000) throw new Error(`SHARDTABLE_BENCH_SSB_ROWS must be an integer ≥ 1000, got ${String(process.env.SHARDTABLE_BENCH_SSB_ROWS)}`);
  const rowsPerSegment = Math.min(1_000_000, Math.max(1000, Math.floor(rows / 4)));
  return { rows, rowsPerSegment, consumingRows: Math.floor(rowsPerSegment / 2), runs: 5, duckdbThreads: duckdbThreadsFromEnv() };
}

/**
 * The Star Schema Benchmark (13 queries) over a generated `lineorder_flat` (`generated-table.ts`):
 * sealed segments plus one consuming segment in shardtable, the same rows in DuckDB. Each query is
 * timed in process (`QueryEngine.query`) and through HTTP (`POST /query/sql` on loopback, the
 * client's wall time including JSON encode and decode), against DuckDB in process. Every answer
 * (in process and through HTTP) must equal DuckDB's; a mismatch fails the run.
 */
export async function benchSsb(quick: boolean): Promise<BenchResult> {
  const params = ssbBenchParams(quick);
  const table = ssbTable();
  const { schema, config } = table;
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-ssb-'));
  try {
    const buildStart = process.hrtime.bigint();
    const csvPath = join(dir, 'lineorder_flat.csv');
    const csv = new CsvWriter(csvPath, table);
    const { sealed, consuming } = await buildSegments(table, params, dir, (row) => csv.write(row));
    csv.close();
    const buildSeconds = msSince(buildStart) / 1000;
    const tail = consuming;
    const segments = () => ({ sealed, consuming: tail ? [tail] : [] });
    const engine = new QueryEngine({ resolve: (n) => (n.toLowerCase() === 'lineorder_flat' ? { name: 'lineorder_flat', schema, snapshot: () => snapshotRuntime({ queryableSegments: segments }) } : undefined) });
    const queries = ssbQueryList();
    const options = 'timeoutMs=600000';
    const queryThreads = await readyQueryThreads();

    const ours = new Map<string, { ms: Measurement; rows: Cell[][] }>();
    for (const q of queries) ours.set(q.name, await measure(q, async () => {
      const r = await engine.query(q.pinot, options);
      return { rows: r.rows, exceptions: r.exceptions, partialResult: r.partialResult };
    }));
    const server = await startQueryServer('lineorder_flat', schema, segments);
    const overHttp = new Map<string, { ms: Measurement; rows: Cell[][] }>();
    try {
      for (const q of queries) overHttp.set(q.name, await measure(q, () => server.query(q.pinot, options), true));
    } finally {
      await server.close();
    }
    const peakRssShardtableMB = process.resourceUsage().maxRSS / 1024;

    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const duck = await instance.connect();
    const loadStart = process.hrtime.bigint();
    const columns = SSB_COLUMNS.map((c) => `'${c}': '${SSB_DUCKDB_TYPES[c]}'`).join(', ');
    await duck.run(`CREATE TABLE lineorder_flat AS SELECT * FROM read_csv('${csvPath}', header = true, columns = {${columns}})`);
    const duckLoadSeconds = msSince(loadStart) / 1000;
    await duck.run(`SET threads = ${params.duckdbThreads}`);
    const perQuery: Record<string, unknown>[] = [];
    const mismatches: string[] = [];
    for (const q of queries) {
      const { rows, ms: theirs } = await timeDuckDb(duck, q.duckdb, params.runs);
      const mine = ours.get(q.name)!;
      const http = overHttp.get(q.name)!;
      for (const [how, got] of [['in process', mine], ['through HTTP', http]] as const) {
        if (!sameRows(got.rows, rows)) mismatches.push(`${q.name} (${how}): shardtable ${JSON.stringify(got.rows.slice(0, 5))} vs DuckDB ${JSON.stringify(rows.slice(0, 5))} (${got.rows.length} vs ${rows.length} rows)`);
      }
      const ratio = mine.ms.median / theirs.median;
      const httpRatio = http.ms.median / theirs.median;
      perQuery.push({ name: q.name, kind: q.kind, pinot: q.pinot, duckdb: q.duckdb, shardtableMs: mine.ms, shardtableHttpMs: http.ms, duckdbMs: theirs, ratio, httpRatio, resultRows: rows.length });
      console.log(`ssb ${q.name.padEnd(5)} shardtable ${fmt(mine.ms.median)} ms (HTTP ${fmt(http.ms.median)} ms)  duckdb ${fmt(theirs.median)} ms  ratio ${fmt(ratio)} (HTTP ${fmt(httpRatio)})  rows ${rows.length}`);
    }
    duck.closeSync();
    instance.closeSync();
    if (mismatches.length > 0) throw new Error(`SSB results differ from DuckDB:\n${mismatches.join('\n')}`);
    const ratios = perQuery.map((q) => q.ratio as number);
    const httpRatios = perQuery.map((q) => q.httpRatio as number);
    console.log(`ssb: median ratio ${fmt(summarise(ratios).median)} in process, ${fmt(summarise(httpRatios).median)} through HTTP`);
    return {
      name: 'ssb',
      machine: machineInfo(),
      params: { ...params, queryThreads, sealedSegments: sealed.length, sortedColumn: config.indexing.sortedColumn ?? null, invertedIndexColumns: config.indexing.invertedIndexColumns, noDictionaryColumns: config.indexing.noDictionaryColumns },
      metrics: {
        medianRatio: summarise(ratios).median,
        maxRatio: Math.max(...ratios),
        medianHttpRatio: summarise(httpRatios).median,
        maxHttpRatio: Math.max(...httpRatios),
        buildAndSealSeconds: buildSeconds,
        duckdbLoadSeconds: duckLoadSeconds,
        peakRssShardtableMB,
      },
      queries: perQuery,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Times one query (warm-up and runs as `timeRuns`); fails on an error or a partial result. */
async function measure(q: BenchQuery, run: () => Promise<{ rows: readonly (readonly unknown[])[]; exceptions: readonly unknown[]; partialResult: boolean; ms?: number }>, useReportedMs = false): Promise<{ ms: Measurement; rows: Cell[][] }> {
  let rows: Cell[][] = [];
  const times = await timeRuns(5, async (first) => {
    const start = process.hrtime.bigint();
    const r = await run();
    const ms = useReportedMs && r.ms !== undefined ? r.ms : msSince(start);
    if (r.exceptions.length > 0) throw new Error(`query ${q.name} failed in shardtable: ${JSON.stringify(r.exceptions)}\n${q.pinot}`);
    if (r.partialResult) throw new Error(`query ${q.name} returned a partial result`);
    if (first) rows = normalise(r.rows);
    return ms;
  });
  return { ms: summarise(times), rows };
}
