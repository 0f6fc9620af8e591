import type { CellValue } from '../../../src/config/data-type.js';
import { buildTableSchema } from '../../../src/config/schema.js';
import type { PinotSchema, TableSchema } from '../../../src/config/schema.js';
import type { IndexingConfig } from '../../../src/config/table-config.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../../src/query/index.js';
import type { QueryTable } from '../../../src/query/index.js';
import { ConsumingSegment, sealSegment } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import { tempDir } from '../segment/fixtures.js';

/** TEST ONLY. A table held in real segments: some rows sealed into files, the rest consuming. */
export interface QueryFixture {
  readonly schema: TableSchema;
  readonly engine: QueryEngine;
  readonly sealed: SealedSegment[];
  readonly consuming: ConsumingSegment[];
  /** Runs SQL and returns the parsed broker response JSON. */
  query(sql: string, options?: string): Promise<BrokerJson>;
  /** The raw JSON text of the response. */
  raw(sql: string, options?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export interface BrokerJson {
  resultTable?: { dataSchema: { columnNames: string[]; columnDataTypes: string[] }; rows: unknown[][] };
  exceptions: { errorCode: number; message: string }[];
  numDocsScanned: number;
  totalDocs: number;
  numEntriesScannedInFilter: number;
  numEntriesScannedPostFilter: number;
  numSegmentsQueried: number;
  numSegmentsProcessed: number;
  numSegmentsMatched: number;
  numConsumingSegmentsQueried: number;
  numConsumingSegmentsProcessed: number;
  numConsumingSegmentsMatched: number;
  numSegmentsPrunedByValue: number;
  numSegmentsPrunedByLimit: number;
  minConsumingFreshnessTimeMs: number;
  numGroupsLimitReached: boolean;
  timeUsedMs: number;
  numRowsResultSet: number;
  partialResult: boolean;
}

/**
 * Builds `tableName` from `rows` (one cell per schema column, in-memory types): every
 * `segmentRows` rows form a segment; all but the last are sealed into a temp dir.
 */
export async function buildFixture(
  pinotSchema: PinotSchema,
  rows: readonly (CellValue | null)[][],
  /** `sealInline`: build files on this thread (module mocks of the test then apply to the writer). */
  opts: { tableName?: string; segmentRows?: number; indexing?: Partial<IndexingConfig>; consumingSegments?: number; sealInline?: boolean } = {},
): Promise<QueryFixture> {
  const table = await buildTableSegments(pinotSchema, rows, opts);
  const engine = new QueryEngine({
    resolve: (name) => (name.replace(/_REALTIME$/i, '').toLowerCase() === table.name.toLowerCase() ? table.queryTable : undefined),
  });
  const raw = async (sql: string, options?: string): Promise<string> => writeBrokerResponse(await engine.query(sql, options));
  return { schema: table.schema, engine, sealed: table.sealed, consuming: table.consuming, raw, query: async (sql, options) => JSON.parse(await raw(sql, options)) as BrokerJson, cleanup: table.cleanup };
}

/** TEST ONLY. One table's segments (see `buildFixture`) and the `QueryTable` an engine resolves it to. */
export interface FixtureTable {
  readonly name: string;
  readonly schema: TableSchema;
  readonly sealed: SealedSegment[];
  readonly consuming: ConsumingSegment[];
  readonly queryTable: QueryTable;
  cleanup(): Promise<void>;
}

export async function buildTableSegments(
  pinotSchema: PinotSchema,
  rows: readonly (CellValue | null)[][],
  /** `segmentRows`: rows per segment, or per segment in turn (the last size repeats). */
  opts: { tableName?: string; segmentRows?: number | readonly number[]; indexing?: Partial<IndexingConfig>; consumingSegments?: number; isDimTable?: boolean; sealInline?: boolean } = {},
): Promise<FixtureTable> {
  const schema = buildTableSchema(pinotSchema);
  const tableName = opts.tableName ?? pinotSchema.schemaName;
  const indexing: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: false, ...opts.indexing };
  // Rows of segment i: `segmentRows` (the last entry of a list repeats), else a third of the rows.
  const sizes = opts.segmentRows ?? Math.max(1, Math.ceil(rows.length / 3));
  const per = (i: number): number => (typeof sizes === 'number' ? sizes : sizes[Math.min(i, sizes.length - 1)]!);
  const segments: ConsumingSegment[] = [];
  for (let i = 0, at = 0; i === 0 || at < rows.length; at += per(i), i++) {
    const seg = new ConsumingSegment({ identity: { tableName, segmentName: `${tableName}__0__${i}__20240101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing, createdAtMs: 1_700_000_000_000 });
    rows.slice(at, at + per(i)).forEach((row, k) => seg.index(row, String(at + k + 1), 1_700_000_000_000 + at + k));
    segments.push(seg);
  }
  const { dir, cleanup } = await tempDir();
  const keepConsuming = Math.min(opts.consumingSegments ?? 1, segments.length);
  const toSeal = segments.slice(0, segments.length - keepConsuming);
  const sealed: SealedSegment[] = [];
  for (const s of toSeal) sealed.push(await sealSegment(s, { tableDir: dir, endOfShard: false, ...(opts.sealInline === true ? { builder: 'inline' as const } : {}) }));
  const consuming = segments.slice(segments.length - keepConsuming);
  const runtime = { queryableSegments: () => ({ sealed, consuming }) };
  const queryTable: QueryTable = { name: tableName, schema, isDimTable: opts.isDimTable === true, identity: runtime, snapshot: () => snapshotRuntime(runtime) };
  return { name: tableName, schema, sealed, consuming, queryTable, cleanup };
}

/** A small events table: every type, multi-value columns, default null values. */
export const EVENTS_SCHEMA: PinotSchema = {
  schemaName: 'events',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'country', dataType: 'STRING' },
    { name: 'device', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'scores', dataType: 'INT', singleValueField: false },
    { name: 'active', dataType: 'BOOLEAN' },
    { name: 'payload', dataType: 'JSON' },
    { name: 'raw', dataType: 'BYTES' },
    { name: 'big', dataType: 'LONG' },
    { name: 'rank', dataType: 'INT' },
  ],
  metricFieldSpecs: [
    { name: 'clicks', dataType: 'INT' },
    { name: 'price', dataType: 'FLOAT' },
    { name: 'amount', dataType: 'DOUBLE' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
};

const COUNTRIES = ['NL', 'DE', 'US', 'FR'];

/** Row `i` of the events table (deterministic); row 5 has nulls (default values). */
export function eventRow(i: number): (CellValue | null)[] {
  if (i === 5) return [BigInt(i), null, null, null, null, null, null, null, null, null, null, null, null, 1_700_000_000_000n + BigInt(i) * 1000n];
  return [
    BigInt(i),
    COUNTRIES[i % 4]!,
    i % 2 === 0 ? 'ios' : 'android',
    i % 3 === 0 ? ['a', 'b'] : ['c'],
    [i, i * 10],
    i % 2,
    JSON.stringify({ user: { name: `u${i}`, age: 20 + i }, n: i }),
    Uint8Array.from([i, 255]),
    9_007_199_254_740_993n + BigInt(i),
    i % 5,
    i,
    Math.fround(i + 0.1),
    i * 1.5,
    1_700_000_000_000n + BigInt(i) * 1000n,
  ];
}

export function eventRows(n: number): (CellValue | null)[][] {
  return Array.from({ length: n }, (_, i) => eventRow(i));
}
