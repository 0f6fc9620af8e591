import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o644). */
  readonly mode?: number;
  /** Temporary file to write first (default `<path>.tmp`). */
  readonly tmpPath?: string;
  /** Called after the temporary file is durable and before the rename (crash-test fault points). */
  readonly beforeRename?: () => void;
}

/**
 * Writes a file so that readers and a crash see either the old content or the new, never a part:
 * write the temporary file, fsync it, rename it over `path`, fsync the directory (the rename is
 * the commit). A failed write removes the temporary file.
 *
 * @example await writeFileAtomic('/data/t/partition-ids.json', JSON.stringify(ids));
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = options.tmpPath ?? `${path}.tmp`;
  try {
    const file = await open(tmp, 'w', options.mode ?? 0o644);
    try {
      if (Array.isArray(data)) await file.writev(data as Uint8Array[]);
      else await file.writeFile(data as string | Uint8Array);
      await file.sync();
    } finally {
      await file.close();
    }
    options.beforeRename?.();
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(path));
}

/** Makes a rename or unlink in `dir` durable (best effort where the OS cannot fsync a directory). */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM') throw err;
  } finally {
    await handle.close();
  }
}
