import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/config/data-type.js';
import type { PinotSchema } from '../../../src/config/schema.js';
import { buildTableSchema } from '../../../src/config/schema.js';
import { starTreeConfigsOf } from '../../../src/config/star-tree-config.js';
import type { StarTreeConfig } from '../../../src/config/star-tree-config.js';
import { dirname } from 'node:path';
import type { IndexingConfig } from '../../../src/config/table-config.js';
import { reloadSealedSegments } from '../../../src/ingest/sealed-segment-ops.js';
import { silentLogger } from '../../../src/logger.js';
import { indexChanges, openSegment } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import { runInspect } from '../../../src/cli/inspect.js';
import { QueryEngine, writeBrokerResponse } from '../../../src/query/index.js';
import { QueryPool } from '../../../src/query/parallel/query-pool.js';
import { buildFixture, buildTableSegments } from './query-fixtures.js';
import type { FixtureTable } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

const SCHEMA: PinotSchema = {
  schemaName: 'sales',
  dimensionFieldSpecs: [
    { name: 'country', dataType: 'STRING' },
    { name: 'device', dataType: 'STRING' },
    { name: 'year', dataType: 'INT' },
    { name: 'store', dataType: 'LONG' },
  ],
  metricFieldSpecs: [
    { name: 'clicks', dataType: 'INT' },
    { name: 'amount', dataType: 'DOUBLE' },
  ],
};

/** Amounts are multiples of 1/4, so sums are exact in any order (pre-aggregated or not). */
function rows(n: number): CellValue[][] {
  let seed = 7;
  const next = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 4) % m;
  };
  return Array.from({ length: n }, () => [['US', 'DE', 'FR', 'JP'][next(4)]!, ['ios', 'android', 'web'][next(3)]!, 2020 + next(4), BigInt(next(50)), next(100) - 20, next(4000) / 4 - 100]);
}

const TREE: StarTreeConfig = { dimensions: ['country', 'device', 'year', 'store'], skipStarDimensions: ['store'], functionColumnPairs: ['COUNT__*', 'SUM__amount', 'MIN__amount', 'MAX__amount', 'SUM__clicks', 'MAX__clicks'], maxLeafRecords: 10 };

const ANSWERED = [
  'SELECT COUNT(*) FROM sales',
  'SELECT SUM(amount), MIN(amount), MAX(amount), AVG(amount), COUNT(*) FROM sales',
  'SELECT country, COUNT(*), SUM(amount) FROM sales GROUP BY country ORDER BY country',
  'SELECT country, device, SUM(clicks), MAX(clicks), AVG(amount) FROM sales GROUP BY country, device ORDER BY country, device LIMIT 100',
  "SELECT device, MIN(amount), MAX(amount) FROM sales WHERE country = 'US' GROUP BY device ORDER BY device",
  "SELECT year, COUNT(*) FROM sales WHERE country IN ('DE', 'JP') AND device = 'web' GROUP BY year ORDER BY year",
  "SELECT SUM(amount) FROM sales WHERE year = 2022 AND country = 'FR'",
  'SELECT store, COUNT(*) FROM sales WHERE store IN (3, 7, 11) GROUP BY store ORDER BY store',
  "SELECT COUNT(*) FROM sales WHERE country = 'XX'",
  'SELECT year, SUM(clicks) FROM sales GROUP BY year ORDER BY SUM(clicks) DESC LIMIT 2',
];

const FALLBACK = [
  'SELECT COUNT(*) FROM sales WHERE year > 2021',
  "SELECT country, COUNT(*) FROM sales WHERE country <> 'US' GROUP BY country ORDER BY country",
  'SELECT SUM(clicks), MIN(clicks) FROM sales',
  'SELECT country, DISTINCTCOUNT(device) FROM sales GROUP BY country ORDER BY country',
  "SELECT COUNT(*) FROM sales WHERE country = 'US' OR device = 'web'",
  'SELECT UPPER(country), COUNT(*) FROM sales GROUP BY UPPER(country) ORDER BY 1',
  "SELECT SUM(amount) FILTER (WHERE device = 'ios') FROM sales",
];

