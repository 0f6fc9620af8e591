import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFreshness } from './freshness.js';
import { fmt, machineInfo, RESULTS_DIR, saveResult, spread } from './harness.js';
import type { BenchResult, Measurement } from './harness.js';
import { benchIngest } from './ingest.js';
import { benchMemory } from './memory.js';
import { benchQueries } from './queries.js';
import { benchSeal } from './seal.js';
import { benchSsb } from './ssb.js';
import { benchParallel } from './parallel.js';
import { benchUpsert } from './upsert.js';
import { benchDynamoDbLag } from './dynamodb-lag.js';
import { benchDynamoDbScan } from './dynamodb-scan.js';
import { benchStorage } from './storage.js';
import { benchIndexes } from './indexes.js';
import { benchBrokerFanout } from './broker-fanout.js';
import { benchCluster } from './cluster.js';

/** shardtable's query threads as a results file records them (older files have none). */
function threadsText(threads: unknown): string {
  return typeof threads === 'number' ? (threads === 0 ? 'main thread only' : `${threads} query worker thread(s)`) : 'main thread only';
}

const NOTES = join(process.cwd(), 'bench', 'notes.md');

const BENCHMARKS: Record<string, (quick: boolean) => Promise<BenchResult>> = {
  ingest: benchIngest,
  seal: benchSeal,
  freshness: benchFreshness,
  queries: benchQueries,
  ssb: benchSsb,
  parallel: benchParallel,
  memory: benchMemory,
  upsert: benchUpsert,
  'dynamodb-lag': benchDynamoDbLag,
  'dynamodb-scan': benchDynamoDbScan,
  storage: benchStorage,
  indexes: benchIndexes,
  'broker-fanout': benchBrokerFanout,
  cluster: benchCluster,
};

