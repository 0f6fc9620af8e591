import { Session } from 'node:inspector/promises';
import { QueryEngine, sealedSnapshot } from '../src/query/index.js';
import { loadTableSegments } from '../src/segment/index.js';
import { blockCache, COMPRESSED_TIER_ENV, parseCompressedTierPercent } from '../src/segment/reader/block-cache.js';
import { summariseProfile } from './cpu-profile.js';
import { eventsTable } from './generated-table.js';
import { benchQueryList } from './queries.js';

const MIB = 2 ** 20;
/** The compressed tier's share under the budget: `SHARDTABLE_COMPRESSED_TIER_PERCENT`, else the default. */
const TIER_SHARE = parseCompressedTierPercent(process.env[COMPRESSED_TIER_ENV]);

/**
 * `node dist/bench/profile-storage.js <segment dir> <budget MiB> <rounds> [query name...]`: opens
 * the storage bench's kept segments (`SHARDTABLE_BENCH_STORAGE_DIR`) and, per query and round,
 * times it warm under the budget and then all in memory (interleaved, so both see the same load),
 * printing the medians (wall and CPU time), their ratios and the budgeted runs' section sources (decoded hits,
 * compressed-tier hits, file reads). `SHARDTABLE_PROFILE_CPU=1` also records a CPU profile of
 * the budgeted runs per query (top self-time frames printed; the .cpuprofile in the temp dir).
 * `SHARDTABLE_PROFILE_MIX=1` instead runs the queries one after the other under the budget, as a
 * server would see them, `rounds` times, and prints each query's section sources over the rounds
 * after the first: whether one query's scan pushes out what the others reuse. For bench/notes.md.
 */