describe('star-tree index', () => {
  let indexed: QueryFixture;
  let plain: QueryFixture;
  const data = rows(3000);
  beforeAll(async () => {
    indexed = await buildFixture(SCHEMA, data, { segmentRows: 1000, indexing: { starTrees: [TREE], sortedColumn: 'device' } }); // sorted: docs move at seal
    plain = await buildFixture(SCHEMA, data, { segmentRows: 1000 });
  });
  afterAll(async () => {
    await indexed?.cleanup();
    await plain?.cleanup();
  });

  it('is built at seal, stored in the file and verified', async () => {
    expect(indexed.sealed.length).toBe(2);
    const disk = await openSegment(indexed.sealed[0]!.path);
    expect(disk.verify().starTrees).toBe(1);
    const [tree] = disk.starTrees;
    expect(tree).toMatchObject({ dimensions: TREE.dimensions, functionColumnPairs: TREE.functionColumnPairs });
    const records = disk.starTreeRecords(0);
    expect(records.numRecords).toBe(tree!.numRecords);
    // The all-star pattern (store is never starred): one record per store, counting every doc.
    let all = 0;
    for (let r = 0; r < records.numRecords; r++) if (records.dims[0]![r] === -1 && records.dims[1]![r] === -1 && records.dims[2]![r] === -1) all += records.counts[r]!;
    expect(all).toBe(1000);
    expect(plain.sealed[0]!.starTrees).toEqual([]);
    disk.close();
    const lines: string[] = [];
    expect(await runInspect(indexed.sealed[0]!.path, { verify: true, rows: 0 }, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/^star-tree\s+dimensions country,device,year,store\s+pairs COUNT__\*,SUM__amount,.*\s\d+ records, \d+ nodes \(\d+B\)$/m);
    expect(lines.at(-1)).toMatch(/, 1 star-trees decoded$/);
  });

  it("is Pinot's tree: nodes split in dimensionsSplitOrder until a node has at most maxLeafRecords records, no star nodes for skipped dimensions", async () => {
    const disk = await openSegment(indexed.sealed[0]!.path);
    const { nodes, numRecords, counts } = disk.starTreeRecords(0);
    expect(disk.footer.starTreeIndexes).toHaveLength(1);
    expect(disk.footer.starTrees).toBeUndefined();
    expect(nodes).not.toBeNull();
    expect(nodes!.count).toBe(disk.starTrees[0]!.numNodes);
    let leaves = 0;
    let stars = 0;
    let docsUnderValues = 0;
    const visit = (i: number, level: number, starredCount: number): void => {
      if (nodes!.dim[i] === -1) {
        leaves++;
        if (starredCount === 0) for (let r = nodes!.start[i]!; r < nodes!.end[i]!; r++) docsUnderValues += counts[r]!;
        // A leaf stops splitting at maxLeafRecords (or when every dimension is split).
        expect(nodes!.end[i]! - nodes!.start[i]! <= 10 || level === 4).toBe(true);
        return;
      }
      expect(nodes!.dim[i]).toBe(level); // split order
      expect(nodes!.end[i]! - nodes!.start[i]!).toBeGreaterThan(0);
      for (let c = nodes!.firstChild[i]!; c < nodes!.firstChild[i]! + nodes!.numChildren[i]!; c++) {
        if (nodes!.doc[c] === -1) {
          stars++;
          expect(TREE.dimensions[level]).not.toBe('store');
        }
        visit(c, level + 1, starredCount + (nodes!.doc[c] === -1 ? 1 : 0));
      }
    };
    visit(0, 0, 0);
    expect(leaves).toBeGreaterThan(10);
    expect(stars).toBeGreaterThan(0);
    // The leaves reached without a star node partition the docs: their records count each doc once.
    expect(docsUnderValues).toBe(1000);
    expect(numRecords).toBeLessThan(4 * 3 * 4 * 50 * 8); // far less than the full cube could hold
    disk.close();
  });

  it('a corrupt star-tree section is refused like a corrupt column', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const disk = await openSegment(indexed.sealed[1]!.path);
    const { offset } = disk.starTrees[0]!.section;
    disk.close();
    const bytes = await readFile(indexed.sealed[1]!.path);
    bytes[offset + 3]! ^= 0xff;
    const bad = `${indexed.sealed[1]!.path}.corrupt`;
    await writeFile(bad, bytes);
    await expect(openSegment(bad)).rejects.toThrow(/SEGMENT_CORRUPT|corrupt|checksum/i);
    const unchecked = await openSegment(bad, { verifyChecksum: false });
    expect(() => unchecked.starTreeRecords(0)).toThrow(/star-tree 0/);
    unchecked.close();
  });

  it('answers group-bys, filters, IN and AVG exactly as the scan, reading pre-aggregated records', async () => {
    for (const sql of ANSWERED) {
      const a = await indexed.query(sql);
      const b = await plain.query(sql);
      const off = await indexed.query(sql, 'useStarTree=false');
      expect(a.exceptions, sql).toEqual([]);
      expect(a.resultTable, sql).toEqual(b.resultTable);
      expect(off.resultTable, sql).toEqual(b.resultTable);
      expect(off.numDocsScanned, sql).toBe(b.numDocsScanned);
      // The consuming segment (1000 rows) always scans; sealed ones read records.
      if (b.numDocsScanned > 1000) expect(a.numDocsScanned, sql).toBeLessThan(b.numDocsScanned);
    }
    const all = await indexed.query('SELECT COUNT(*) FROM sales');
    expect(all.numDocsScanned).toBe(1000 + 2 * 50); // consuming rows + one all-star record per store per sealed segment
    expect(all.numSegmentsMatched).toBe(3);
  });

  it('falls back to the scan for what it cannot answer', async () => {
    for (const sql of FALLBACK) {
      const a = await indexed.query(sql);
      const b = await plain.query(sql);
      expect(a.exceptions, sql).toEqual([]);
      expect(a.resultTable, sql).toEqual(b.resultTable);
      expect(a.numDocsScanned, sql).toBe(b.numDocsScanned);
    }
  });

  it('shows FILTER_STARTREE_INDEX in EXPLAIN PLAN where it is used', async () => {
    const plan = async (sql: string, options?: string): Promise<string> => JSON.stringify((await indexed.query(`EXPLAIN PLAN FOR ${sql}`, options)).resultTable!.rows);
    expect(await plan("SELECT country, SUM(amount) FROM sales WHERE device = 'ios' GROUP BY country", 'explainPlanVerbose=true')).toContain('FILTER_STARTREE_INDEX(starTree:0,dimensions:country|device|year|store,predicate:');
    expect(await plan('SELECT COUNT(*) FROM sales WHERE year > 2021', 'explainPlanVerbose=true')).not.toContain('STARTREE');
    expect(await plan('SELECT COUNT(*) FROM sales', 'explainPlanVerbose=true;useStarTree=false')).not.toContain('STARTREE');
  });
});

