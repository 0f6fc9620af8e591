import { Session } from 'node:inspector/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryEngine, consumingSnapshot, sealedSnapshot } from '../src/query/index.js';
import { summariseProfile } from './cpu-profile.js';
import { buildSegments, eventsTable, ssbTable } from './generated-table.js';
import type { GeneratedTable } from './generated-table.js';
import { benchQueryList } from './queries.js';
import { ssbQueryList } from './ssb-queries.js';

/**
 * `node dist/bench/profile-queries.js <events|ssb> <rows> <query name>...`: builds the table, runs
 * each named query 40 times under the inspector's CPU profiler (query phase only) and prints the
 * top self-time frames; the .cpuprofile goes to the temp dir. For the profiles in bench/notes.md.
 * Sealed segments hold min(1M, rows / 4) rows, or `SHARDTABLE_PROFILE_SEGMENT_ROWS` (the `parallel`
 * bench's layout at 10M rows is 1,250,000), and the consuming segment half as many.
 */
async function main(): Promise<void> {
  const [set = 'events', rowsText = '1000000', ...names] = process.argv.slice(2);
  const rows = Number(rowsText);
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-profile-'));
  const ssb = set === 'ssb';
  const table: GeneratedTable<object> = ssb ? ssbTable() : eventsTable();
  const { name, schema } = table;
  const perSegment = Number(process.env.SHARDTABLE_PROFILE_SEGMENT_ROWS ?? Math.min(1_000_000, Math.floor(rows / 4)));
  const { sealed, consuming } = await buildSegments(table, { rows, rowsPerSegment: perSegment, consumingRows: Math.floor(perSegment / 2) }, dir);
  const tail = consuming;
  const engine = new QueryEngine({ resolve: () => ({ name, schema, snapshot: () => [...sealed.map((s) => sealedSnapshot(s)), ...(tail ? [consumingSnapshot(tail)] : [])] }) });
  const list = ssb ? ssbQueryList() : benchQueryList(rows);
  const session = new Session();
  session.connect();
  for (const name of names) {
    const q = list.find((x) => x.name === name);
    if (!q) throw new Error(`no query ${name}`);
    for (let i = 0; i < 20; i++) await engine.query(q.pinot, 'timeoutMs=600000');
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < 40; i++) await engine.query(q.pinot, 'timeoutMs=600000');
    const ms = (performance.now() - start) / 40;
    const cpu = process.cpuUsage(cpuStart);
    // CPU time of the process (this thread, GC threads): steadier than wall time on a shared machine.
    const cpuMs = (cpu.user + cpu.system) / 1000 / 40;
    const { profile } = await session.post('Profiler.stop');
    const { path, lines } = await summariseProfile(profile, `profile-${name}`, 12);
    console.log(`\n${name}: ${ms.toFixed(2)} ms/query wall, ${cpuMs.toFixed(2)} ms CPU; profile ${path}`);
    for (const line of lines) console.log(`  ${line}`);
  }
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
