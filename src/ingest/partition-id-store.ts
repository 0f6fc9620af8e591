import { join } from 'node:path';
import { readTextIfExists } from '../util/read-optional.js';
import type { PartitionIdScheme } from '../spi/partition-id-scheme.js';
import type { StreamPlugin } from '../spi/stream-plugin.js';
import { writeFileAtomic } from '../util/atomic-file.js';

const FILE = 'partition-ids.json';

/** The file of stream `k`'s scheme: `partition-ids.json` for the first stream, `partition-ids-<k>.json` for the others. */
export function partitionIdFile(k: number): string {
  return k === 0 ? FILE : `partition-ids-${k}.json`;
}

/**
 * Persists a table's partition-id scheme (`<tableDir>/partition-ids.json`), whatever its stream
 * type, so a partition whose own id is not an integer keeps its partition id across restarts.
 */
export class PartitionIdStore {
  private constructor(
    readonly scheme: PartitionIdScheme,
    private readonly path: string,
    private saved: string,
  ) {}

  static async load(tableDir: string, plugin: StreamPlugin, file: string = FILE): Promise<PartitionIdStore> {
    const path = join(tableDir, file);
    const text = await readTextIfExists(path);
    const scheme = plugin.loadPartitionIds(text === null ? null : JSON.parse(text));
    return new PartitionIdStore(scheme, path, JSON.stringify(scheme.toJSON()));
  }

  /** Writes the assignments when discovery added any since the last save. */
  async saveIfChanged(): Promise<void> {
    const text = JSON.stringify(this.scheme.toJSON());
    if (text === this.saved) return;
    await writeFileAtomic(this.path, text);
    this.saved = text;
    this.scheme.markSaved();
  }
}