/**
 * `npm run bench [-- --quick]`: runs every benchmark with its baseline in the same process,
 * writes `bench/results/<name>.json` and rewrites `BENCHMARKS.md`.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  if (process.argv.includes('--report')) {
    const all: BenchResult[] = [];
    for (const name of Object.keys(BENCHMARKS)) {
      try {
        all.push(JSON.parse(await readFile(join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchResult);
      } catch {
        // never run: no row
      }
    }
    await writeFile(join(process.cwd(), 'BENCHMARKS.md'), markdown(all, quick));
    return;
  }
  const only = process.argv.indexOf('--only');
  if (only >= 0) {
    // Child mode: one benchmark in a fresh process, so its peak RSS and heap are its own.
    const name = process.argv[only + 1] ?? '';
    const bench = BENCHMARKS[name];
    if (!bench) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    await saveResult(await bench(quick));
    return;
  }
  const names = process.argv.filter((a, i) => i > 1 && !a.startsWith('--') && process.argv[i - 1] !== '--only');
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const results: BenchResult[] = [];
  const started = Date.now();
  for (const name of selected) {
    await runChild(name, quick);
    results.push(JSON.parse(await readFile(join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchResult);
  }
  // Keep the rows of benchmarks not run this time.
  for (const name of Object.keys(BENCHMARKS).filter((n) => !selected.includes(n))) {
    try {
      results.push(JSON.parse(await readFile(join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchResult);
    } catch {
      // never run: no row
    }
  }
  console.log(`all benchmarks: ${fmt((Date.now() - started) / 1000, 0)} s`);
  await writeFile(join(process.cwd(), 'BENCHMARKS.md'), markdown(results, quick));
}

function runChild(name: string, quick: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--only', name, ...(quick ? ['--quick'] : [])], {
      stdio: 'inherit',
      execArgv: ['--max-old-space-size=8192'],
      // As bin/shardtable.js does: the AWS SDK's Node 22 notice is noise in benchmark output.
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`benchmark ${name} failed (exit code ${String(code)})`))));
  });
}

function m(result: BenchResult | undefined, key: string): Measurement {
  return result?.metrics[key] as Measurement;
}

function n(result: BenchResult | undefined, key: string): number {
  return result?.metrics[key] as number;
}

function markdown(results: BenchResult[], quick: boolean): string {
  const machine = machineInfo();
  const find = (name: string): BenchResult | undefined => results.find((r) => r.name === name);
  const ingest = find('ingest');
  const seal = find('seal');
  const fresh = find('freshness');
  const queries = find('queries');
  const memory = find('memory');
  const upsert = find('upsert');
  const ddbLag = find('dynamodb-lag');
  const ddbScan = find('dynamodb-scan');
  const storage = find('storage');
  const indexes = find('indexes');
  const cluster = find('cluster');
  const lines = [
    '# Benchmarks',
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}. ` +
      `Mode: ${quick ? '`--quick`' : 'full'}. Each figure is the median of ${String(ingest?.params.runs ?? 5)} measured runs after a warm-up, with (min–max), ` +
      'unless it says otherwise. Each benchmark runs in its own process (so peak RSS is its own).',
    '',
    'Reproduce: `npm install && npm run bench` (add `-- --quick` for the short set; name benchmarks to run only those, e.g. ' +
      '`npm run bench -- --quick queries`; `-- --report` rewrites this file from `bench/results/*.json`). Raw numbers: `bench/results/*.json`.',
    '',
    '| benchmark | shardtable | baseline (same run) | ratio / target |',
    '|---|---|---|---|',
  ];
  if (ingest) {
    lines.push(
      `| ingest: decode + index of ${fmt(Number(ingest.params.records))} quickstart events (${String(ingest.params.columns)} columns, ${String(ingest.params.avgRecordBytes)} B each) | ` +
        `${fmt(n(ingest, 'engineRowsPerSec'))} rows/s/core, ${fmt(n(ingest, 'engineMBPerSec'))} MB/s/core; s: ${spread(m(ingest, 'engineSeconds'), 3)} | ` +
        `JSON.parse + typed-array append: ${fmt(n(ingest, 'baselineRowsPerSec'))} rows/s; s: ${spread(m(ingest, 'baselineSeconds'), 3)} | ` +
        `${fmt(n(ingest, 'ratioToBaseline'))} x baseline (target ≥ 0.8) |`,
    );
  }
  if (seal) {
    lines.push(
      `| seal: ${fmt(Number(seal.params.rows))} rows → segment file | ${spread(m(seal, 'sealSeconds'))} s; ${fmt(n(seal, 'fileBytes') / 1e6)} MB; event loop blocked up to ${fmt(n(seal, 'maxEventLoopBlockMs'), 0)} ms in the measured runs` +
        (seal.metrics.warmUpEventLoopBlockMs === undefined ? '' : ` (${fmt(n(seal, 'warmUpEventLoopBlockMs'), 0)} ms in the warm-up seal, the worker thread's first)`) +
        (seal.metrics.p99EventLoopDelayMs === undefined ? '' : `; p99 loop delay ${spread(m(seal, 'p99EventLoopDelayMs'), 0)} ms; longest main-thread GC pause ${spread(m(seal, 'longestMainThreadGcPauseMs'), 0)} ms`) +
        ' | ' +
        `JSON input: ${fmt(Number(seal.params.jsonBytes) / 1e6)} MB | file = ${fmt(100 * n(seal, 'fileToJsonRatio'), 1)} % of JSON (target ≤ 25 %); seal target ≤ 2 s per 1M rows, loop block ≤ 100 ms |`,
    );
  }
  if (fresh) {
    const p = fresh.params;
    lines.push(
      `| freshness: kinesalite, ${String(p.shards)} shards, ${fmt(Number(p.recordsPerSecond))} records/s for ${String(p.seconds)} s (${fmt(Number(p.records))} records); ` +
        `requests_per_second_limit ${String(p.requestsPerSecondLimit)}, minFetchPeriod ${String(p.minFetchPeriodMs)} ms; PutRecords ack → row returned by a query, polled every ${String(p.pollMs)} ms | ` +
        `p50 ${fmt(n(fresh, 'tableP50Ms'), 0)} ms, p95 ${fmt(n(fresh, 'tableP95Ms'), 0)} ms, p99 ${fmt(n(fresh, 'tableP99Ms'), 0)} ms (max ${fmt(n(fresh, 'tableMaxMs'), 0)}) | ` +
        `bare GetRecords loop at the same pace, ack → first response holding the record: p50 ${fmt(n(fresh, 'baselineP50Ms'), 0)}, p95 ${fmt(n(fresh, 'baselineP95Ms'), 0)}, p99 ${fmt(n(fresh, 'baselineP99Ms'), 0)} ms | ` +
        `table adds ${fmt(n(fresh, 'tableP50Ms') - n(fresh, 'baselineP50Ms'), 0)} ms at p50, ${fmt(n(fresh, 'tableP99Ms') - n(fresh, 'baselineP99Ms'), 0)} ms at p99 (target p99 ≤ 1 s) |`,
    );
  }
  if (ddbLag) {
    const p = ddbLag.params;
    lines.push(
      `| dynamodb-lag: moto, ${String(p.writesPerSecond)} PutItem/s for ${String(p.seconds)} s (${String(p.writes)} writes), poll interval ${String(p.pollIntervalMs)} ms; PutItem ack → row returned by a query | ` +
        `p50 ${fmt(n(ddbLag, 'tableP50Ms'), 0)} ms, p99 ${fmt(n(ddbLag, 'tableP99Ms'), 0)} ms | ` +
        `bare GetRecords loop on the same stream at the same interval: p50 ${fmt(n(ddbLag, 'baselineP50Ms'), 0)}, p99 ${fmt(n(ddbLag, 'baselineP99Ms'), 0)} ms | ` +
        `target p99 ≤ 1 s${p.quick === true ? ' (`--quick`)' : ''} |`,
    );
  }
  if (ddbScan) {
    const p = ddbScan.params;
    lines.push(
      `| dynamodb-scan: moto, initial scan load of ${fmt(Number(p.items))} items (${String(p.segments)} segments) until STREAMING; and ${fmt(Number(p.cappedItems))} items under a ${String(p.cappedRcu)} RCU/s cap | ` +
        `${fmt(n(ddbScan, 'tableItemsPerSec'), 0)} items/s (${fmt(m(ddbScan, 'tableSeconds').median, 2)} s); capped: ${fmt(n(ddbScan, 'cappedItemsPerSec'), 0)} items/s, ${fmt(n(ddbScan, 'cappedUnitsPerSec'), 1)} units/s charged | ` +
        `bare parallel Scan loop (ConsistentRead, pages of 1,000, no budget): ${fmt(n(ddbScan, 'baselineItemsPerSec'), 0)} items/s | ` +
        `${fmt(n(ddbScan, 'ratioToBaseline'))} x baseline; capped run within the cap${p.quick === true ? ' (`--quick`)' : ''} |`,
    );
  }
  if (queries) {
    const p = queries.params;
    lines.push(
      `| queries: ${queries.queries?.length ?? 0} queries over ${fmt(Number(p.rows))} rows (${String(p.sealedSegments)} sealed segments + ${fmt(Number(p.consumingRows))} consuming rows) | ` +
        `see the query table below; peak RSS ${fmt(n(queries, 'peakRssShardtableMB'), 0)} MB (build, seal and queries; ${fmt(n(queries, 'rssWithSegmentsMB'), 0)} MB resident while querying) | ` +
        `shardtable ${threadsText(p.queryThreads)}, DuckDB ${String(p.duckdbThreads)} thread(s), same rows, in process | median ratio ${fmt(n(queries, 'medianRatio'))} x DuckDB (target ≤ 2.0); worst selective-index ratio ${fmt(n(queries, 'maxSelectiveRatio'))} (target < 1.0) |`,
    );
  }
  if (memory) {
    lines.push(
      `| memory: ${fmt(Number(memory.params.rows))} generated rows (${String(memory.params.columns)} columns) | ` +
        `consuming: ${fmt(n(memory, 'consumingHeapBytesPerRow'), 1)} B/row measured (heap + off-heap after GC), ${fmt(n(memory, 'consumingEstimatedBytesPerRow'), 1)} B/row estimated; ` +
        `sealed: ${fmt(n(memory, 'sealedFileBytesPerRow'), 1)} B/row on disk, ${fmt(n(memory, 'sealedResidentBytesPerRow'), 1)} B/row resident once opened, ${fmt(n(memory, 'sealedResidentAfterScanBytesPerRow'), 1)} after a full scan | ` +
        `raw columnar bytes: ${fmt(n(memory, 'rawColumnarBytesPerRow'), 1)} B/row | consuming = ${fmt(n(memory, 'consumingToRawRatio'))} x raw (target ≤ 1.5) |`,
    );
  }
  if (upsert) {
    lines.push(
      `| upsert: ${fmt(Number(upsert.params.ingestRows))} clickstream records decoded and indexed (upsert keyed by userId) and ${fmt(Number(upsert.params.ingestRows))} rows indexed (LONG key); ${fmt(Number(upsert.params.rows))} rows / ${fmt(Number(upsert.params.keys))} keys for restart and query | ` +
        `record path s: ${spread(m(upsert, 'upsertRecordPathSeconds'), 3)}; index only s: ${spread(m(upsert, 'upsertIngestSeconds'), 3)}; key map ${fmt(n(upsert, 'keyMapBytesPerLongKey'), 1)} B/LONG key, ${fmt(n(upsert, 'keyMapBytesPerStringKey'), 1)} B/16-byte STRING key; ` +
        `restart (rebuild) s: ${spread(m(upsert, 'restartSeconds'), 3)}; GROUP BY query ms: ${spread(m(upsert, 'upsertQueryMs'), 1)} | ` +
        `append table, same events: record path s ${spread(m(upsert, 'appendRecordPathSeconds'), 3)}, index only s ${spread(m(upsert, 'appendIngestSeconds'), 3)}, query ms ${spread(m(upsert, 'appendQueryMs'), 1)} | ` +
        `record path ${fmt(n(upsert, 'recordPathRatio'))} x append (target ≥ 0.7; index only ${fmt(n(upsert, 'ingestRatio'))} x); query ${fmt(n(upsert, 'queryOverhead'))} x append (target ≤ 1.3); LONG key target ≤ 64 B |`,
    );
  }
  if (indexes) {
    const added = (t: string): string => `${t} +${fmt(n(indexes, `${t}AddedSeconds`), 3)} s, +${fmt(n(indexes, `${t}AddedBytes`) / 1e6, 2)} MB`;
    lines.push(
      `| indexes: build cost at seal, ${fmt(Number(indexes.params.rows))} rows (JSON, LONG id, DOUBLE, message, time, two dimensions) | ` +
        `plain seal ${spread(m(indexes, 'noneSealSeconds'), 3)} s, ${fmt(n(indexes, 'noneFileBytes') / 1e6, 2)} MB; ${added('json')} (JSON index); ${added('bloom')} (bloom filter, fpp 0.01); ${added('range')} (range index); ` +
        `${added('text')} (text index); ${added('timestamp')} (timestamp index DAY+HOUR); ${added('starTree')} (star-tree, 2 dimensions) | ` +
        `the plain seal of the same rows | added time and bytes per index type (no target) |`,
    );
    if (indexes.metrics.rangeWithMs !== undefined) {
      const q = Number(indexes.params.queryRows);
      const pair = (c: string): string => `${spread(m(indexes, `${c}WithMs`), 1)} ms vs ${spread(m(indexes, `${c}WithoutMs`), 1)} ms (${fmt(n(indexes, `${c}Speedup`))} x)`;
      lines.push(
        `| indexes: queries over ${fmt(q)} rows in ${String(indexes.params.segments)} sealed segments, with vs without the index | ` +
          `range 0.1 %: ${pair('range')}; bloom: ${String(n(indexes, 'bloomSegmentsPruned'))} of ${String(n(indexes, 'bloomSegmentsQueried'))} segments pruned (${pair('bloom')}); ` +
          `TEXT_MATCH vs LIKE: ${pair('text')}; GROUP BY DATETRUNC: ${pair('timestampGroupBy')}; WHERE DATETRUNC: ${pair('timestampWhere')}; ` +
          `star-tree GROUP BY 2 dims SUM+COUNT: ${pair('starTree')}, DuckDB ${spread(m(indexes, 'starTreeDuckdbMs'), 1)} ms (${fmt(n(indexes, 'starTreeRatioToDuckdb'))} x) | ` +
          `the same query without the index (plain table, LIKE, or useStarTree=false) | at 10M rows: range ≥ 5x, bloom prunes ≥ 90 %, star-tree ≥ 20x and ≤ 0.2x DuckDB${q === 10_000_000 ? '' : ' (this run: reduced size)'} |`,
      );
    }
  }
  if (cluster) {
    const p = cluster.params;
    lines.push(
      `| cluster${p.quick === true ? ' (`--quick` size)' : ''}: moto + kinesalite, \`serve --cluster\` processes, ${String(p.shards)}-shard stream, lease timeout ${fmt(Number(p.leaseTimeoutMs) / 1000, 0)} s; ingest of ${fmt(Number(p.batch))} records; ${String(p.trials)} kill -9 trials at ${String(p.failoverRecordsPerSec)} records/s | ` +
        `failover (kill -9 → every lease of the killed server held by a live server and a record put after the kill on each of its shards queryable): p50 ${fmt(n(cluster, 'failoverConsumedP50Ms'), 0)} ms, max ${fmt(n(cluster, 'failoverConsumedMaxMs'), 0)} ms (leases taken: p50 ${fmt(n(cluster, 'failoverLeasesP50Ms'), 0)}, max ${fmt(n(cluster, 'failoverLeasesMaxMs'), 0)} ms${cluster.metrics.failoverWholeP50Ms === undefined ? '' : `; whole answers again: p50 ${fmt(n(cluster, 'failoverWholeP50Ms'), 0)}, max ${fmt(n(cluster, 'failoverWholeMaxMs'), 0)} ms`}); ` +
        `ingest ${fmt(n(cluster, 'ingest1RecordsPerSec'), 0)} / ${fmt(n(cluster, 'ingest2RecordsPerSec'), 0)} / ${fmt(n(cluster, 'ingest3RecordsPerSec'), 0)} records/s with 1 / 2 / 3 servers; exactly once after the trials: ${n(cluster, 'exactlyOnceAfterFailovers') === 1 ? 'yes' : 'NO'} | ` +
        `server CPU per 1,000 records: ${fmt(n(cluster, 'serverCpuMsPer1000Records1'), 0)} ms (1 server), ${fmt(n(cluster, 'serverCpuMsPer1000Records3'), 0)} ms (3 servers, summed) | ` +
        `failover target: lease timeout + one fetch; 2 cores: the machine is the ceiling (bench/notes.md: 10-machine model) |`,
    );
  }
  if (storage) {
    const p = storage.params;
    lines.push(
      `| storage${p.segments === 100 && p.rowsPerSegment === 1_000_000 ? '' : p.rowsPerSegment === 1_000_000 ? ' (reduced size)' : ' (`--quick` size)'}: ${String(p.segments)} segments × ${fmt(Number(p.rowsPerSegment))} rows (${fmt(Number(p.fileMB))} MiB on disk), ${queries?.queries?.length ?? 15} queries under a ${String(p.budgetMb)} MiB memory budget | ` +
        `ready (open every segment, footers only) ${fmt(n(storage, 'readyFooterOnlyMs'), 0)} ms, first answer ${fmt(n(storage, 'firstAnswerMs'), 0)} ms; query medians: warm ${fmt(n(storage, 'medianBudgetWarmMs'))} ms, cold ${fmt(n(storage, 'medianBudgetColdMs'))} ms; cache peak ${fmt(n(storage, 'peakCacheMB'))} MiB, peak RSS ${fmt(n(storage, 'peakRssUnderBudgetMB') || n(storage, 'rssUnderBudgetMB'), 0)} MiB; ` +
        `compaction ${fmt(n(storage, 'compactionRowsPerSec'), 0)} rows/s, a GROUP BY ${spread(m(storage, 'queryQuietMs'))} ms alone vs ${spread(m(storage, 'queryWhileMergingMs'))} ms while merging | ` +
        `whole-file CRC at open ${fmt(n(storage, 'readyFullChecksumMs'), 0)} ms; all in memory (${fmt(n(storage, 'decodedMBInMemoryRun'))} MiB decoded): median ${fmt(n(storage, 'medianInMemoryMs'))} ms | ` +
        (storage.metrics.warmMedianRatio === undefined
          ? `warm ${fmt(n(storage, 'medianWarmRatio'))} x in-memory (median of per-query ratios; target ≤ 1.2)`
          : `warm median ${fmt(n(storage, 'warmMedianRatio'))} x the in-memory median (target ≤ 1.2); sum of warm times ${fmt(n(storage, 'warmSumRatio'))} x; median of per-query ratios ${fmt(n(storage, 'medianWarmRatio'))} x; compressed tier ${String(n(storage, 'compressedTierPercent'))} % of the budget`) +
        '; ready target ≤ 5 s; peak RSS target ≤ 1.5 GB with a 1 GiB budget |',
    );
  }
  if (queries?.queries) {
    lines.push(
      '',
      `## Queries (${fmt(Number(queries.params.rows))} rows)`,
      '',
      `Sorted column \`${String(queries.params.sortedColumn)}\`, inverted indexes on ${(queries.params.invertedIndexColumns as string[]).map((c) => `\`${c}\``).join(', ')}, ` +
        `raw (no dictionary) ${(queries.params.noDictionaryColumns as string[]).map((c) => `\`${c}\``).join(', ')}. Latency in ms: median (min–max) of at least ${String(queries.params.runs)} runs after a warm-up (fast queries: warm-up and runs repeat for 300 ms, up to 20 and 50 times); ` +
        'shardtable times `QueryEngine.query` (parse, plan, execute) and, through HTTP, `POST /query/sql` on loopback as the client sees it; DuckDB times `runAndReadAll`. ' +
          `Results (both ways) are compared; a mismatch fails the run. Median ratio ${fmt(n(queries, 'medianRatio'))} in process` +
          (queries.metrics.medianHttpRatio === undefined ? '.' : `, ${fmt(n(queries, 'medianHttpRatio'))} through HTTP (worst ${fmt(n(queries, 'maxRatio'))} and ${fmt(n(queries, 'maxHttpRatio'))}).`),
      '',
      '| query | kind | shardtable ms | through HTTP ms | DuckDB ms | ratio | HTTP ratio | Pinot SQL |',
      '|---|---|---|---|---|---|---|---|',
      ...queries.queries.map(
        (q) =>
          `| ${String(q.name)} | ${String(q.kind)} | ${spread(q.shardtableMs as Measurement)} | ${q.shardtableHttpMs ? spread(q.shardtableHttpMs as Measurement) : '–'} | ${spread(q.duckdbMs as Measurement)} | ${fmt(q.ratio as number)} | ${q.httpRatio === undefined ? '–' : fmt(q.httpRatio as number)} | \`${String(q.pinot).replace(/\|/g, '\\|')}\` |`,
      ),
    );
  }
  const ssb = find('ssb');
  if (ssb?.queries) {
    const p = ssb.params;
    lines.push(
      '',
      `## Star Schema Benchmark (${fmt(Number(p.rows))} rows of lineorder_flat)`,
      '',
      `The 13 SSB queries over a flattened \`lineorder\` generated in process (\`bench/generated-table.ts\`: dbgen's distributions approximated), ` +
        `${String(p.sealedSegments)} sealed segments + ${fmt(Number(p.consumingRows))} consuming rows; sorted column \`${String(p.sortedColumn)}\`, ` +
        `inverted indexes on ${(p.invertedIndexColumns as string[]).map((c) => `\`${c}\``).join(', ')}. shardtable ${threadsText(p.queryThreads)}, DuckDB ${String(p.duckdbThreads)} thread(s), same rows, in process. ` +
        'In process: `QueryEngine.query`; HTTP: `POST /query/sql` on loopback, the client\'s wall time (request, execution, JSON both ways). Every answer (both ways) equals DuckDB\'s or the run fails. ' +
        `Median ratio ${fmt(n(ssb, 'medianRatio'))} in process (worst ${fmt(n(ssb, 'maxRatio'))}), ${fmt(n(ssb, 'medianHttpRatio'))} through HTTP (worst ${fmt(n(ssb, 'maxHttpRatio'))}).`,
      '',
      '| query | shardtable ms | through HTTP ms | DuckDB ms | ratio | HTTP ratio | rows | Pinot SQL |',
      '|---|---|---|---|---|---|---|---|',
      ...ssb.queries.map(
        (q) =>
          `| ${String(q.name)} | ${spread(q.shardtableMs as Measurement)} | ${spread(q.shardtableHttpMs as Measurement)} | ${spread(q.duckdbMs as Measurement)} | ${fmt(q.ratio as number)} | ${fmt(q.httpRatio as number)} | ${String(q.resultRows)} | \`${String(q.pinot).replace(/\|/g, '\\|')}\` |`,
      ),
    );
  }
  const parallel = find('parallel');
  if (parallel?.queries) {
    const p = parallel.params;
    lines.push(
      '',
      `## Query worker threads, 1 against 2 (${fmt(Number(p.rows))} rows)`,
      '',
      `The 15 queries above over ${String(p.sealedSegments)} sealed segments + ${fmt(Number(p.consumingRows))} consuming rows, on the main thread alone (no pool), on a pool of 1 and of 2 query worker threads, ` +
        `and DuckDB with 1 and 2 threads; the five set-ups take turns within each of ${String(p.rounds)} rounds (medians), so a change of load touches all alike, after each has run the query for a second and at least ${String(p.settleMinRuns ?? 3)} times (the workers' isolates compile their own code, and V8 optimises by calls: bench/notes.md). ` +
        `The pools decide per query with the cost estimate, and a query's workers share its segments through a work-stealing queue. ` +
        `Scans and aggregations (the ${String(n(parallel, 'scanQueries'))} queries of kinds filter, group-by, top-k, aggregate, time-bucket and multi-value; not the selective index lookups nor \`count\`, which reads row counts only): ` +
        `1 → 2 threads x${fmt(n(parallel, 'scanSpeedupGeoMean'))} (geometric mean; DuckDB x${fmt(n(parallel, 'duckdbScanSpeedupGeoMean'))}; target x1.7 at 10M rows); over all 15 queries x${fmt(n(parallel, 'allSpeedupGeoMean'))}. ` +
        `A pool of 2 against the main thread alone (no pool): x${fmt(n(parallel, 'scanPoolOf2VsMainGeoMean'))} on scans and aggregations, x${fmt(n(parallel, 'poolOf2VsMainGeoMean'))} over all 15 (worst query x${fmt(n(parallel, 'poolOf2VsMainMin'))}; above 1: the pool is faster). ` +
        `Memory while querying (a fresh process per set-up opens the sealed files and answers the 15 queries twice under the default memory budget): peak RSS ${fmt(n(parallel, 'peakRssMainThreadMB'), 0)} MiB on the main thread alone, ` +
        `${fmt(n(parallel, 'peakRssPoolOf2MB'), 0)} MiB with the pool of 2 (every thread's heap and block cache; the budget split between the main thread and the workers), x${fmt(n(parallel, 'peakRssPoolOf2VsMain'))} (target ≤ x1.2). ` +
        `The timed rounds keep all three set-ups in one process, with the budget raised to 4x the default so that each thread's cache has a server's room. ` +
        `Median ratio to DuckDB with the same threads: ${fmt(n(parallel, 'medianRatio1Thread'))} (1), ${fmt(n(parallel, 'medianRatio2Threads'))} (2). ` +
        `Load average on the ${String(parallel.machine.cores)}-core machine: ${fmt(n(parallel, 'loadAverageBefore'), 1)} before, ${fmt(n(parallel, 'loadAverageAfter'), 1)} after.`,
      '',
      '| query | kind | main thread only ms | shardtable 1 thread ms | 2 threads ms | speed-up | DuckDB 1 thread ms | 2 threads ms | DuckDB speed-up | ratio 1 | ratio 2 |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...parallel.queries.map(
        (q) =>
          `| ${String(q.name)} | ${String(q.kind)} | ${q.mainThreadMs ? spread(q.mainThreadMs as Measurement) : '–'} | ${spread(q.shardtable1Ms as Measurement)} | ${spread(q.shardtable2Ms as Measurement)} | ${fmt(q.speedup as number)} | ${spread(q.duckdb1Ms as Measurement)} | ${spread(q.duckdb2Ms as Measurement)} | ${fmt(q.duckdbSpeedup as number)} | ${fmt(q.ratio1 as number)} | ${fmt(q.ratio2 as number)} |`,
      ),
    );
  }
  const fanout = find('broker-fanout');
  if (fanout?.queries) {
    const p = fanout.params;
    lines.push(
      '',
      `## Cluster broker fan-out, 3 servers against 1 (${fmt(Number(p.rows))} rows)`,
      '',
      `The 15 queries above over HTTP: one server holding ${String(p.sealedSegments)} sealed segments + ${fmt(Number(p.consumingRows))} consuming rows, against a cluster broker whose ` +
        `table is spread over ${String(p.servers)} servers (list, scatter over \`/internal/cluster/\`, \`node:v8\` partials, merge), all in one process: the difference is the fan-out's cost, ` +
        `not a gain from more machines. ${String(p.rounds)} interleaved rounds, medians. 3 servers / 1 server: x${fmt(n(fanout, 'ratioGeoMean'))} (geometric mean), median overhead ` +
        `${fmt(n(fanout, 'medianOverheadMs'))} ms. Load average: ${fmt(n(fanout, 'loadAverageBefore'), 1)} before, ${fmt(n(fanout, 'loadAverageAfter'), 1)} after.`,
      '',
      '| query | kind | 1 server ms | 3 servers ms | ratio | overhead ms |',
      '|---|---|---|---|---|---|',
      ...fanout.queries.map((q) => `| ${String(q.name)} | ${String(q.kind)} | ${spread(q.oneServerMs as Measurement)} | ${spread(q.threeServersMs as Measurement)} | ${fmt(q.ratio as number)} | ${fmt(q.overheadMs as number)} |`),
    );
  }
  // Hand-written analysis (profiles, why a target is missed) survives regeneration.
  if (existsSync(NOTES)) lines.push('', readFileSync(NOTES, 'utf8').trimEnd());
  lines.push('');
  return lines.join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
