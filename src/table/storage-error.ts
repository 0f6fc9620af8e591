import { relative, isAbsolute } from 'node:path';
import { ShardtableError } from '../errors.js';

/** What each file-system error code means to the operator, and what to do about it. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'ENOSPC: no space left on device; free space on the data directory\'s disk and retry',
  EDQUOT: 'EDQUOT: disk quota exceeded; raise the quota or free space and retry',
  EROFS: 'EROFS: the file system is read-only; remount it read-write and retry',
  EACCES: 'EACCES: permission denied; check the owner and mode of the data directory',
  EPERM: 'EPERM: operation not permitted; check the owner, mode and attributes of the data directory',
  EMFILE: 'EMFILE: too many open files in this process; raise the open-file limit (ulimit -n)',
  ENFILE: 'ENFILE: too many open files on the system',
  EIO: 'EIO: input/output error from the disk',
  ENOTDIR: 'ENOTDIR: a part of the path is not a directory',
};

/** True for a Node file-system error (it has an `E…` code and names the system call). */
export function isStorageError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === 'string';
}

/**
 * Maps a file-system error of a control-plane write to `STORAGE_FAILED` (ST026), saying what
 * failed and why in the operator's words, e.g. `could not save table config events
 * (_catalog/tables/events.json): ENOSPC: no space left on device; free space …`. Paths are shown
 * relative to `dataDir` when inside it (`path` wins over the error's own, which may be a temporary file). Anything that is not a file-system error is returned as is.
 *
 * @example throw storageError(err, { action: 'save', what: 'schema events', dataDir });
 */
export function storageError(error: unknown, target: { action: string; what: string; path?: string; dataDir?: string }): unknown {
  if (!isStorageError(error)) return error;
  const path = target.path ?? error.path;
  const where = path === undefined ? '' : ` (${shownPath(path, target.dataDir)})`;
  const reason = storageReason(error);
  return new ShardtableError('STORAGE_FAILED', { action: target.action, what: `${target.what}${where}`, reason }, { cause: error });
}

/** `ENOSPC: no space left on device; free space …` — the code, what it means, what to do. */
export function storageReason(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'EUNKNOWN';
  return REASONS[code] ?? `${code}: ${error.message}`;
}

function shownPath(path: string, dataDir: string | undefined): string {
  if (dataDir === undefined) return path;
  const inside = relative(dataDir, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}
