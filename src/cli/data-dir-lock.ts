import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The lock file a command holds in its data dir while it writes there. */
export const LOCK_FILE = '.shardtable.lock';

/** Thrown when another live process holds the data dir. */
export class DataDirLockedError extends Error {}

/** A held lock; `release()` removes the file (idempotent). */
export interface DataDirLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>/.shardtable.lock` (created exclusively, holding `{pid, command}`), so `serve`
 * and `ingest --once` never both write one data dir: two writers would seal the same shard twice.
 * A lock whose process is gone (killed, crashed) is taken over. Throws {@link DataDirLockedError}
 * naming the holder. One machine only: the check is by process id.
 *
 * @example const lock = await lockDataDir('./segments', 'serve'); ... await lock.release();
 */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify({ pid: process.pid, command, sinceMs: Date.now() }));
      await handle.close();
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: { pid?: unknown; command?: unknown } = {};
    try {
      holder = JSON.parse(await readFile(path, 'utf8')) as typeof holder;
    } catch {
      // Half-written or unreadable: treated as stale below.
    }
    if (typeof holder.pid === 'number' && holder.pid !== process.pid && alive(holder.pid)) {
      throw new DataDirLockedError(
        `data dir ${dataDir} is in use by \`shardtable ${String(holder.command)}\` (pid ${holder.pid}); stop it first, or use another --data-dir (lock file ${path})`,
      );
    }
    await unlink(path).catch(() => undefined);
  }
  throw new DataDirLockedError(`could not take the lock ${path}: another process keeps taking it`);
}
