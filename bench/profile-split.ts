import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARALLEL_MIN_ROWS, QueryEngine, QueryPool, consumingSnapshot, sealedSnapshot } from '../src/query/index.js';
import type { SegmentSnapshot } from '../src/query/index.js';
import { buildSegments, eventsTable } from './generated-table.js';
import { benchQueryList } from './queries.js';

/**
 * `node dist/bench/profile-split.js <rows> [rounds] [query name...]`: builds the `parallel`
 * benchmark's table (8 sealed segments of rows / 8, a consuming one of a quarter of that), then
 * runs each named query (default: the three the pool used to decline) on the main thread and on
 * pools of 1 and 2 threads, interleaved, and prints the medians of the wall time, of the main
 * thread's CPU time (`/proc/thread-self/schedstat`) and of the process's CPU time (every thread),
 * per query (with SHARDTABLE_PROFILE_SPLIT_SEGMENTS=1 also the pool of 2 splitting by segments
 * only), and of the CPU time of the busiest thread. CPU time is steadier than wall time on a shared machine: with 2 threads a split that
 * works keeps the process's CPU near the 1-thread figure while the wall time halves.
 */
async function main(): Promise<void> {
  const [rowsText = '3000000', roundsText = '11', ...names] = process.argv.slice(2);
  const rows = Number(rowsText);
  const rounds = Number(roundsText);
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-profile-split-'));
  const table = eventsTable();
  const { schema } = table;
  const rowsPerSegment = Math.floor(rows / 8);
  const { sealed, consuming } = await buildSegments(table, { rows, rowsPerSegment, consumingRows: Math.floor(rowsPerSegment / 4) }, dir);
  const snapshot = (): SegmentSnapshot[] => [...sealed.map((s) => sealedSnapshot(s)), ...(consuming ? [consumingSnapshot(consuming)] : [])];
  const resolver = { resolve: () => ({ name: 'events', schema, snapshot }) };
  const pools = [new QueryPool(1), new QueryPool(2)];
  for (const p of pools) await p.whenReady();
  const engines = [new QueryEngine(resolver, { parallel: null }), ...pools.map((pool) => new QueryEngine(resolver, { parallel: { pool, minRows: DEFAULT_PARALLEL_MIN_ROWS } }))];
  const labels = ['main', 'pool of 1', 'pool of 2'];
  // `segments`: the pool of 2 splitting every query by segments (no group-share rule, no key partitions), for comparison.
  if (process.env.SHARDTABLE_PROFILE_SPLIT_SEGMENTS === '1') {
    engines.push(new QueryEngine(resolver, { parallel: { pool: pools[1]!, minRows: DEFAULT_PARALLEL_MIN_ROWS, maxGroupShare: Number.POSITIVE_INFINITY, partitioned: false, orderedSelections: true } }));
    labels.push('pool of 2 by segments');
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const threadCpuMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  const processCpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  /** ns on CPU per thread of the process (by thread id). */
  const threadsCpu = (): Map<string, number> => {
    const out = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
      } catch {
        // The thread ended.
      }
    }
    return out;
  };
  /** The most CPU one thread took between two `threadsCpu` readings, in ms: the critical path when no thread waits for a core. */
  const busiestMs = (a: Map<string, number>, b: Map<string, number>): number => {
    let most = 0;
    for (const [tid, ns] of b) most = Math.max(most, ns - (a.get(tid) ?? 0));
    return most / 1e6;
  };
  const list = benchQueryList(rows);
  const load = loadavg()[0]!;
  for (const name of names.length > 0 ? names : ['group-high-card-top', 'distinctcount', 'top-k-rows']) {
    const q = list.find((x) => x.name === name);
    if (!q) throw new Error(`no query ${name}`);
    const wall = engines.map((): number[] => []);
    const mainCpu = engines.map((): number[] => []);
    const allCpu = engines.map((): number[] => []);
    const busiest = engines.map((): number[] => []);
    let answer: string | null = null;
    for (let i = 0; i < rounds + 2; i++) {
      for (const [k, engine] of engines.entries()) {
        const t0 = performance.now();
        const c0 = threadCpuMs();
        const p0 = processCpuMs();
        const s0 = threadsCpu();
        const r = await engine.query(q.pinot, 'timeoutMs=600000');
        const t1 = performance.now();
        const s1 = threadsCpu();
        if (r.exceptions.length > 0) throw new Error(JSON.stringify(r.exceptions));
        const rowsText = JSON.stringify(r.rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        if (answer === null) answer = rowsText;
        else if (answer !== rowsText) throw new Error(`${name}: ${labels[k]} answered ${rowsText}, the main thread ${answer}`);
        if (i < 2) continue;
        wall[k]!.push(t1 - t0);
        mainCpu[k]!.push(threadCpuMs() - c0);
        allCpu[k]!.push(processCpuMs() - p0);
        busiest[k]!.push(busiestMs(s0, s1));
      }
    }
    const cells = engines.map((_, k) => `${labels[k]} ${median(wall[k]!).toFixed(1)} ms (cpu main ${median(mainCpu[k]!).toFixed(1)}, busiest thread ${median(busiest[k]!).toFixed(1)}, all ${median(allCpu[k]!).toFixed(1)})`);
    console.log(`${name.padEnd(20)} ${cells.join('  ')}  1→2 wall x${(median(wall[1]!) / median(wall[2]!)).toFixed(2)}, busiest thread x${(median(busiest[1]!) / median(busiest[2]!)).toFixed(2)}`);
  }
  console.log(`rows ${rows}, rounds ${rounds}, load ${load.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  for (const p of pools) await p.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
