import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../../../src/cli/data-dir-lock.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-lock-'));
  dirs.push(dir);
  return dir;
}

describe('lockDataDir', () => {
  it('refuses a dir another live process holds, naming it, and takes over a dead holder', async () => {
    const dir = await tempDir();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, command: 'serve' }));
      await expect(lockDataDir(dir, 'ingest --once')).rejects.toThrow(DataDirLockedError);
      await expect(lockDataDir(dir, 'ingest --once')).rejects.toThrow(new RegExp(`in use by \`shardtable serve\` \\(pid ${sleeper.pid}\\)`));
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('exit', r));
    }
    const lock = await lockDataDir(dir, 'ingest --once'); // its holder is gone: stale
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, command: 'ingest --once' });
    await lock.release();
    await expect(readFile(join(dir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
    (await lockDataDir(dir, 'serve')).release();
  });

  it('a half-written lock file is stale', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, LOCK_FILE), '{"pid":');
    const lock = await lockDataDir(dir, 'serve');
    await lock.release();
  });
});
