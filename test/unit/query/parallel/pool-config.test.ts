import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

type PoolConfig = typeof import('../../../../src/query/parallel/pool-config.js');

/** A fresh copy of the module (its settings are process-wide) with `env` set. */
async function freshConfig(env: Record<string, string>): Promise<PoolConfig> {
  vi.resetModules();
  vi.unstubAllEnvs();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return import('../../../../src/query/parallel/pool-config.js');
}

describe('query thread settings (`serve --query-split-by-key`, SHARDTABLE_QUERY_SPLIT_BY_KEY)', () => {
  let config: PoolConfig | null = null;
  afterEach(async () => {
    await config?.closeSharedQueryPool();
    config = null;
    vi.unstubAllEnvs();
  });

  it('splits by key when the variable says 1 or true, and not by default or when it says 0', async () => {
    for (const [value, expected] of [['1', true], ['TRUE', true], ['0', false], ['false', false], ['', false]] as const) {
      config = await freshConfig({ SHARDTABLE_QUERY_THREADS: '1', SHARDTABLE_QUERY_SPLIT_BY_KEY: value });
      expect(config.sharedParallelExecution()?.partitioned, value).toBe(expected);
      await config.closeSharedQueryPool();
    }
  });

  it('takes the flag over the variable', async () => {
    config = await freshConfig({ SHARDTABLE_QUERY_THREADS: '1', SHARDTABLE_QUERY_SPLIT_BY_KEY: '0' });
    config.configureQueryThreads({ splitByKey: true });
    expect(config.sharedParallelExecution()?.partitioned).toBe(true);
  });

  it('names a bad variable when the settings are made, not at every query', async () => {
    config = await freshConfig({ SHARDTABLE_QUERY_SPLIT_BY_KEY: 'yes' });
    expect(() => config!.configureQueryThreads({})).toThrow('SHARDTABLE_QUERY_SPLIT_BY_KEY must be 1, true, 0 or false, got "yes"');
    config = await freshConfig({ SHARDTABLE_QUERY_THREADS: 'two' });
    expect(() => config!.configureQueryThreads({})).toThrow('SHARDTABLE_QUERY_THREADS must be a whole number ≥ 0, got "two"');
    config = await freshConfig({ SHARDTABLE_QUERY_PARALLEL_MIN_ROWS: '-5' });
    expect(() => config!.configureQueryThreads({})).toThrow('SHARDTABLE_QUERY_PARALLEL_MIN_ROWS must be a whole number ≥ 0, got "-5"');
  });
});

describe('shardtable serve with a bad query-thread variable', () => {
  it('stops at start with a usage error naming it, before taking the data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shardtable-serve-env-'));
    try {
      const bin = fileURLToPath(new URL('../../../../bin/shardtable.js', import.meta.url));
      const run = promisify(execFile);
      const err = await run(process.execPath, [bin, 'serve', '--data-dir', join(dir, 'data'), '--port', '0'], { timeout: 30_000, env: { ...process.env, SHARDTABLE_QUERY_SPLIT_BY_KEY: 'maybe' } }).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(err?.code).toBe(2);
      expect(err?.stderr).toContain('SHARDTABLE_QUERY_SPLIT_BY_KEY must be 1, true, 0 or false, got "maybe"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
