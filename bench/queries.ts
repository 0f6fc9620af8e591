import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { QueryEngine, sharedParallelExecution } from '../src/query/index.js';
import { consumingSnapshot, sealedSnapshot } from '../src/query/index.js';
import type { SegmentSnapshot } from '../src/query/index.js';
import { buildSegments, CsvWriter, eventsTable } from './generated-table.js';
import { fmt, machineInfo, msSince, summarise } from './harness.js';
import { startQueryServer } from './http-query-server.js';
import type { BenchResult, Measurement } from './harness.js';

/** One query of the fixed set, in Pinot SQL and in DuckDB's dialect. */
export interface BenchQuery {
  readonly name: string;
  /** What it exercises; `selective-index` queries carry the < 1.0 x DuckDB target. */
  readonly kind: 'count' | 'selective-index' | 'filter' | 'group-by' | 'top-k' | 'aggregate' | 'time-bucket' | 'multi-value' | 'ssb';
  readonly pinot: string;
  readonly duckdb: string;
}

/**
 * The fixed query set for `rows` generated rows. Literals that must hit existing values (a
 * customer, a user) and DuckDB's percentile fraction depend on the row count.
 */
export function benchQueryList(rows: number): BenchQuery[] {
  const customer = Math.floor(Math.max(10, Math.floor(rows / 100)) * 0.4242);
  const user = 1_000_000 + Math.floor(Math.max(10, Math.floor(rows / 10)) * 0.4242);
  // Pinot's PERCENTILE takes sorted[(int)(n * p / 100)]; quantile_disc at this fraction picks the
  // same element under either nearest-rank convention (ceil(n q) - 1 or floor((n - 1) q)).
  // About 100 rows at 1M rows and more, still some at 2,000.
  const amountCut = Math.round((1000 - Math.max(0.1, 20_000 / rows)) * 100) / 100;
  const q95 = (Math.floor((rows * 95) / 100) + 1 - 1e-6) / rows;
  return [
  { name: 'count', kind: 'count', pinot: 'SELECT count(*) FROM events', duckdb: 'SELECT count(*) FROM events' },
  {
    name: 'sorted-eq',
    kind: 'selective-index',
    pinot: `SELECT count(*), sum(amount) FROM events WHERE customerId = ${customer}`,
    duckdb: `SELECT count(*), sum(amount) FROM events WHERE customerId = ${customer}`,
  },
  {
    name: 'inverted-eq',
    kind: 'selective-index',
    pinot: `SELECT count(*), max(latencyMs) FROM events WHERE userId = ${user}`,
    duckdb: `SELECT count(*), max(latencyMs) FROM events WHERE userId = ${user}`,
  },
  {
    name: 'inverted-rare-and',
    kind: 'selective-index',
    pinot: "SELECT count(*), sum(latencyMs) FROM events WHERE country = 'LU' AND eventType = 'purchase'",
    duckdb: "SELECT count(*), sum(latencyMs) FROM events WHERE country = 'LU' AND eventType = 'purchase'",
  },
  {
    name: 'dict-broad',
    kind: 'filter',
    pinot: "SELECT count(*), sum(amount) FROM events WHERE eventType IN ('view', 'click') AND status = 200",
    duckdb: "SELECT count(*), sum(amount) FROM events WHERE eventType IN ('view', 'click') AND status = 200",
  },
  {
    name: 'raw-selective',
    kind: 'filter',
    pinot: `SELECT count(*), min(amount) FROM events WHERE amount > ${amountCut}`,
    duckdb: `SELECT count(*), min(amount) FROM events WHERE amount > ${amountCut}`,
  },
  {
    name: 'raw-broad',
    kind: 'filter',
    pinot: 'SELECT count(*), sum(amount) FROM events WHERE latencyMs BETWEEN 100 AND 2000',
    duckdb: 'SELECT count(*), sum(amount) FROM events WHERE latencyMs BETWEEN 100 AND 2000',
  },
  {
    name: 'in-list',
    kind: 'filter',
    pinot: "SELECT count(*) FROM events WHERE country IN ('JP', 'BR', 'IS', 'NZ', 'PE')",
    duckdb: "SELECT count(*) FROM events WHERE country IN ('JP', 'BR', 'IS', 'NZ', 'PE')",
  },
  {
    name: 'group-low-card',
    kind: 'group-by',
    pinot: 'SELECT country, count(*), sum(amount) FROM events GROUP BY country ORDER BY country LIMIT 100',
    duckdb: 'SELECT country, count(*), sum(amount) FROM events GROUP BY country ORDER BY country LIMIT 100',
  },
  {
    name: 'group-high-card-top',
    kind: 'group-by',
    pinot: 'SELECT userId, count(*) AS n FROM events GROUP BY userId ORDER BY n DESC, userId LIMIT 10',
    duckdb: 'SELECT userId, count(*) AS n FROM events GROUP BY userId ORDER BY n DESC, userId LIMIT 10',
  },
  {
    name: 'top-k-rows',
    kind: 'top-k',
    pinot: 'SELECT ts, userId, amount FROM events ORDER BY amount DESC, ts LIMIT 10',
    duckdb: 'SELECT ts, userId, amount FROM events ORDER BY amount DESC, ts LIMIT 10',
  },
  {
    name: 'distinctcount',
    kind: 'aggregate',
    pinot: 'SELECT DISTINCTCOUNT(userId) FROM events',
    duckdb: 'SELECT count(DISTINCT userId) FROM events',
  },
  {
    name: 'percentile',
    kind: 'aggregate',
    pinot: 'SELECT PERCENTILE(latencyMs, 95) FROM events',
    duckdb: `SELECT quantile_disc(latencyMs, ${q95}) FROM events`,
  },
  {
    name: 'time-bucket',
    kind: 'time-bucket',
    pinot: "SELECT DATETRUNC('HOUR', ts) AS h, count(*), avg(latencyMs) FROM events GROUP BY DATETRUNC('HOUR', ts) ORDER BY DATETRUNC('HOUR', ts) LIMIT 1000",
    duckdb: 'SELECT (ts // 3600000) * 3600000 AS h, count(*), avg(latencyMs) FROM events GROUP BY h ORDER BY h LIMIT 1000',
  },
  {
    name: 'multi-value',
    kind: 'multi-value',
    pinot: "SELECT count(*), sum(amount) FROM events WHERE tags = 'vip' AND status = 500",
    duckdb: "SELECT count(*), sum(amount) FROM events WHERE list_contains(tags, 'vip') AND status = 500",
  },
  ];
}