describe('star-tree on the query worker pool', () => {
  let table: FixtureTable;
  let pool: QueryPool;
  beforeAll(async () => {
    table = await buildTableSegments(SCHEMA, rows(3000), { segmentRows: 1000, indexing: { starTrees: [TREE] } });
    pool = new QueryPool(2);
    await pool.whenReady();
  }, 120_000);
  afterAll(async () => {
    await pool?.close();
    await table?.cleanup();
  });

  it('workers answer from the star-tree as the main thread does', async () => {
    const resolver = { resolve: (name: string) => (name.toLowerCase() === 'sales' ? table.queryTable : undefined) };
    const parallel = new QueryEngine(resolver, { parallel: { pool, minRows: 0, maxGroupShare: Number.POSITIVE_INFINITY, orderedSelections: true } });
    const serial = new QueryEngine(resolver, { parallel: null });
    const answer = async (engine: QueryEngine, sql: string): Promise<Record<string, unknown>> => {
      const json = JSON.parse(writeBrokerResponse(await engine.query(sql))) as Record<string, unknown>;
      delete json.timeUsedMs;
      return json;
    };
    for (const sql of ANSWERED) {
      const before = pool.stats.completed;
      const got = await answer(parallel, sql);
      // A bare COUNT(*) stays on the main thread (it reads no block); the rest go to the workers.
      if (sql !== 'SELECT COUNT(*) FROM sales') expect(pool.stats.completed, sql).toBeGreaterThan(before);
      expect(got, sql).toEqual(await answer(serial, sql));
    }
    expect((await answer(parallel, 'SELECT COUNT(*) FROM sales')).numDocsScanned).toBe(1000 + 2 * 50);
  });
});

