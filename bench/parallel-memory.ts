import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QueryEngine, QueryPool, DEFAULT_PARALLEL_MIN_ROWS, sealedSnapshot } from '../src/query/index.js';
import { openSegment } from '../src/segment/open-segment.js';
import { eventsTable } from './generated-table.js';
import { collectGarbage, RssSampler } from './rss-sampler.js';
import { benchQueryList } from './queries.js';

/** Peak resident memory of one process answering the query list twice, and its RSS before. */
export interface ProcessMemory {
  readonly baseMB: number;
  readonly peakMB: number;
}

/**
 * Memory while querying, as a server shows it: a fresh process opens the sealed segment files
 * (`paths`), then answers the 15 queries twice, either on the main thread alone (`threads` 0:
 * today's engine) or on a pool of `threads` workers (the budget split between the main thread
 * and the workers, `budget-split.ts`), under the default memory budget. Each set-up has a process
 * of its own, so neither holds what the other decoded, and a worker's freed memory cannot be
 * taken for the main thread's (glibc keeps per-thread arenas).
 */
export function measureProcessMemory(paths: readonly string[], rows: number, threads: number): Promise<ProcessMemory> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [String(rows), String(threads), ...paths], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: ProcessMemory | null = null;
    child.on('message', (m) => (answer = m as ProcessMemory));
    child.on('error', reject);
    child.on('exit', (code) => (answer !== null && code === 0 ? resolve(answer) : reject(new Error(`the memory measurement (${threads} threads) exited with code ${code}`))));
  });
}

async function child(rows: number, threads: number, paths: readonly string[]): Promise<void> {
  const { schema } = eventsTable();
  const sealed = await Promise.all(paths.map((p) => openSegment(p)));
  const resolver = { resolve: (n: string) => (n.toLowerCase() === 'events' ? { name: 'events', schema, snapshot: () => sealed.map((s) => sealedSnapshot(s)) } : undefined) };
  const pool = threads > 0 ? new QueryPool(threads) : null;
  if (pool !== null) await pool.whenReady();
  const engine = new QueryEngine(resolver, { parallel: pool === null ? null : { pool, minRows: DEFAULT_PARALLEL_MIN_ROWS } });
  const sampler = await RssSampler.start();
  collectGarbage();
  const baseMB = process.memoryUsage.rss() / 2 ** 20;
  sampler.reset();
  for (let r = 0; r < 2; r++) {
    for (const q of benchQueryList(rows)) {
      const result = await engine.query(q.pinot, 'timeoutMs=600000');
      if (result.exceptions.length > 0) throw new Error(`${q.name} failed: ${JSON.stringify(result.exceptions)}`);
    }
  }
  const peakMB = sampler.peakMB();
  await sampler.stop();
  await pool?.close();
  process.send!({ baseMB, peakMB } satisfies ProcessMemory);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [rows, threads, ...paths] = process.argv.slice(2);
  child(Number(rows), Number(threads), paths).then(
    () => process.disconnect(),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
