import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexingConfig } from '../src/config/table-config.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import { blockCache, MEMORY_BUDGET_ENV, memoryBudgetFromEnv } from '../src/segment/reader/block-cache.js';
import { machineInfo, repeat } from './harness.js';
import type { BenchResult, Measurement } from './harness.js';
import { benchIndexQueries, INDEXED, indexRows, indexSchema } from './index-queries.js';

/** Index types whose build cost at seal is measured, each alone over the same rows. */
export const INDEX_TYPES = ['json', 'bloom', 'range', 'text', 'timestamp', 'starTree'] as const;

/** Rows of the query tables: `SHARDTABLE_BENCH_INDEX_ROWS`, else 200k (`--quick`) or 10M (the size). */
export function indexBenchRows(quick: boolean): number {
  const env = Number(process.env.SHARDTABLE_BENCH_INDEX_ROWS);
  return Number.isSafeInteger(env) && env >= 10 ? env : quick ? 200_000 : 10_000_000;
}

/**
 * Issue 19's index numbers. Build cost at seal: one segment of `buildRows` rows sealed with no
 * extra index, then with each index type alone (JSON index on a JSON column of small nested
 * documents, bloom filter on a unique LONG id, range index on a DOUBLE, text index on a short
 * message, timestamp index DAY+HOUR on the time column, a star-tree of two dimensions with
 * COUNT and two SUMs): seconds per seal and file bytes, and what each adds over the plain seal.
 * Queries (`index-queries.ts`): the same rows in 10 sealed segments with and without the
 * indexes — range filter selecting 0.1 %, bloom pruning on an id in one segment, TEXT_MATCH vs
 * LIKE, DATETRUNC group-by and filter, star-tree group-by of two dimensions (and DuckDB).
 * `SHARDTABLE_MEMORY_BUDGET_MB` sets the memory budget (e.g. 102 at 1M rows: 1 GiB scaled from the
 * 10M-row table, where the text and JSON indexes do not all fit).
 */
export async function benchIndexes(quick: boolean): Promise<BenchResult> {
  // A budget scaled to the rows (`SHARDTABLE_MEMORY_BUDGET_MB`, as `serve` reads it), else the process default.
  if ((process.env[MEMORY_BUDGET_ENV] ?? '') !== '') blockCache.resize(memoryBudgetFromEnv());
  const buildRows = quick ? 100_000 : 1_000_000;
  const queryRows = indexBenchRows(quick);
  const runs = 3;
  const schema = indexSchema();
  const row = indexRows(buildRows);
  const data = Array.from({ length: buildRows }, (_, i) => row(i));
  const base: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: ['amount', 'ts', 'payload', 'msg'], nullHandlingEnabled: false };
  const variants: Record<string, IndexingConfig> = {
    none: base,
    json: { ...base, jsonIndexColumns: ['payload'] },
    bloom: { ...base, bloomFilters: INDEXED.bloomFilters! },
    range: { ...base, rangeIndexColumns: ['amount'] },
    text: { ...base, textIndexColumns: ['msg'] },
    timestamp: { ...base, timestampIndexes: INDEXED.timestampIndexes! },
    starTree: { ...base, starTrees: INDEXED.starTrees! },
  };
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-indexes-'));
  const metrics: Record<string, Measurement | number> = {};
  let sequence = 0;
  try {
    for (const [name, indexing] of Object.entries(variants)) {
      let bytes = 0;
      metrics[`${name}SealSeconds`] = await repeat(runs, async () => {
        const segment = new ConsumingSegment({ identity: { tableName: 'idx', segmentName: `idx__0__${sequence++}__20260101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing, timeColumnName: 'ts' });
        data.forEach((r, i) => segment.index(r, String(i), Number(r[7])));
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
    for (const name of INDEX_TYPES) {
      metrics[`${name}AddedSeconds`] = (metrics[`${name}SealSeconds`] as Measurement).median - none.median;
      metrics[`${name}AddedBytes`] = (metrics[`${name}FileBytes`] as number) - (metrics.noneFileBytes as number);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const queries = await benchIndexQueries(queryRows, runs);
  Object.assign(metrics, queries.metrics);
  return { name: 'indexes', machine: machineInfo(), params: { rows: buildRows, queryRows, segments: 10, runs, cases: queries.cases }, metrics };
}
