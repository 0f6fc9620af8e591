import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PartitionIdMap } from '../plugins/stream/kinesis/index.js';
import { writeFileAtomic } from '../util/atomic-file.js';

const FILE = 'partition-ids.json';

/**
 * Persists a table's shard → partition id assignments (`<tableDir>/partition-ids.json`), so shard
 * ids that do not fit the numeric pattern keep their partition id across restarts.
 */
export class PartitionIdStore {
  private constructor(
    readonly map: PartitionIdMap,
    private readonly path: string,
    private saved: string,
  ) {}

  static async load(tableDir: string): Promise<PartitionIdStore> {
    const path = join(tableDir, FILE);
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const map = text === null ? new PartitionIdMap() : PartitionIdMap.fromJSON(JSON.parse(text));
    return new PartitionIdStore(map, path, JSON.stringify(map.toJSON()));
  }

  /** Writes the assignments when discovery added any since the last save. */
  async saveIfChanged(): Promise<void> {
    const text = JSON.stringify(this.map.toJSON());
    if (text === this.saved) return;
    await writeFileAtomic(this.path, text);
    this.saved = text;
  }
}
