import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/config/data-type.js';
import type { PinotSchema } from '../../../src/config/schema.js';
import { dictKey } from '../../../src/query/exec/dict-keys.js';
import { sealedSnapshot } from '../../../src/query/exec/segment-snapshot.js';
import { dateTrunc } from '../../../src/query/functions/time-functions.js';
import { parseSql } from '../../../src/query/parser/index.js';
import { planQuery } from '../../../src/query/plan/index.js';
import type { AggregationPlan } from '../../../src/query/plan/index.js';
import { openSegment } from '../../../src/segment/index.js';
import { TIMESTAMP_GRANULARITIES, truncateUtc } from '../../../src/segment/indexes/timestamp-index.js';
import { buildFixture } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

const SCHEMA: PinotSchema = {
  schemaName: 'clicks',
  dimensionFieldSpecs: [{ name: 'kind', dataType: 'STRING' }],
  metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }],
  dateTimeFieldSpecs: [
    { name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' },
    { name: 'seen', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' },
  ],
};

/** Rows over ~3 years of irregular times (leap day, year ends, before 1970); row 9k: null ts. */
function rows(n: number): (CellValue | null)[][] {
  let seed = 5;
  const next = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 4) % m;
  };
  const start = Date.UTC(2023, 10, 3);
  return Array.from({ length: n }, (_, i) => {
    const ts = i % 50 === 3 ? Date.UTC(1969, 11, 31, 23, 59) - next(1000) * 60_000 : start + next(1000) * 86_400_000 + next(86_400_000);
    return [['a', 'b', 'c'][next(3)]!, next(1000) / 10, i % 9 === 0 ? null : BigInt(ts), BigInt(ts + next(5000))];
  });
}

const QUERIES = [
  ...['HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'].map((g) => `SELECT DATETRUNC('${g}', ts), COUNT(*), SUM(amount) FROM clicks GROUP BY DATETRUNC('${g}', ts) ORDER BY 1 LIMIT 2000`),
  "SELECT DATETRUNC('DAY', ts, 'MILLISECONDS', 'UTC'), MAX(amount) FROM clicks WHERE kind = 'b' GROUP BY DATETRUNC('DAY', ts, 'MILLISECONDS', 'UTC') ORDER BY 1 LIMIT 2000",
  "SELECT DATETRUNC('DAY', ts, 'MILLISECONDS', 'America/New_York'), COUNT(*) FROM clicks GROUP BY DATETRUNC('DAY', ts, 'MILLISECONDS', 'America/New_York') ORDER BY 1 LIMIT 2000",
  "SELECT kind, DATETRUNC('MONTH', ts), COUNT(*) FROM clicks GROUP BY kind, DATETRUNC('MONTH', ts) ORDER BY 1, 2 LIMIT 2000",
  "SELECT DATETRUNC('WEEK', seen), COUNT(*) FROM clicks GROUP BY DATETRUNC('WEEK', seen) ORDER BY 2 DESC, 1 LIMIT 10",
  "SELECT DATETRUNC('MINUTE', ts), COUNT(*) FROM clicks GROUP BY DATETRUNC('MINUTE', ts) ORDER BY 2 DESC, 1 LIMIT 5",
];

const DAY = Date.UTC(2024, 1, 29);
const WHERE = [
  `SELECT COUNT(*), SUM(amount) FROM clicks WHERE DATETRUNC('DAY', ts) = ${DAY}`,
  `SELECT kind, COUNT(*) FROM clicks WHERE DATETRUNC('DAY', ts) >= ${DAY} GROUP BY kind ORDER BY kind`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('WEEK', ts) < ${DAY} AND kind = 'a'`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('MONTH', ts) BETWEEN ${Date.UTC(2024, 0, 1)} AND ${Date.UTC(2024, 5, 1)}`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('MONTH', ts) NOT BETWEEN ${Date.UTC(2024, 0, 1)} AND ${Date.UTC(2024, 5, 1)}`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('YEAR', ts) IN (${Date.UTC(2023, 0, 1)}, ${Date.UTC(1969, 0, 1)}) OR kind = 'c'`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('YEAR', ts) NOT IN (${Date.UTC(2024, 0, 1)})`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('DAY', ts) = 0 OR DATETRUNC('YEAR', ts) < 0`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('DAY', ts, 'MILLISECONDS', 'UTC') <> ${DAY}`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('DAY', ts, 'MILLISECONDS', 'Asia/Tokyo') > ${DAY}`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('MINUTE', ts) > ${DAY}`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('DAY', ts) + 86400000 > ts`,
  `SELECT COUNT(*) FROM clicks WHERE DATETRUNC('WEEK', seen) >= ${DAY}`,
];

