import type { AirlineQuery } from './airline.js';
import { runAirlineQueries } from './airline-runner.js';
import type { GeneratedTable } from './differential.js';
import { generateQueries, generateTable } from './differential.js';
import { generateCollectionQueries } from './differential-collections.js';
import { generateRowAggregationQueries } from './differential-row-aggregations.js';
import type { DuckDbOracle } from './duckdb-oracle.js';
import type { Harness } from './harness.js';
import { pinotRow } from './pinot-schema.js';
import type { FileReport } from './report.js';

/** Default seeds of `npm test`; `SHARDTABLE_DIFF_SEEDS=4,5,6` runs others (same seed → same test). */
export const DEFAULT_SEEDS = [1, 2, 3];

export function seedsFromEnv(): number[] {
  const text = process.env.SHARDTABLE_DIFF_SEEDS;
  return text ? text.split(',').map((s) => Number(s.trim())) : DEFAULT_SEEDS;
}

/**
 * Every index type a generated table's columns allow (issue 19): range on numeric and time
 * columns, bloom filters on all, inverted on strings, JSON on JSON columns, and in
 * `fieldConfigList` text on single-value strings and a timestamp index on TIMESTAMP columns; a
 * star-tree over up to four single-value dimensions with COUNT/SUM/MIN/MAX of every numeric metric.
 */
export function allIndexes(table: GeneratedTable): { tableIndexConfig: Record<string, unknown>; fieldConfigList: Record<string, unknown>[] } {
  const f = table.fields;
  const names = (keep: (x: (typeof f)[number]) => boolean): string[] => f.filter(keep).map((x) => x.name);
  const starDims = names((x) => x.singleValue && ['STRING', 'INT', 'LONG', 'BOOLEAN'].includes(x.dataType)).slice(0, 4);
  const metrics = names((x) => x.singleValue && ['INT', 'LONG', 'FLOAT', 'DOUBLE'].includes(x.dataType));
  return {
    tableIndexConfig: {
      rangeIndexColumns: names((x) => ['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP', 'BOOLEAN'].includes(x.dataType)),
      bloomFilterColumns: names(() => true),
      invertedIndexColumns: names((x) => x.dataType === 'STRING'),
      jsonIndexColumns: names((x) => x.dataType === 'JSON' && x.singleValue),
      // A star-tree over the first single-value STRING/INT/LONG/BOOLEAN columns, with every numeric metric pair
      // (small leaves, so the tree splits and has star nodes on these small tables).
      ...(starDims.length > 0 && metrics.length > 0
        ? { starTreeIndexConfigs: [{ dimensionsSplitOrder: starDims, skipStarNodeCreationForDimensions: [], functionColumnPairs: ['COUNT__*', ...metrics.flatMap((m) => [`SUM__${m}`, `MIN__${m}`, `MAX__${m}`])], maxLeafRecords: 10 }] }
        : {}),
    },
    fieldConfigList: [
      ...names((x) => x.dataType === 'STRING' && x.singleValue).map((name) => ({ name, encodingType: 'DICTIONARY', indexTypes: ['TEXT'] })),
      ...names((x) => x.dataType === 'TIMESTAMP' && x.singleValue).map((name) => ({ name, indexTypes: ['TIMESTAMP'], timestampConfig: { granularities: ['HOUR', 'DAY', 'MONTH'] } })),
    ],
  };
}

/** Loads one generated table into shardtable (2 shards, sealing every 150 rows) and DuckDB; `indexed`: with {@link allIndexes}. */
export async function loadGenerated(h: Harness, oracle: DuckDbOracle, table: GeneratedTable, indexed = false): Promise<void> {
  const indexes = indexed ? allIndexes(table) : null;
  const stream = `${table.name.replace(/_/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
  await h.createStream(stream, 2);
  const timeColumn = (table.schema.dateTimeFieldSpecs?.[0]?.name as string | undefined) ?? null;
  await h.createSchemaAndTable(table.schema, {
    tableName: table.name,
    tableType: 'REALTIME',
    segmentsConfig: { ...(timeColumn ? { timeColumnName: timeColumn } : {}), replication: '1' },
    ...(indexes !== null ? { fieldConfigList: indexes.fieldConfigList } : {}),
    tableIndexConfig: {
      ...indexes?.tableIndexConfig,
      nullHandlingEnabled: false,
      streamConfigs: h.kinesisStreamConfigs(stream, { 'realtime.segment.flush.threshold.rows': '150', 'realtime.segment.flush.threshold.time': '1h' }),
    },
    tenants: {},
    metadata: {},
  });
  await h.produceText(stream, table.jsonLines, (i) => `k${i}`);
  await oracle.createTable(table.name, table.fields, table.records.map((r) => pinotRow(table.fields, r)));
  await h.waitForRows(table.name, table.records.length);
}

/** Generates, loads and runs one seed: `rows` rows, `queries` queries. */
export async function runSeed(h: Harness, oracle: DuckDbOracle, seed: number, opts: { rows?: number; queries?: number; indexed?: boolean } = {}): Promise<FileReport> {
  const table = generateTable(seed, opts.rows ?? 400);
  await loadGenerated(h, oracle, table, opts.indexed === true);
  const generated = [...generateQueries(seed, table, opts.queries ?? 80), ...generateCollectionQueries(seed, table), ...generateRowAggregationQueries(seed, table)];
  const queries: AirlineQuery[] = generated.map((g, i) => ({ line: i + 1, sql: g.pinot, reference: g.duck }));
  const file = `differential seed ${seed}${opts.indexed === true ? ' (every index)' : ''}`;
  return { file, outcomes: await runAirlineQueries(h, oracle, file, queries, { concurrency: 4 }) };
}