export interface QueryBenchParams {
  /** Total rows (sealed plus consuming). */
  readonly rows: number;
  readonly rowsPerSegment: number;
  /** Rows left in the consuming segment. */
  readonly consumingRows: number;
  /** Measured runs per query (after one warm-up). */
  readonly runs: number;
  /** DuckDB threads while querying (1 = per core, like the single-threaded broker). */
  readonly duckdbThreads: number;
  /** Run only these queries (by name), e.g. to profile them. */
  readonly only?: readonly string[];
}

export function queryBenchParams(quick: boolean): QueryBenchParams {
  return quick
    ? { rows: 1_000_000, rowsPerSegment: 250_000, consumingRows: 100_000, runs: 5, duckdbThreads: duckdbThreadsFromEnv() }
    : { rows: 10_000_000, rowsPerSegment: 1_000_000, consumingRows: 500_000, runs: 5, duckdbThreads: duckdbThreadsFromEnv() };
}

/**
 * DuckDB's threads: `SHARDTABLE_BENCH_DUCKDB_THREADS`, default 1. Compare with shardtable's
 * query threads (`SHARDTABLE_QUERY_THREADS`, default every core) set to the same number.
 */
export function duckdbThreadsFromEnv(): number {
  return Number(process.env.SHARDTABLE_BENCH_DUCKDB_THREADS ?? 1);
}

/** Starts the process's query worker threads and waits until they are up (so no timed run pays for it); their number, 0 = none. */
export async function readyQueryThreads(): Promise<number> {
  const parallel = sharedParallelExecution();
  await parallel?.pool.whenReady();
  return parallel?.pool.threads ?? 0;
}

export type Cell = string | number | boolean | null;

/** Numbers as doubles (bigint included), so both engines' rows compare by value. */
export function normalise(rows: readonly (readonly unknown[])[]): Cell[][] {
  return rows.map((row) =>
    row.map((v): Cell => {
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
      return String(v);
    }),
  );
}

export function sameRows(a: Cell[][], b: Cell[][]): boolean {
  if (a.length !== b.length) return false;
  return a.every((row, i) => {
    const other = b[i]!;
    return row.length === other.length && row.every((v, j) => sameCell(v, other[j]!));
  });
}

