import { readFile } from 'node:fs/promises';

/**
 * Reads a UTF-8 file, or returns null when it does not exist; any other failure (a permission, a
 * directory in its place) is thrown. The state files a table keeps (partition ids, stream
 * identity, rewind progress, dead letters) are all absent until first written.
 *
 * @example const text = await readTextIfExists(join(tableDir, 'partition-ids.json'));
 */
export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