describe('star-tree added by a reload', () => {
  let later: QueryFixture;
  let nulls: QueryFixture;
  const data = rows(1200);
  const config: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: false, starTrees: [TREE] };
  beforeAll(async () => {
    later = await buildFixture(SCHEMA, data, { segmentRows: 400 });
    nulls = await buildFixture(SCHEMA, data, { segmentRows: 400, indexing: { nullHandlingEnabled: true, starTrees: [TREE] } });
  });
  afterAll(async () => {
    await later?.cleanup();
    await nulls?.cleanup();
  });

  it('builds it for sealed segments; queries then read records and answer the same', async () => {
    const holder = (list: SealedSegment[]) => ({ get: () => [...list], set: (s: SealedSegment[]) => list.splice(0, list.length, ...s), ledger: null, consumingNames: () => [], logger: silentLogger() });
    expect(later.sealed.map((s) => indexChanges(s, config))).toEqual([['starTree'], ['starTree']]);
    const sql = "SELECT country, SUM(amount), COUNT(*) FROM sales WHERE device IN ('ios', 'web') GROUP BY country ORDER BY country";
    const before = await later.query(sql);
    const report = await reloadSealedSegments(holder(later.sealed), { indexing: config, tableDir: dirname(later.sealed[0]!.path), holdReplaced: false });
    expect(report.failed).toEqual([]);
    expect(report.reindexed).toHaveLength(2);
    expect(later.sealed.every((s) => s.starTrees.length === 1 && indexChanges(s, config).length === 0)).toBe(true);
    const after = await later.query(sql);
    expect(after.resultTable).toEqual(before.resultTable);
    expect(after.numDocsScanned).toBeLessThan(before.numDocsScanned);
    // Null handling on: the cube is not built, and a reload does not keep asking for it.
    expect(nulls.sealed[0]!.starTrees).toEqual([]);
    expect(indexChanges(nulls.sealed[0]!, { ...config, nullHandlingEnabled: true })).toEqual([]);
  });
});

describe('starTreeIndexConfigs', () => {
  const schema = buildTableSchema(SCHEMA);
  const parse = (config: Record<string, unknown>): { trees: StarTreeConfig[]; problems: string[] } => {
    const problems: string[] = [];
    return { trees: starTreeConfigsOf(config, schema, problems), problems };
  };

  it("reads Pinot's config", () => {
    const { trees, problems } = parse({ starTreeIndexConfigs: [{ dimensionsSplitOrder: ['country', 'device'], skipStarNodeCreationForDimensions: [], functionColumnPairs: ['COUNT__*', 'SUM__amount', 'sum__amount'], maxLeafRecords: 100 }] });
    expect(problems).toEqual([]);
    expect(trees).toEqual([{ dimensions: ['country', 'device'], skipStarDimensions: [], functionColumnPairs: ['COUNT__*', 'SUM__amount'], maxLeafRecords: 100 }]);
  });

  it('names the field of each problem', () => {
    const { trees, problems } = parse({
      enableDefaultStarTree: true,
      starTreeIndexConfigs: [{ dimensionsSplitOrder: ['country', 'nope'], skipStarNodeCreationForDimensions: ['year'], functionColumnPairs: ['COUNT__*', 'SUM__missing', 'AVG__amount', 'SUM__country', 'COUNT__amount'], maxLeafRecords: 0 }, { functionColumnPairs: [] }],
    });
    expect(trees).toEqual([]);
    const text = problems.join('\n');
    expect(text).toContain('tableIndexConfig.enableDefaultStarTree');
    expect(text).toContain('starTreeIndexConfigs[0].dimensionsSplitOrder[1]: dimension column nope is not in schema sales');
    expect(text).toContain('starTreeIndexConfigs[0].skipStarNodeCreationForDimensions[0]: year is not in dimensionsSplitOrder');
    expect(text).toContain('starTreeIndexConfigs[0].functionColumnPairs[1]: metric column missing is not in schema sales');
    expect(text).toContain('starTreeIndexConfigs[0].functionColumnPairs[2]: "AVG__amount" is not a supported function column pair');
    expect(text).toContain('starTreeIndexConfigs[0].functionColumnPairs[3]: SUM needs a single-value numeric column');
    expect(text).toContain('starTreeIndexConfigs[0].functionColumnPairs[4]: COUNT is pre-aggregated only as COUNT__*');
    expect(text).toContain('starTreeIndexConfigs[0].maxLeafRecords: must be a positive integer');
    expect(text).toContain('starTreeIndexConfigs[1].dimensionsSplitOrder: must name at least one dimension');
    expect(text).toContain('starTreeIndexConfigs[1].functionColumnPairs: must be a non-empty list');
  });
});