function sameCell(a: Cell, b: Cell): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}

/** One DuckDB query timed by `timeRuns`: its normalised rows (from the first run) and its times. */
export async function timeDuckDb(duck: DuckDBConnection, sql: string, runs: number): Promise<{ rows: Cell[][]; ms: Measurement }> {
  let rows: Cell[][] = [];
  const times = await timeRuns(runs, async (first) => {
    const start = process.hrtime.bigint();
    const reader = await duck.runAndReadAll(sql);
    const ms = msSince(start);
    if (first) rows = normalise(reader.getRowsJS() as unknown[][]);
    return ms;
  });
  return { rows, ms: summarise(times) };
}

/**
 * Warm-up, then measured runs; the same rule for both engines. Warm-up repeats until 300 ms or
 * 20 runs have passed (a 1 ms query gets JIT-compiled before it is measured), and a fast query is
 * measured more often (until 300 ms or 50 runs) so its median is stable; never fewer than `runs`.
 */
export async function timeRuns(runs: number, once: (first: boolean) => Promise<number>): Promise<number[]> {
  let spent = await once(true);
  for (let w = 1; w < 20 && spent < 300; w++) spent += await once(false);
  const times: number[] = [];
  let measured = 0;
  while (times.length < runs || (measured < 300 && times.length < 50)) {
    const ms = await once(false);
    times.push(ms);
    measured += ms;
  }
  return times;
}

/**
 * The fixed query set over `rows` generated rows in sealed segments plus one consuming segment,
 * each query against DuckDB loaded with the same rows (from a CSV written while generating; load
 * time not counted). Per query: median latency of both after a warm-up, and the ratio. Results
 * must be equal; a mismatch throws. Also reports peak RSS (`maxRSS`) after the shardtable phase,
 * before DuckDB is loaded, so the figure is shardtable's own.
 */
