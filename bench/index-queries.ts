import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildTableSchema } from '../src/config/schema.js';
import type { PinotSchema, TableSchema } from '../src/config/schema.js';
import type { IndexingConfig } from '../src/config/table-config.js';
import { QueryEngine, sealedSnapshot } from '../src/query/index.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import type { SealedSegment } from '../src/segment/index.js';
import { CsvWriter, xorshift32 } from './generated-table.js';
import type { GeneratedTable } from './generated-table.js';
import { fmt, summarise } from './harness.js';
import type { Measurement } from './harness.js';
import { normalise, sameRows, timeDuckDb, timeRuns } from './queries.js';
import type { Cell } from './queries.js';

/** Rows of the index benchmark tables: `idx` (every index) and `plain` (none), 10 sealed segments each. */
export const INDEX_T0 = 1_790_000_000_000;
const DAYS = 100;
export const IDX_COUNTRIES = ['US', 'DE', 'FR', 'JP', 'BR', 'GB', 'IN', 'CA', 'IT', 'ES'] as const;
export const IDX_DEVICES = ['ios', 'android', 'web', 'tv', 'other'] as const;
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'] as const;
/** A word in 0.1 % of the messages (no other word contains it). */
export const RARE_WORD = 'zulu';

export const INDEX_SCHEMA: PinotSchema = {
  schemaName: 'idx',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'country', dataType: 'STRING' },
    { name: 'device', dataType: 'STRING' },
    { name: 'msg', dataType: 'STRING' },
    { name: 'payload', dataType: 'JSON' },
  ],
  metricFieldSpecs: [
    { name: 'amount', dataType: 'DOUBLE' },
    { name: 'clicks', dataType: 'INT' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

export type IndexRow = [bigint, string, string, string, string, number, number, bigint];

/**
 * Row `i` of a table of `total` rows (cells in schema order: id, country, device, msg, payload,
 * amount, clicks, ts). `id` is a scramble of `i` (unique, spread over every segment's min/max,
 * so only a bloom filter can prune on it); `amount` is uniform in [0, 100000); `ts` covers 100 days.
 */
export function indexRows(total: number): (i: number) => IndexRow {
  const rand = xorshift32(0x1dec5);
  return (i) => {
    const r = rand();
    const w1 = WORDS[Math.floor(rand() * WORDS.length)]!;
    const w2 = WORDS[Math.floor(rand() * WORDS.length)]!;
    const msg = i % 1000 === 7 ? `${w1} ${RARE_WORD} ${w2}` : `${w1} ${w2} report`;
    const id = (BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffffffffffffn;
    const country = IDX_COUNTRIES[Math.floor(IDX_COUNTRIES.length * r * r)]!;
    return [
      id,
      country,
      IDX_DEVICES[Math.floor(rand() * IDX_DEVICES.length)]!,
      msg,
      JSON.stringify({ user: { id: `u${i % 5000}`, country }, tags: [`t${i % 13}`, `t${i % 7}`], n: i % 1000 }),
      Math.floor(rand() * 10_000_000) / 100,
      Math.floor(rand() * 100),
      BigInt(INDEX_T0 + Math.floor((i * DAYS * 86_400_000) / total)),
    ];
  };
}

export const INDEXED: Partial<IndexingConfig> = {
  noDictionaryColumns: ['amount', 'ts', 'payload', 'msg'],
  rangeIndexColumns: ['amount'],
  bloomFilters: { id: { fpp: 0.01, maxSizeInBytes: 0 } },
  textIndexColumns: ['msg'],
  timestampIndexes: { ts: ['DAY', 'HOUR'] },
  starTrees: [{ dimensions: ['country', 'device'], skipStarDimensions: [], functionColumnPairs: ['COUNT__*', 'SUM__clicks', 'SUM__amount'], maxLeafRecords: 10_000 }],
};

export function indexSchema(): TableSchema {
  return buildTableSchema(INDEX_SCHEMA);
}

async function buildTable(name: string, rows: number, segments: number, indexing: IndexingConfig, dir: string, onRow: (row: IndexRow) => void): Promise<SealedSegment[]> {
  const schema = indexSchema();
  const row = indexRows(rows);
  const per = Math.ceil(rows / segments);
  const sealed: SealedSegment[] = [];
  for (let s = 0; s * per < rows; s++) {
    const seg = new ConsumingSegment({ identity: { tableName: name, segmentName: `${name}__0__${s}__20260101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing, timeColumnName: 'ts' });
    for (let i = s * per; i < Math.min(rows, (s + 1) * per); i++) {
      const r = row(i);
      onRow(r);
      seg.index(r, String(i), Number(r[7]));
    }
    sealed.push(await sealSegment(seg, { tableDir: dir, endOfShard: false }));
  }
  return sealed;
}

interface Case {
  readonly name: string;
  readonly withIndex: string;
  readonly without: string;
  /** Run `without` on the plain table (else on the indexed one, e.g. LIKE next to TEXT_MATCH, useStarTree=false). */
  readonly withoutOn: 'plain' | 'idx';
  readonly withoutOptions?: string;
  readonly duckdb?: string;
}

/**
 * The issue's query cases: each timed with and without its index (and against DuckDB for the
 * star-tree), answers compared (a mismatch throws). Returns metrics per case.
 */
export async function benchIndexQueries(rows: number, runs: number): Promise<{ metrics: Record<string, Measurement | number>; cases: Record<string, unknown>[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-index-queries-'));
  const base: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: ['amount', 'ts', 'payload', 'msg'], nullHandlingEnabled: false };
  const csvPath = join(dir, 'idx.csv');
  const csvTable = { csvColumns: ['country', 'device', 'clicks'], csvLine: (r: IndexRow) => `${r[1]},${r[2]},${r[6]}` } as unknown as GeneratedTable<IndexRow>;
  const csv = new CsvWriter(csvPath, csvTable);
  try {
    const plain = await buildTable('plain', rows, 10, base, dir, (r) => csv.write(r));
    csv.close();
    const idx = await buildTable('idx', rows, 10, { ...base, ...INDEXED }, dir, () => {});
    const schema = indexSchema();
    const tables: Record<string, SealedSegment[]> = { plain, idx };
    const engine = new QueryEngine({ resolve: (n) => (tables[n.toLowerCase()] ? { name: n.toLowerCase(), schema, snapshot: () => tables[n.toLowerCase()]!.map((s) => sealedSnapshot(s)) } : undefined) });
    const day = INDEX_T0 + 50 * 86_400_000;
    const pickId = indexRows(rows)(Math.floor(rows * 0.55))[0];
    const cases: Case[] = [
      { name: 'range', withIndex: 'SELECT COUNT(*), SUM(clicks) FROM idx WHERE amount BETWEEN 40000 AND 40099.99', without: 'SELECT COUNT(*), SUM(clicks) FROM plain WHERE amount BETWEEN 40000 AND 40099.99', withoutOn: 'plain' },
      { name: 'bloom', withIndex: `SELECT COUNT(*), SUM(clicks) FROM idx WHERE id = ${pickId}`, without: `SELECT COUNT(*), SUM(clicks) FROM plain WHERE id = ${pickId}`, withoutOn: 'plain' },
      { name: 'text', withIndex: `SELECT COUNT(*) FROM idx WHERE TEXT_MATCH(msg, '${RARE_WORD}')`, without: `SELECT COUNT(*) FROM idx WHERE msg LIKE '%${RARE_WORD}%'`, withoutOn: 'idx' },
      { name: 'timestampGroupBy', withIndex: "SELECT DATETRUNC('DAY', ts), COUNT(*) FROM idx GROUP BY DATETRUNC('DAY', ts) ORDER BY 1 LIMIT 1000", without: "SELECT DATETRUNC('DAY', ts), COUNT(*) FROM plain GROUP BY DATETRUNC('DAY', ts) ORDER BY 1 LIMIT 1000", withoutOn: 'plain' },
      { name: 'timestampWhere', withIndex: `SELECT COUNT(*), SUM(clicks) FROM idx WHERE DATETRUNC('DAY', ts) = ${day}`, without: `SELECT COUNT(*), SUM(clicks) FROM plain WHERE DATETRUNC('DAY', ts) = ${day}`, withoutOn: 'plain' },
      {
        name: 'starTree',
        withIndex: 'SELECT country, device, SUM(clicks), COUNT(*) FROM idx GROUP BY country, device ORDER BY country, device LIMIT 100',
        without: 'SELECT country, device, SUM(clicks), COUNT(*) FROM idx GROUP BY country, device ORDER BY country, device LIMIT 100',
        withoutOn: 'idx',
        withoutOptions: 'useStarTree=false',
        duckdb: 'SELECT country, device, SUM(clicks), COUNT(*) FROM idx GROUP BY country, device ORDER BY country, device LIMIT 100',
      },
    ];
    const metrics: Record<string, Measurement | number> = {};
    const out: Record<string, unknown>[] = [];
    const time = async (sql: string, options?: string): Promise<{ ms: Measurement; rows: Cell[][]; prunedByValue: number; queried: number }> => {
      let first: Cell[][] = [];
      let prunedByValue = 0;
      let queried = 0;
      const times = await timeRuns(runs, async (isFirst) => {
        const start = process.hrtime.bigint();
        // A 10M-row scan (LIKE, no index) can pass the default 10 s timeout on a loaded machine.
        const r = await engine.query(sql, options === undefined ? 'timeoutMs=600000' : `${options};timeoutMs=600000`);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (r.exceptions.length > 0) throw new Error(`${sql}: ${JSON.stringify(r.exceptions)}`);
        if (isFirst) {
          first = normalise(r.rows);
          prunedByValue = r.stats.numSegmentsPrunedByValue;
          queried = r.stats.numSegmentsQueried;
        }
        return ms;
      });
      return { ms: summarise(times), rows: first, prunedByValue, queried };
    };
    const duckRows = new Map<string, { ms: Measurement; rows: Cell[][] }>();
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const duck = await instance.connect();
    try {
      await duck.run(`CREATE TABLE idx AS SELECT country::VARCHAR AS country, device::VARCHAR AS device, clicks::INTEGER AS clicks FROM read_csv('${csvPath}', header = true, all_varchar = true)`);
      for (const c of cases) if (c.duckdb) duckRows.set(c.name, await timeDuckDb(duck, c.duckdb, runs));
    } finally {
      duck.closeSync();
      instance.closeSync();
    }
    for (const c of cases) {
      const a = await time(c.withIndex);
      const b = await time(c.without, c.withoutOptions);
      if (!sameRows(a.rows, b.rows)) throw new Error(`index case ${c.name}: answers differ with and without the index: ${JSON.stringify(a.rows.slice(0, 3))} vs ${JSON.stringify(b.rows.slice(0, 3))}`);
      const duckdb = duckRows.get(c.name);
      if (duckdb && !sameRows(a.rows, duckdb.rows)) throw new Error(`index case ${c.name}: answers differ from DuckDB`);
      metrics[`${c.name}WithMs`] = a.ms;
      metrics[`${c.name}WithoutMs`] = b.ms;
      metrics[`${c.name}Speedup`] = b.ms.median / a.ms.median;
      if (duckdb) {
        metrics[`${c.name}DuckdbMs`] = duckdb.ms;
        metrics[`${c.name}RatioToDuckdb`] = a.ms.median / duckdb.ms.median;
      }
      if (c.name === 'bloom') {
        metrics.bloomSegmentsPruned = a.prunedByValue;
        metrics.bloomSegmentsQueried = a.queried;
        metrics.bloomPrunedShare = a.queried === 0 ? 0 : a.prunedByValue / a.queried;
        metrics.bloomSegmentsPrunedWithout = b.prunedByValue;
      }
      out.push({ name: c.name, withIndex: c.withIndex, without: c.without, withoutOptions: c.withoutOptions ?? null, resultRows: a.rows.length });
      console.log(`index ${c.name.padEnd(17)} with ${fmt(a.ms.median)} ms  without ${fmt(b.ms.median)} ms  speedup ${fmt(b.ms.median / a.ms.median)}${duckdb ? `  duckdb ${fmt(duckdb.ms.median)} ms` : ''}`);
    }
    for (const s of [...plain, ...idx]) s.close();
    return { metrics, cases: out };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
