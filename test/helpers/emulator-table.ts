/**
 * TEST ONLY. Pinot table configs, schemas and rows for tables that read a stream of a local
 * Kinesis emulator (see `emulator.ts`). The defaults are what the integration tests share; each
 * test names only the keys it sets differently.
 */
import type { PinotFieldSpec, PinotSchema } from '../../src/config/index.js';

/**
 * The `streamConfigs` of a table reading `stream` at `endpoint`: static test credentials, region
 * us-east-1, TRIM_HORIZON, a 2 s fetch timeout and 20 GetRecords calls per second per shard.
 * `overrides` replace or add keys (flush thresholds, decoder, discovery interval, ...); no other
 * key is set, so an absent key takes the plugin's default.
 *
 * @example
 *   emulatorStreamConfigs(env.endpoint, stream, { 'realtime.segment.flush.threshold.rows': '20' })
 */
export function emulatorStreamConfigs(endpoint: string, stream: string, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    streamType: 'kinesis',
    'stream.kinesis.topic.name': stream,
    region: 'us-east-1',
    endpoint,
    accessKey: 'emulator-access-key',
    secretKey: 'emulator-secret-key',
    shardIteratorType: 'TRIM_HORIZON',
    'stream.kinesis.fetch.timeout.millis': '2000',
    requests_per_second_limit: '20',
    ...overrides,
  };
}

export interface EmulatorTableOptions {
  readonly endpoint: string;
  readonly stream: string;
  /** Default `events`. */
  readonly tableName?: string;
  /** `segmentsConfig.timeColumnName`; without it the config has no `segmentsConfig`. */
  readonly timeColumn?: string;
  /** Keys added to or replacing {@link emulatorStreamConfigs}' defaults. */
  readonly streamConfigs?: Readonly<Record<string, string>>;
  /** More `tableIndexConfig` keys besides `streamConfigs` (indexing). */
  readonly indexing?: Readonly<Record<string, unknown>>;
  /** More top-level parts of the config (`ingestionConfig`, `metadata`, ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * Pinot table config JSON (unvalidated) for a REALTIME table reading an emulator stream.
 *
 * @example
 *   emulatorTableConfig({ endpoint: env.endpoint, stream, timeColumn: 'ts', streamConfigs: { requests_per_second_limit: '50' } })
 */
export function emulatorTableConfig(opts: EmulatorTableOptions): Record<string, unknown> {
  return {
    tableName: opts.tableName ?? 'events',
    tableType: 'REALTIME',
    ...(opts.timeColumn !== undefined ? { segmentsConfig: { timeColumnName: opts.timeColumn } } : {}),
    tableIndexConfig: { ...opts.indexing, streamConfigs: emulatorStreamConfigs(opts.endpoint, opts.stream, opts.streamConfigs) },
    ...opts.extra,
  };
}

/** A TIMESTAMP column of epoch millis (default name `ts`), as a `dateTimeFieldSpecs` entry. */
export function timeMillisField(name = 'ts'): PinotFieldSpec {
  return { name, dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' };
}

/**
 * The small schema most emulator tests use: `id` LONG, `kind` STRING, then `more.dimensions`,
 * `more.metrics` if given, and time column `ts` (epoch millis). Rows: {@link idKindTsRows}.
 */
export function idKindTsSchema(schemaName = 'events', more: { dimensions?: PinotFieldSpec[]; metrics?: PinotFieldSpec[] } = {}): PinotSchema {
  return {
    schemaName,
    dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'kind', dataType: 'STRING' }, ...(more.dimensions ?? [])],
    ...(more.metrics !== undefined ? { metricFieldSpecs: more.metrics } : {}),
    dateTimeFieldSpecs: [timeMillisField()],
  };
}

/** The `ts` of the row with id 0 in {@link idKindTsRows}. */
export const FIRST_TS = 1_700_000_000_000;

/**
 * Rows `{ id, kind, ...more(id), ts }` for ids `from` .. `from + count - 1`: `kind` cycles through
 * `kinds` by id, `ts` is {@link FIRST_TS} + id.
 *
 * @example
 *   idKindTsRows(0, 3, ['view', 'click']) // ids 0, 1, 2 with kinds view, click, view
 */
export function idKindTsRows(
  from: number,
  count: number,
  kinds: readonly string[] = ['view'],
  more: (id: number) => Record<string, unknown> = () => ({}),
): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const id = from + i;
    return { id, kind: kinds[id % kinds.length], ...more(id), ts: FIRST_TS + id };
  });
}