export async function benchQueries(quick: boolean, overrides: Partial<QueryBenchParams> = {}): Promise<BenchResult> {
  const params = { ...queryBenchParams(quick), ...overrides };
  const table = eventsTable();
  const { schema, config } = table;
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-queries-'));
  const rssAtStartMB = process.memoryUsage().rss / 2 ** 20;
  try {
    const buildStart = process.hrtime.bigint();
    const csvPath = join(dir, 'events.csv');
    const csv = new CsvWriter(csvPath, table);
    const { sealed, consuming } = await buildSegments(table, params, dir, (row) => csv.write(row));
    csv.close();
    const buildSeconds = msSince(buildStart) / 1000;
    const tail = consuming;
    const snapshot = (): SegmentSnapshot[] => [...sealed.map((s) => sealedSnapshot(s)), ...(tail ? [consumingSnapshot(tail)] : [])];
    const engine = new QueryEngine({ resolve: (n) => (n.toLowerCase() === 'events' ? { name: 'events', schema, snapshot } : undefined) });
    const queryThreads = await readyQueryThreads();

    // shardtable phase: warm-up + runs per query, results kept for the comparison.
    const queries = benchQueryList(params.rows).filter((q) => !params.only || params.only.includes(q.name));
    const ours = new Map<string, { ms: Measurement; rows: Cell[][] }>();
    for (const q of queries) {
      let rows: Cell[][] = [];
      const times = await timeRuns(params.runs, async (first) => {
        const start = process.hrtime.bigint();
        // The default numGroupsLimit (1,000,000 per segment) keeps the high-cardinality group-by
        // exact (at 10M rows, ~630k users per 1M-row segment), so it is not lifted.
        const result = await engine.query(q.pinot, 'timeoutMs=600000');
        const ms = msSince(start);
        if (result.exceptions.length > 0) throw new Error(`query ${q.name} failed in shardtable: ${JSON.stringify(result.exceptions)}\n${q.pinot}`);
        if (result.partialResult || result.numGroupsLimitReached) throw new Error(`query ${q.name} returned a partial result (numGroupsLimitReached)`);
        if (first) rows = normalise(result.rows);
        return ms;
      });
      ours.set(q.name, { ms: summarise(times), rows });
    }
    // The same queries through HTTP (`POST /query/sql` on loopback), answers compared too.
    const server = await startQueryServer('events', schema, () => ({ sealed, consuming: tail ? [tail] : [] }));
    const overHttp = new Map<string, { ms: Measurement; rows: Cell[][] }>();
    try {
      for (const q of queries) {
        let rows: Cell[][] = [];
        const times = await timeRuns(params.runs, async (first) => {
          const r = await server.query(q.pinot, 'timeoutMs=600000');
          if (r.exceptions.length > 0 || r.partialResult) throw new Error(`query ${q.name} failed through HTTP: ${JSON.stringify(r.exceptions)}`);
          if (first) rows = normalise(r.rows);
          return r.ms;
        });
        overHttp.set(q.name, { ms: summarise(times), rows });
      }
    } finally {
      await server.close();
    }
    const rssAfterQueriesMB = process.memoryUsage().rss / 2 ** 20;
    const peakRssShardtableMB = process.resourceUsage().maxRSS / 1024;

    // DuckDB phase: load the same rows (not timed), then the same queries.
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const duck = await instance.connect();
    const loadStart = process.hrtime.bigint();
    await duck.run(
      `CREATE TABLE events AS SELECT ts::BIGINT AS ts, customerId::INTEGER AS customerId, userId::BIGINT AS userId, country::VARCHAR AS country, ` +
        `eventType::VARCHAR AS eventType, status::INTEGER AS status, amount::DOUBLE AS amount, latencyMs::INTEGER AS latencyMs, ` +
        `string_split(tags, '|') AS tags FROM read_csv('${csvPath}', header = true, all_varchar = true)`,
    );
    const duckLoadSeconds = msSince(loadStart) / 1000;
    await duck.run(`SET threads = ${params.duckdbThreads}`);
    const perQuery: Record<string, unknown>[] = [];
    const mismatches: string[] = [];
    for (const q of queries) {
      const { rows, ms: theirs } = await timeDuckDb(duck, q.duckdb, params.runs);
      const mine = ours.get(q.name)!;
      const http = overHttp.get(q.name)!;
      const equal = sameRows(mine.rows, rows) && sameRows(http.rows, rows);
      if (!equal) mismatches.push(`${q.name}: shardtable ${JSON.stringify(mine.rows.slice(0, 5))} (HTTP ${JSON.stringify(http.rows.slice(0, 5))}) vs DuckDB ${JSON.stringify(rows.slice(0, 5))}`);
      const ratio = mine.ms.median / theirs.median;
      const httpRatio = http.ms.median / theirs.median;
      perQuery.push({ name: q.name, kind: q.kind, pinot: q.pinot, duckdb: q.duckdb, shardtableMs: mine.ms, shardtableHttpMs: http.ms, duckdbMs: theirs, ratio, httpRatio, resultRows: rows.length, equal });
      console.log(`query ${q.name.padEnd(20)} shardtable ${fmt(mine.ms.median)} ms (HTTP ${fmt(http.ms.median)})  duckdb ${fmt(theirs.median)} ms  ratio ${fmt(ratio)} (HTTP ${fmt(httpRatio)})`);
    }
    duck.closeSync();
    instance.closeSync();
    if (mismatches.length > 0) throw new Error(`query results differ from DuckDB:\n${mismatches.join('\n')}`);
    const ratios = perQuery.map((q) => q.ratio as number);
    const httpRatios = perQuery.map((q) => q.httpRatio as number);
    const selective = perQuery.filter((q) => q.kind === 'selective-index').map((q) => q.ratio as number);
    const result: BenchResult = {
      name: 'queries',
      machine: machineInfo(),
      params: { ...params, queryThreads, sealedSegments: sealed.length, sortedColumn: config.indexing.sortedColumn ?? null, invertedIndexColumns: config.indexing.invertedIndexColumns, noDictionaryColumns: config.indexing.noDictionaryColumns },
      metrics: {
        medianRatio: summarise(ratios).median,
        maxRatio: Math.max(...ratios),
        medianHttpRatio: summarise(httpRatios).median,
        maxHttpRatio: Math.max(...httpRatios),
        maxSelectiveRatio: selective.length ? Math.max(...selective) : Number.NaN,
        buildAndSealSeconds: buildSeconds,
        duckdbLoadSeconds: duckLoadSeconds,
        rssAtStartMB,
        rssWithSegmentsMB: rssAfterQueriesMB,
        peakRssShardtableMB,
        peakRssWithDuckdbMB: process.resourceUsage().maxRSS / 1024,
      },
      queries: perQuery,
    };
    console.log(`queries: median ratio ${fmt(summarise(ratios).median)}; peak RSS (shardtable phase) ${fmt(peakRssShardtableMB, 0)} MB`);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