async function main(): Promise<void> {
  const [dir, budgetText = '51', roundsText = '5', ...names] = process.argv.slice(2);
  if (dir === undefined) throw new Error('usage: profile-storage <segment dir> <budget MiB> <rounds> [query...]');
  const budget = Number(budgetText) * MIB;
  const rounds = Number(roundsText);
  const { schema } = eventsTable();
  const sealed = (await loadTableSegments(dir, { tableName: 'events', verifyChecksum: false })).segments;
  const rows = sealed.reduce((n, s) => n + s.metadata.numDocs, 0);
  const engine = new QueryEngine({ resolve: () => ({ name: 'events', schema, snapshot: () => sealed.map((s) => sealedSnapshot(s)) }) });
  const all = benchQueryList(rows);
  const list = names.length === 0 ? all : names.map((n) => all.find((q) => q.name === n) ?? fail(`no query ${n}`));
  // CPU time of the process (this thread and GC threads) per run: steadier than wall time on a shared machine.
  let lastCpuMs = 0;
  const run = async (sql: string): Promise<number> => {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const r = await engine.query(sql, 'timeoutMs=600000;numGroupsLimit=10000000');
    const used = process.cpuUsage(cpu);
    lastCpuMs = (used.user + used.system) / 1000;
    if (r.exceptions.length > 0) throw new Error(`${sql}: ${JSON.stringify(r.exceptions)}`);
    return performance.now() - start;
  };
  if (process.env.SHARDTABLE_PROFILE_MIX === '1') return mix(list, rounds, budget, run, sealed);
  const cpu = process.env.SHARDTABLE_PROFILE_CPU === '1';
  const session = cpu ? new Session() : null;
  session?.connect();
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (const q of list) {
    const warm: number[] = [];
    const mem: number[] = [];
    const warmCpu: number[] = [];
    const memCpu: number[] = [];
    let hits = 0;
    let lookups = 0;
    let compressedHits = 0;
    let fileReads = 0;
    for (let r = 0; r < rounds; r++) {
      blockCache.setCompressedShare(TIER_SHARE);
      blockCache.resize(budget);
      for (let i = 0; i < 3; i++) await run(q.pinot);
      const before = blockCache.stats();
      if (session !== null && r === 0) {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      warm.push(await run(q.pinot));
      warmCpu.push(lastCpuMs);
      if (session !== null && r === 0) await printProfile(session, q.name);
      const after = blockCache.stats();
      hits += after.hits - before.hits;
      lookups += after.hits - before.hits + after.misses - before.misses;
      compressedHits += after.compressed.hits - before.compressed.hits;
      fileReads += after.compressed.misses - before.compressed.misses;
      blockCache.setCompressedShare(0);
      blockCache.resize(4096 * MIB);
      for (let i = 0; i < 3; i++) await run(q.pinot);
      mem.push(await run(q.pinot));
      memCpu.push(lastCpuMs);
    }
    const ratio = median(warm) / median(mem);
    ratios.push(ratio);
    const cpuRatio = median(warmCpu) / Math.max(0.001, median(memCpu));
    cpuRatios.push(cpuRatio);
    const hitRate = lookups === 0 ? 100 : (100 * hits) / lookups;
    console.log(
      `${q.name.padEnd(20)} warm ${median(warm).toFixed(2).padStart(9)} ms  in memory ${median(mem).toFixed(2).padStart(9)} ms  ratio ${ratio.toFixed(2).padStart(6)}; CPU ${median(warmCpu).toFixed(1)} / ${median(memCpu).toFixed(1)} ms (${cpuRatio.toFixed(2)})  ` +
        `per run: decoded hits ${hitRate.toFixed(0)} %, compressed hits ${(compressedHits / rounds).toFixed(0)}, file reads ${(fileReads / rounds).toFixed(0)}`,
    );
    blockCache.clear();
  }
  for (const [what, xs] of [['wall', ratios], ['CPU', cpuRatios]] as const) {
    const sorted = [...xs].sort((a, b) => a - b);
    console.log(`${what}: median per-query ratio ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}; ≤ 1.2: ${xs.filter((r) => r <= 1.2).length} of ${xs.length}`);
  }
  for (const s of sealed) s.close();
}

type Query = { readonly name: string; readonly pinot: string };

async function mix(list: readonly Query[], rounds: number, budget: number, run: (sql: string) => Promise<number>, sealed: readonly { close(): void }[]): Promise<void> {
  blockCache.setCompressedShare(TIER_SHARE);
  blockCache.resize(budget);
  blockCache.clear();
  const sums = list.map(() => ({ ms: [] as number[], hits: 0, lookups: 0, compressedHits: 0, fileReads: 0 }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, q] of list.entries()) {
      const before = blockCache.stats();
      const ms = await run(q.pinot);
      const after = blockCache.stats();
      if (r === 0) continue;
      const s = sums[i]!;
      s.ms.push(ms);
      s.hits += after.hits - before.hits;
      s.lookups += after.hits - before.hits + after.misses - before.misses;
      s.compressedHits += after.compressed.hits - before.compressed.hits;
      s.fileReads += after.compressed.misses - before.compressed.misses;
    }
  }
  for (const [i, q] of list.entries()) {
    const s = sums[i]!;
    const per = rounds - 1;
    console.log(`${q.name.padEnd(20)} mixed ${median(s.ms).toFixed(2).padStart(9)} ms  per run: decoded hits ${(s.lookups === 0 ? 100 : (100 * s.hits) / s.lookups).toFixed(0)} % of ${(s.lookups / per).toFixed(0)}, compressed hits ${(s.compressedHits / per).toFixed(0)}, file reads ${(s.fileReads / per).toFixed(0)}`);
  }
  for (const s of sealed) s.close();
}

async function printProfile(session: Session, name: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  const { path, lines } = await summariseProfile(profile, `profile-storage-${name}`, 10);
  console.log(`  profile of ${name} under the budget: ${path}`);
  for (const line of lines) console.log(`    ${line}`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function fail(message: string): never {
  throw new Error(message);
}

await main();
