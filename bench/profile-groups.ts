import { loadTableSegments } from '../src/segment/index.js';
import { blockCache } from '../src/segment/reader/block-cache.js';
import { QueryEngine, sealedSnapshot } from '../src/query/index.js';
import { eventsTable } from './generated-table.js';

const MIB = 2 ** 20;

/** The high-cardinality group tables under study (issues 14 and 16), over the `events` table. */
const QUERIES: Record<string, string> = {
  'group-high-card-top': 'SELECT userId, count(*) AS n FROM events GROUP BY userId ORDER BY n DESC, userId LIMIT 10',
  distinctcount: 'SELECT DISTINCTCOUNT(userId) FROM events',
  'group-two-long': 'SELECT userId, ts, count(*) AS n FROM events GROUP BY userId, ts ORDER BY n DESC, userId, ts LIMIT 10',
  // ts is unique per row: as many groups (distinct values) as rows, 10M at 10M rows (the 100M run's userId count).
  'group-ts-top': 'SELECT ts, count(*) AS n FROM events GROUP BY ts ORDER BY n DESC, ts LIMIT 10',
  'distinctcount-ts': 'SELECT DISTINCTCOUNT(ts) FROM events',
  'group-high-card-aggs': 'SELECT userId, count(*), sum(amount), max(latencyMs) FROM events GROUP BY userId ORDER BY sum(amount) DESC, userId LIMIT 10',
};

/**
 * `node --expose-gc dist/bench/profile-groups.js <segment dir> <query name> [runs]`: opens the
 * sealed segments a storage bench run left in `<segment dir>` (`SHARDTABLE_BENCH_STORAGE_DIR`),
 * runs one query `runs` times (default 2) with a cache large enough for the data
 * (`SHARDTABLE_PROFILE_BUDGET_MB`, default 4096) and prints, per run, the time, the process's
 * resident memory after a full GC before the run, its peak during the run (sampled every 10 ms)
 * and the peak of V8's heap plus array buffers, so the query's working memory is the peak over
 * the base. One query per process: a peak is sticky. For bench/notes.md (issue 16, group tables).
 * Works against an older `dist` too (it uses only long-standing exports).
 */
async function main(): Promise<void> {
  const [dir, name, runsText = '2'] = process.argv.slice(2);
  const sql = QUERIES[name ?? ''];
  if (dir === undefined || sql === undefined) throw new Error(`usage: profile-groups <segment dir> <${Object.keys(QUERIES).join('|')}> [runs]`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  blockCache.resize(Number(process.env.SHARDTABLE_PROFILE_BUDGET_MB ?? 4096) * MIB);
  const { schema } = eventsTable();
  const sealed = (await loadTableSegments(dir, { tableName: 'events', verifyChecksum: false })).segments;
  const engine = new QueryEngine({ resolve: () => ({ name: 'events', schema, snapshot: () => sealed.map((s) => sealedSnapshot(s)) }) });
  for (let run = 0; run < Number(runsText); run++) {
    gc();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed + base.arrayBuffers;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
    };
    const timer = setInterval(sample, 10);
    const start = performance.now();
    const r = await engine.query(sql, 'timeoutMs=600000;numGroupsLimit=10000000');
    const ms = performance.now() - start;
    sample();
    clearInterval(timer);
    if (r.exceptions.length > 0) throw new Error(JSON.stringify(r.exceptions));
    const rows = JSON.stringify(r.rows.slice(0, 3), (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const mb = (x: number): string => (x / MIB).toFixed(0);
    console.log(
      `${name} run ${run}: ${ms.toFixed(0)} ms  rss base ${mb(base.rss)} peak ${mb(peakRss)} (+${mb(peakRss - base.rss)}) MiB  ` +
        `heap+buffers base ${mb(base.heapUsed + base.arrayBuffers)} peak ${mb(peakHeap)} (+${mb(peakHeap - base.heapUsed - base.arrayBuffers)}) MiB  cache ${mb(blockCache.stats().bytes)} MiB  ${rows}`,
    );
  }
  gc();
  const end = process.memoryUsage();
  console.log(`${name} after the runs and a full GC: rss ${(end.rss / MIB).toFixed(0)} MiB, heap used ${(end.heapUsed / MIB).toFixed(0)} MiB, array buffers ${(end.arrayBuffers / MIB).toFixed(0)} MiB (cache ${(blockCache.stats().bytes / MIB).toFixed(0)} MiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
