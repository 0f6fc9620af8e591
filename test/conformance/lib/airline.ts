import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDbOracle } from './duckdb-oracle.js';
import type { Harness } from './harness.js';
import { AIRLINE_DIR } from './paths.js';
import { pinotRow, schemaFields } from './pinot-schema.js';
import type { PinotSchemaJson } from './pinot-schema.js';

/**
 * Pinot's airline quickstart table (`airlineStats`) loaded as `mytable` — the table name Pinot's
 * query files use — into shardtable (through a Kinesis stream) and into DuckDB (the same rows as
 * Pinot stores them: nulls replaced by default null values, multi-value columns as lists).
 */
export const AIRLINE_TABLE = 'mytable';
export const AIRLINE_QUERY_FILES = {
  q200: 'On_Time_On_Time_Performance_2014_100k_subset.test_queries_200.sql',
  q10k: 'On_Time_On_Time_Performance_2014_100k_subset.test_queries_10K.sql',
} as const;

/** Shards of the airline stream, and the seal threshold: queries span sealed and consuming segments. */
const SHARDS = 2;
const FLUSH_ROWS = '2500';
const DAY_MS = 86_400_000;

export function airlineSchema(): PinotSchemaJson {
  const schema = JSON.parse(readFileSync(join(AIRLINE_DIR, 'airlineStats_schema.json'), 'utf8')) as PinotSchemaJson;
  return { ...schema, schemaName: AIRLINE_TABLE };
}

/**
 * The 9,746 records. `ts` and `tsRaw` are computed here as `fromEpochDays(DaysSinceEpoch)` (the
 * table config's `transformConfigs`), so the table is complete whether or not the server applies
 * transforms (the transform engine is a later issue; it would compute the same values).
 */
export function airlineRecords(): Record<string, unknown>[] {
  return readFileSync(join(AIRLINE_DIR, 'airlineStats_data.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      const ms = Number(r.DaysSinceEpoch) * DAY_MS;
      return { ...r, ts: ms, tsRaw: ms };
    });
}

/**
 * Pinot's realtime table config for airlineStats, as `mytable`, reading Kinesis: the Kafka map in
 * `streamConfigMaps[0]` is replaced (same location, so that form of stream config is exercised),
 * the seal threshold lowered to 2,500 rows, and the 5-day retention dropped (the data is from 2014;
 * retention would make the row count depend on when the test runs).
 */
export function airlineTableConfig(kinesisConfigs: Record<string, string>): Record<string, unknown> {
  const config = JSON.parse(readFileSync(join(AIRLINE_DIR, 'airlineStats_realtime_table_config.json'), 'utf8')) as Record<string, any>;
  config.tableName = AIRLINE_TABLE;
  delete config.segmentsConfig.retentionTimeUnit;
  delete config.segmentsConfig.retentionTimeValue;
  config.ingestionConfig.streamIngestionConfig.streamConfigMaps = [{ ...kinesisConfigs, 'realtime.segment.flush.threshold.rows': FLUSH_ROWS, 'realtime.segment.flush.threshold.time': '1h' }];
  return config;
}

/** Loads DuckDB's `mytable`. */
export async function loadAirlineOracle(oracle: DuckDbOracle, records = airlineRecords()): Promise<void> {
  const fields = schemaFields(airlineSchema());
  await oracle.createTable(AIRLINE_TABLE, fields, records.map((r) => pinotRow(fields, r)));
}

/** Creates `mytable` in shardtable, produces every record, waits until all are indexed. */
export async function loadAirlineShardtable(h: Harness, records = airlineRecords()): Promise<void> {
  const stream = `airline-${Math.random().toString(36).slice(2, 8)}`;
  await h.createStream(stream, SHARDS);
  await h.createSchemaAndTable(airlineSchema(), airlineTableConfig(h.kinesisStreamConfigs(stream, {})));
  await h.produce(stream, records, (r) => `${String(r.FlightNum)}-${String(r.FlightDate)}`);
  await h.waitForRows(AIRLINE_TABLE, records.length, 120_000);
}

export interface AirlineQuery {
  /** 1-based line in the query file. */
  readonly line: number;
  /** The Pinot query. */
  readonly sql: string;
  /** The reference query: `hsqls[0]` or `sql`, before translation. */
  readonly reference: string;
}

export function airlineQueries(file: string): AirlineQuery[] {
  return readFileSync(join(AIRLINE_DIR, file), 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'))
    .map(({ text, line }) => {
      const q = JSON.parse(text) as { sql: string; hsqls?: string[] };
      return { line, sql: q.sql, reference: q.hsqls?.[0] ?? q.sql };
    });
}
