import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const POOL_CONFIG = fileURLToPath(new URL('../../dist/src/query/parallel/pool-config.js', import.meta.url));
const run = promisify(execFile);

/**
 * The query pool from the compiled build, in a process of its own: once its threads are up and
 * idle, they never keep that process alive (a CLI run or a benchmark that queried embedded
 * segments must end by itself, without closing the pool).
 */
describe('query pool in a compiled process', () => {
  it('starts its threads from dist/, then the process exits by itself', async () => {
    const script = `
      import { sharedParallelExecution } from ${JSON.stringify(POOL_CONFIG)};
      const { pool } = sharedParallelExecution();
      await pool.whenReady();
      console.log(JSON.stringify({ threads: pool.stats.threads, busy: pool.stats.busy }));
    `;
    // A pool that kept the process alive would be killed by the timeout and fail the call.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 30_000,
      env: { ...process.env, SHARDTABLE_QUERY_THREADS: '2' },
    });
    expect(JSON.parse(stdout)).toEqual({ threads: 2, busy: 0 });
  });
});
