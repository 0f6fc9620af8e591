import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTableSchema } from '../src/config/schema.js';
import type { IndexingConfig } from '../src/config/table-config.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import { machineInfo, repeat } from './harness.js';
import type { BenchResult, Measurement } from './harness.js';

/**
 * Index build cost at seal (issue 19): the same segment sealed with no extra index, then with one
 * JSON index (a JSON column of small nested documents with an array), one bloom filter (a unique
 * LONG id) and one range index (a high-cardinality DOUBLE), each alone: seconds per seal and file
 * bytes, and what each index adds over the plain seal.
 */
export async function benchIndexes(quick: boolean): Promise<BenchResult> {
  const rows = quick ? 100_000 : 1_000_000;
  const runs = 3;
  const schema = buildTableSchema({
    schemaName: 'idx',
    dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'payload', dataType: 'JSON' }],
    metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }],
  });
  const data = Array.from({ length: rows }, (_, i) => [
    BigInt(i) * 7919n,
    JSON.stringify({ user: { id: `u${i % 5000}`, country: ['us', 'ca', 'nl', 'de'][i % 4] }, tags: [`t${i % 13}`, `t${i % 7}`], n: i % 1000 }),
    (i * 37) % 100_003 / 3,
  ]);
  const base: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: ['payload'], nullHandlingEnabled: false };
  const variants: Record<string, IndexingConfig> = {
    none: base,
    json: { ...base, jsonIndexColumns: ['payload'] },
    bloom: { ...base, bloomFilters: { id: { fpp: 0.05, maxSizeInBytes: 0 } } },
    range: { ...base, rangeIndexColumns: ['amount'] },
  };
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-indexes-'));
  const metrics: Record<string, Measurement | number> = {};
  let sequence = 0;
  try {
    for (const [name, indexing] of Object.entries(variants)) {
      let bytes = 0;
      metrics[`${name}SealSeconds`] = await repeat(runs, async () => {
        const segment = new ConsumingSegment({ identity: { tableName: 'idx', segmentName: `idx__0__${sequence++}__20260101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing });
        data.forEach((row, i) => segment.index(row, String(i), 0));
        const start = process.hrtime.bigint();
        const sealed = await sealSegment(segment, { tableDir: dir, endOfShard: false });
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        bytes = sealed.metadata.sizeBytes;
        sealed.close();
        await rm(sealed.path);
        return seconds;
      });
      metrics[`${name}FileBytes`] = bytes;
    }
    const none = metrics.noneSealSeconds as Measurement;
    for (const name of ['json', 'bloom', 'range']) {
      metrics[`${name}AddedSeconds`] = (metrics[`${name}SealSeconds`] as Measurement).median - none.median;
      metrics[`${name}AddedBytes`] = (metrics[`${name}FileBytes`] as number) - (metrics.noneFileBytes as number);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { name: 'indexes', machine: machineInfo(), params: { rows, runs }, metrics };
}
