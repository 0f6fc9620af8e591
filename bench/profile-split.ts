import { readFileSync } from 'node:fs';
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
 * per query. CPU time is steadier than wall time on a shared machine: with 2 threads a split that
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
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const threadCpuMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  const processCpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const list = benchQueryList(rows);
  const load = loadavg()[0]!;
  for (const name of names.length > 0 ? names : ['group-high-card-top', 'distinctcount', 'top-k-rows']) {
    const q = list.find((x) => x.name === name);
    if (!q) throw new Error(`no query ${name}`);
    const wall = engines.map((): number[] => []);
    const mainCpu = engines.map((): number[] => []);
    const allCpu = engines.map((): number[] => []);
    let answer: string | null = null;
    for (let i = 0; i < rounds + 2; i++) {
      for (const [k, engine] of engines.entries()) {
        const t0 = performance.now();
        const c0 = threadCpuMs();
        const p0 = processCpuMs();
        const r = await engine.query(q.pinot, 'timeoutMs=600000');
        const t1 = performance.now();
        if (r.exceptions.length > 0) throw new Error(JSON.stringify(r.exceptions));
        const rowsText = JSON.stringify(r.rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        if (answer === null) answer = rowsText;
        else if (answer !== rowsText) throw new Error(`${name}: ${labels[k]} answered ${rowsText}, the main thread ${answer}`);
        if (i < 2) continue;
        wall[k]!.push(t1 - t0);
        mainCpu[k]!.push(threadCpuMs() - c0);
        allCpu[k]!.push(processCpuMs() - p0);
      }
    }
    const cells = engines.map((_, k) => `${labels[k]} ${median(wall[k]!).toFixed(1)} ms (cpu main ${median(mainCpu[k]!).toFixed(1)}, all ${median(allCpu[k]!).toFixed(1)})`);
    console.log(`${name.padEnd(20)} ${cells.join('  ')}  1→2 x${(median(wall[1]!) / median(wall[2]!)).toFixed(2)}`);
  }
  console.log(`rows ${rows}, rounds ${rounds}, load ${load.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  for (const p of pools) await p.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
