import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { QueryEngine, QueryPool, sealedSnapshot } from '../src/query/index.js';
import { openSegment } from '../src/segment/open-segment.js';
import { blockCache } from '../src/segment/reader/block-cache.js';
import { eventsTable } from './generated-table.js';
import { benchQueryList } from './queries.js';

/**
 * `node [--cpu-prof --cpu-prof-dir=DIR] dist/bench/profile-threads.js <set-ups> <rows> <rounds> <segment file>... [-- <query name>...]`:
 * CPU time per thread of queries over sealed segment files (the `parallel` benchmark's `events`
 * table of `rows` rows, e.g. kept from a run). `set-ups` is a comma list: 0 = the main thread
 * alone, n = a pool of n threads (every query the pool takes goes to it: `minRows` 0), `np` the
 * same with key partitions (`partitioned: true`), e.g. `0,1,2,2p`; they run in one process, interleaved per round, so a change of load touches all alike
 * (the memory budget is raised to 4x, as in the `parallel` bench). For each query and set-up,
 * over `rounds` runs after two warm-ups: the median wall time and the median CPU time per run of
 * the main thread, of each pool thread, and of the process's other threads (V8's GC and compiler
 * helpers, libuv), read from `/proc/self/task/<tid>/schedstat` (ns on CPU), so the work is
 * measured apart from the machine's load; and minor page faults. A pool's threads are the ones
 * that appear when it starts. Reading the counters costs the main thread ~1 ms per query.
 */
function threadIds(): number[] {
  return readdirSync('/proc/self/task').map(Number);
}

function cpuNs(tid: number): number {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

/** Minor page faults and system-time ticks of a thread (`/proc/self/task/<tid>/stat` fields 10 and 15). */
function faultsAndSys(tid: number): [number, number] {
  try {
    const text = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(f[7]), Number(f[12])];
  } catch {
    return [0, 0];
  }
}

/** CPU ms of the threads of one run, by kind. */
interface RunCpu {
  main: number;
  pool: number[];
  other: number;
  faults: number;
}

async function timed(engine: QueryEngine, sql: string, poolTids: readonly number[]): Promise<{ ms: number; cpu: RunCpu }> {
  const tids = threadIds();
  const start = new Map(tids.map((t) => [t, cpuNs(t)]));
  const startFaults = new Map(tids.map((t) => [t, faultsAndSys(t)[0]]));
  const t0 = performance.now();
  const r = await engine.query(sql, 'timeoutMs=600000');
  const ms = performance.now() - t0;
  if (r.exceptions.length > 0) throw new Error(JSON.stringify(r.exceptions));
  const cpu: RunCpu = { main: 0, pool: poolTids.map(() => 0), other: 0, faults: 0 };
  for (const t of threadIds()) {
    const d = (cpuNs(t) - (start.get(t) ?? 0)) / 1e6;
    cpu.faults += faultsAndSys(t)[0] - (startFaults.get(t) ?? 0);
    const k = poolTids.indexOf(t);
    if (t === process.pid) cpu.main += d;
    else if (k >= 0) cpu.pool[k]! += d;
    else cpu.other += d;
  }
  return { ms, cpu };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dash = args.indexOf('--');
  const [modesText, rowsText, roundsText, ...paths] = dash < 0 ? args : args.slice(0, dash);
  const names = dash < 0 ? [] : args.slice(dash + 1);
  const modes = modesText!.split(',').map((m) => ({ threads: Number(m.replace(/p$/, '')), partitioned: m.endsWith('p') }));
  const rounds = Number(roundsText);
  const { schema } = eventsTable();
  const sealed = await Promise.all(paths.map((p) => openSegment(p)));
  const resolver = { resolve: (n: string) => (n.toLowerCase() === 'events' ? { name: 'events', schema, snapshot: () => sealed.map((s) => sealedSnapshot(s)) } : undefined) };
  // Every thread's cache gets the room the default budget gives one set-up (as the parallel bench).
  blockCache.resize(4 * blockCache.capacityBytes);
  const setups: { threads: number; partitioned: boolean; engine: QueryEngine; pool: QueryPool | null; tids: number[] }[] = [];
  for (const { threads, partitioned } of modes) {
    const before = new Set(threadIds());
    const pool = threads > 0 ? new QueryPool(threads) : null;
    if (pool !== null) await pool.whenReady();
    const tids = threadIds().filter((t) => !before.has(t));
    setups.push({ threads, partitioned, pool, tids, engine: new QueryEngine(resolver, { parallel: pool === null ? null : { pool, minRows: 0, partitioned } }) });
  }
  const list = benchQueryList(Number(rowsText));
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`set-ups ${setups.map((m, i) => `${m.threads === 0 ? 'main' : `pool of ${m.threads}${m.partitioned ? ' (partitioned)' : ''}`} (tids ${setups[i]!.tids.join(',') || '-'})`).join(', ')}; ${sealed.length} segments, ${rounds} rounds, load ${loadavg()[0]!.toFixed(1)}`);
  for (const name of names.length > 0 ? names : list.map((q) => q.name)) {
    const q = list.find((x) => x.name === name);
    if (!q) throw new Error(`no query ${name}`);
    const runs = setups.map(() => [] as { ms: number; cpu: RunCpu }[]);
    for (let i = 0; i < rounds + 2; i++) {
      for (const [k, s] of setups.entries()) {
        const run = await timed(s.engine, q.pinot, s.tids);
        if (i >= 2) runs[k]!.push(run);
      }
    }
    for (const [k, s] of setups.entries()) {
      const rs = runs[k]!;
      const pool = s.tids.map((_, j) => median(rs.map((r) => r.cpu.pool[j]!)));
      const total = median(rs.map((r) => r.cpu.main + r.cpu.pool.reduce((a, b) => a + b, 0) + r.cpu.other));
      console.log(
        `${name.padEnd(16)} ${(s.threads === 0 ? 'main' : `pool ${s.threads}${s.partitioned ? 'p' : ''}`).padEnd(7)} wall ${median(rs.map((r) => r.ms)).toFixed(1).padStart(6)}  cpu main ${median(rs.map((r) => r.cpu.main)).toFixed(1).padStart(6)}  pool ${pool.map((x) => x.toFixed(1)).join('+') || '-'} = ${median(rs.map((r) => r.cpu.pool.reduce((a, b) => a + b, 0))).toFixed(1)}  other ${median(rs.map((r) => r.cpu.other)).toFixed(1)}  total ${total.toFixed(1)} (min ${Math.min(...rs.map((r) => r.cpu.main + r.cpu.pool.reduce((a, b) => a + b, 0) + r.cpu.other)).toFixed(1)})  faults ${median(rs.map((r) => r.cpu.faults))}`,
      );
    }
  }
  console.log(`load after ${loadavg()[0]!.toFixed(1)}`);
  for (const s of setups) await s.pool?.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
