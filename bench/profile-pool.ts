import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryEngine, QueryPool, consumingSnapshot, sealedSnapshot } from '../src/query/index.js';
import type { SegmentSnapshot } from '../src/query/index.js';
import { buildSegments, eventsTable } from './generated-table.js';
import { benchQueryList } from './queries.js';

/**
 * `node [--cpu-prof --cpu-prof-dir=DIR] dist/bench/profile-pool.js <rows> <threads> <query name>...`:
 * builds the `parallel` benchmark's table (8 sealed segments and a consuming one), then runs each
 * named query 30 times on the main thread and on a pool of `threads`, interleaved, and prints
 * the medians. With `--cpu-prof` every worker thread writes its own profile too (the worker's
 * side of the pool: planning, segment opening, scan, export). For the profiles in bench/notes.md.
 */
async function main(): Promise<void> {
  const [rowsText = '2000000', threadsText = '1', ...names] = process.argv.slice(2);
  const rows = Number(rowsText);
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-profile-pool-'));
  const table = eventsTable();
  const { schema } = table;
  const rowsPerSegment = Math.floor(rows / 8);
  const { sealed, consuming } = await buildSegments(table, { rows, rowsPerSegment, consumingRows: Math.floor(rowsPerSegment / 4) }, dir);
  const snapshot = (): SegmentSnapshot[] => [...sealed.map((s) => sealedSnapshot(s)), ...(consuming ? [consumingSnapshot(consuming)] : [])];
  const resolver = { resolve: () => ({ name: 'events', schema, snapshot }) };
  const pool = new QueryPool(Number(threadsText));
  await pool.whenReady();
  const main = new QueryEngine(resolver, { parallel: null });
  const onPool = new QueryEngine(resolver, { parallel: { pool, minRows: 0 } });
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const list = benchQueryList(rows);
  for (const name of names.length > 0 ? names : list.map((q) => q.name)) {
    const q = list.find((x) => x.name === name);
    if (!q) throw new Error(`no query ${name}`);
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < 30; i++) {
      for (const [k, engine] of [main, onPool].entries()) {
        const start = performance.now();
        const r = await engine.query(q.pinot, 'timeoutMs=600000');
        if (r.exceptions.length > 0) throw new Error(JSON.stringify(r.exceptions));
        if (i >= 5) times[k]!.push(performance.now() - start);
      }
    }
    console.log(`${name.padEnd(20)} main ${median(times[0]).toFixed(2)} ms  pool of ${threadsText} ${median(times[1]).toFixed(2)} ms`);
  }
  await pool.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
