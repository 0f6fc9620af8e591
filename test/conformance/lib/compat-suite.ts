import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CsvReaderConfig, CsvRecord } from './csv-records.js';
import { csvToRecords, cycleRecords, replaceGenerationNumber } from './csv-records.js';
import { COMPAT_CONFIG_DIR } from './paths.js';
import type { PinotSchemaJson } from './pinot-schema.js';

/**
 * Pinot's compat verifier sample suite, read as Pinot's verifier reads it: the operations of
 * `pre-controller-upgrade.yaml` (create tables, upload FeatureTest1's segment, produce 66 rows of
 * FeatureTest2 and 300 of FeatureTest3, run the three query files), with one generation number.
 * Later yaml stages repeat the same data under new generation numbers; the queries filter on
 * `generationNumber`, so one stage is the whole test.
 */

/** Any one integer works (the expected answers hold for every value); this one is fixed. */
export const GENERATION_NUMBER = 7;

export interface CompatTable {
  /** Raw table name (`FeatureTest2`), the name queries use. */
  readonly name: string;
  readonly schema: PinotSchemaJson;
  /** The table config from the suite, unchanged (OFFLINE for FeatureTest1). */
  readonly originalConfig: Record<string, unknown>;
  /** JSON records to produce, in order (after `numRows` cycling). */
  readonly records: CsvRecord[];
  /** Shards for the stream: Pinot's stream config `numPartitions` (1 for the offline table). */
  readonly shards: number;
  /** Pinot's `partitionColumn`: records are keyed by its value so a partition holds one key's rows. */
  readonly partitionColumn: string | undefined;
  readonly timeColumn: string;
}

export interface CompatQuery {
  /** 1-based line number in the query file. */
  readonly line: number;
  /** The query with `__GENERATION_NUMBER__` replaced. */
  readonly sql: string;
  /** The expected broker response line, raw. */
  readonly expected: string;
  /** 1-based line number in the results file. */
  readonly expectedLine: number;
}

export interface CompatQueryFile {
  readonly queryFile: string;
  readonly resultsFile: string;
  readonly table: string;
  readonly queries: CompatQuery[];
}

export interface YamlOp {
  readonly [key: string]: string;
}

/** The `operations:` list of a verifier yaml file (flat `key: value` items; all this suite uses). */
export function parseOperations(yaml: string): YamlOp[] {
  const ops: Record<string, string>[] = [];
  let inOps = false;
  for (const raw of yaml.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line.startsWith('#') || line.trim() === '') continue;
    if (/^operations:\s*$/.test(line)) {
      inOps = true;
      continue;
    }
    if (!inOps) continue;
    const item = /^\s*-\s+(\w+):\s*(.*)$/.exec(line);
    const kv = /^\s+(\w+):\s*(.*)$/.exec(line);
    if (item) ops.push({ [item[1]!]: item[2]! });
    else if (kv && ops.length > 0) ops[ops.length - 1]![kv[1]!] = kv[2]!;
  }
  return ops;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(COMPAT_CONFIG_DIR, file), 'utf8')) as T;
}

function rawName(tableName: string): string {
  return tableName.replace(/_(OFFLINE|REALTIME)$/, '');
}

/** Non-comment, non-blank lines with their 1-based line numbers. */
export function contentLines(text: string): { line: number; text: string }[] {
  return text
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t.trim() }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'));
}

/** Pairs each query line with its results line (both counted without comments and blank lines). */
export function pairQueries(queriesText: string, resultsText: string, generation: number): CompatQuery[] {
  const queries = contentLines(queriesText);
  const results = contentLines(resultsText);
  if (queries.length !== results.length) throw new Error(`${queries.length} queries but ${results.length} result lines`);
  return queries.map((q, i) => ({ line: q.line, sql: replaceGenerationNumber(q.text, generation), expected: results[i]!.text, expectedLine: results[i]!.line }));
}

export interface CompatSuite {
  readonly tables: CompatTable[];
  readonly queryFiles: CompatQueryFile[];
}

export function loadCompatSuite(generation = GENERATION_NUMBER, nowMs = Date.now()): CompatSuite {
  const ops = parseOperations(readFileSync(join(COMPAT_CONFIG_DIR, '..', 'pre-controller-upgrade.yaml'), 'utf8'));
  const tables = new Map<string, CompatTable>();
  const hoursSinceEpoch = String(Math.floor(nowMs / 3_600_000));
  for (const op of ops) {
    const isUpload = op.type === 'segmentOp' && op.op === 'UPLOAD';
    const isProduce = op.type === 'streamOp' && op.op === 'PRODUCE';
    if (!isUpload && !isProduce) continue;
    const tableConfig = readJson<Record<string, unknown>>(op.tableConfigFileName!);
    const name = rawName(String(tableConfig.tableName));
    const schema = readJson<PinotSchemaJson>(op.schemaFileName ?? `${name}-schema.json`);
    const readerConfig = readJson<CsvReaderConfig>(op.recordReaderConfigFileName!);
    const csv = replaceGenerationNumber(readFileSync(join(COMPAT_CONFIG_DIR, op.inputDataFileName!), 'utf8'), generation);
    const timeColumn = String((tableConfig.segmentsConfig as Record<string, unknown>).timeColumnName);
    let records = csvToRecords(csv, readerConfig);
    let shards = 1;
    let partitionColumn: string | undefined;
    if (isProduce) {
      // StreamOp: cycle to numRows, and stamp the time column with the current time (as Pinot's
      // verifier does, so realtime retention never drops the rows).
      records = cycleRecords(records, Number(op.numRows)).map((r) => ({ ...r, [timeColumn]: hoursSinceEpoch }));
      const streamConfig = readJson<Record<string, string>>(op.streamConfigFileName!);
      shards = Number(streamConfig.numPartitions ?? '1');
      partitionColumn = streamConfig.partitionColumn;
    }
    tables.set(name, { name, schema, originalConfig: tableConfig, records, shards, partitionColumn, timeColumn });
  }
  const queryFiles = ops
    .filter((op) => op.type === 'queryOp')
    .map((op) => {
      const queries = pairQueries(
        readFileSync(join(COMPAT_CONFIG_DIR, op.queryFileName!), 'utf8'),
        readFileSync(join(COMPAT_CONFIG_DIR, op.expectedResultsFileName!), 'utf8'),
        generation,
      );
      const table = /\bFROM\s+(\w+)/i.exec(queries[0]?.sql ?? '')?.[1] ?? '';
      return { queryFile: op.queryFileName!, resultsFile: op.expectedResultsFileName!, table, queries };
    });
  return { tables: [...tables.values()], queryFiles };
}

/**
 * The suite's table config as a shardtable REALTIME table reading Kinesis: the OFFLINE config
 * (FeatureTest1) becomes REALTIME under its raw name; Kafka `streamConfigs` are replaced by
 * `kinesisConfigs`, keeping the suite's flush thresholds (63 rows for FeatureTest2/3, so queries
 * span sealed and consuming segments).
 */
export function realtimeConfig(table: CompatTable, kinesisConfigs: Record<string, string>): Record<string, unknown> {
  const config = structuredClone(table.originalConfig);
  config.tableName = table.name;
  config.tableType = 'REALTIME';
  const index = (config.tableIndexConfig ?? {}) as Record<string, unknown>;
  const old = (index.streamConfigs ?? {}) as Record<string, string>;
  const flush: Record<string, string> = {};
  for (const [k, v] of Object.entries(old)) if (k.startsWith('realtime.segment.flush.')) flush[k] = v;
  index.streamConfigs = { ...kinesisConfigs, ...flush };
  config.tableIndexConfig = index;
  return config;
}