describe('timestamp index', () => {
  let indexed: QueryFixture;
  let plain: QueryFixture;
  const data = rows(900);
  const indexing = { nullHandlingEnabled: true, noDictionaryColumns: ['ts'] };
  beforeAll(async () => {
    indexed = await buildFixture(SCHEMA, data, { segmentRows: 200, indexing: { ...indexing, timestampIndexes: { ts: ['HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'], seen: ['WEEK'] } } });
    plain = await buildFixture(SCHEMA, data, { segmentRows: 200, indexing });
  });
  afterAll(async () => {
    await indexed?.cleanup();
    await plain?.cleanup();
  });

  it('truncates exactly as the DATETRUNC function does in UTC, for every granularity', () => {
    const samples = [0, -1, 1, Date.UTC(2024, 1, 29, 13, 5, 7, 9), Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(2000, 0, 3), Date.UTC(2023, 11, 31, 23, 59, 59, 999), -86_400_000 * 4 - 1];
    for (let i = 0; i < 2000; i++) samples.push(Math.round((Math.sin(i) * 0.5 + 0.5) * 4e12 - 1e12));
    for (const g of TIMESTAMP_GRANULARITIES) for (const t of samples) expect(truncateUtc(g, t), `${g} ${t}`).toBe(dateTrunc(g, t));
  });

  it('is built on the sealed segments and verified', async () => {
    const disk = await openSegment(indexed.sealed[0]!.path);
    expect(disk.verify().timestampIndexes).toBe(2);
    expect(disk.footer.indexing.timestampIndexes).toEqual({ ts: ['HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'], seen: ['WEEK'] });
    expect(disk.column('ts').timestampIndex!.granularities).toEqual(['HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']);
    expect(disk.metadata.columns.find((c) => c.name === 'ts')).toMatchObject({ hasTimestampIndex: true });
    expect(plain.sealed[0]!.column('ts').timestampIndex).toBeNull();
    disk.close();
  });

  it('answers DATETRUNC group-bys exactly as without the index (nulls, zones, several keys, units it lacks)', async () => {
    for (const sql of QUERIES) {
      const a = await indexed.query(sql);
      const b = await plain.query(sql);
      expect(a.exceptions, sql).toEqual([]);
      expect(a.resultTable!.rows, sql).toEqual(b.resultTable!.rows);
      expect(a.resultTable!.rows.length, sql).toBeGreaterThan(1);
    }
  });

  it('answers WHERE filters on DATETRUNC exactly as without the index (=, ranges, BETWEEN, IN, nulls, zones)', async () => {
    const counts: number[] = [];
    for (const sql of WHERE) {
      const a = await indexed.query(sql);
      const b = await plain.query(sql);
      expect(a.exceptions, sql).toEqual([]);
      expect(a.resultTable!.rows, sql).toEqual(b.resultTable!.rows);
      counts.push(Number(a.resultTable!.rows[0]!.at(-1)));
    }
    expect(counts.filter((c) => c > 0).length).toBeGreaterThan(WHERE.length - 2);
    expect(indexed.consuming.length).toBeGreaterThan(0);
  });

  it('reads the buckets for UTC DATETRUNC filters of its granularities, visibly in EXPLAIN', async () => {
    const plan = async (fixture: QueryFixture, where: string): Promise<string> => JSON.stringify((await fixture.query(`EXPLAIN PLAN FOR SELECT COUNT(*) FROM clicks WHERE ${where}`)).resultTable!.rows);
    expect(await plan(indexed, `DATETRUNC('DAY', ts) BETWEEN 0 AND ${DAY}`)).toContain('FILTER_TIMESTAMP_INDEX(indexLookUp:timestamp_index');
    expect(await plan(indexed, `DATETRUNC('DAY', ts, 'MILLISECONDS', 'UTC') IN (0, ${DAY})`)).toContain('FILTER_TIMESTAMP_INDEX');
    expect(await plan(indexed, `DATETRUNC('MINUTE', ts) = ${DAY}`)).not.toContain('FILTER_TIMESTAMP_INDEX');
    expect(await plan(indexed, `DATETRUNC('DAY', ts, 'MILLISECONDS', 'Asia/Tokyo') = ${DAY}`)).not.toContain('FILTER_TIMESTAMP_INDEX');
    expect(await plan(indexed, `DATETRUNC('DAY', ts) + 1 > ts`)).not.toContain('FILTER_TIMESTAMP_INDEX');
    expect(await plan(plain, `DATETRUNC('DAY', ts) = ${DAY}`)).not.toContain('FILTER_TIMESTAMP_INDEX');
  });

  it('groups by the precomputed buckets on indexed segments (UTC only, granularities it has)', () => {
    const key = (sql: string) => (planQuery(parseSql(sql), indexed.schema, 'clicks') as AggregationPlan).groupBy[0]!;
    const snapshot = sealedSnapshot(indexed.sealed[0]!);
    const block = (column: string) => snapshot.block(column, 0);
    const day = dictKey(key("SELECT COUNT(*) FROM clicks GROUP BY DATETRUNC('DAY', ts)"), block);
    expect(day).not.toBeNull();
    expect(day!.column.dictionary!.size).toBe(indexed.sealed[0]!.column('ts').timestampIndex!.buckets('DAY')!.values.length);
    expect(typeof day!.exact(0)).toBe('bigint');
    expect(dictKey(key("SELECT COUNT(*) FROM clicks GROUP BY DATETRUNC('DAY', ts, 'MILLISECONDS', 'UTC')"), block)).not.toBeNull();
    expect(dictKey(key("SELECT COUNT(*) FROM clicks GROUP BY DATETRUNC('DAY', ts, 'MILLISECONDS', 'Asia/Tokyo')"), block)).toBeNull();
    expect(dictKey(key("SELECT COUNT(*) FROM clicks GROUP BY DATETRUNC('MINUTE', ts)"), block)).toBeNull();
    const plainBlock = (column: string) => sealedSnapshot(plain.sealed[0]!).block(column, 0);
    expect(dictKey(key("SELECT COUNT(*) FROM clicks GROUP BY DATETRUNC('DAY', ts)"), plainBlock)).toBeNull();
  });
});
