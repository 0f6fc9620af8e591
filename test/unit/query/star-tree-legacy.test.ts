import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CellValue } from '../../../src/config/data-type.js';
import type { PinotSchema } from '../../../src/config/schema.js';
import type { StarTreeConfig } from '../../../src/config/star-tree-config.js';
import { openSegment } from '../../../src/segment/index.js';
import { buildFixture } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

// Files written by builds before maxLeafRecords was honoured hold a full cube (section layout 0,
// footer key `starTrees`): the builder is replaced by that old one to write such files here.
vi.mock('../../../src/segment/indexes/star-tree-build.js', async () => ({ buildStarTree: (await import('../../helpers/legacy-star-cube.js')).buildStarCube }));

const SCHEMA: PinotSchema = {
  schemaName: 'sales',
  dimensionFieldSpecs: [
    { name: 'country', dataType: 'STRING' },
    { name: 'device', dataType: 'STRING' },
    { name: 'year', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }],
};

function rows(n: number): CellValue[][] {
  let seed = 11;
  const next = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 4) % m;
  };
  return Array.from({ length: n }, () => [['US', 'DE', 'FR'][next(3)]!, ['ios', 'web'][next(2)]!, 2020 + next(3), next(400) / 4]);
}

const TREE: StarTreeConfig = { dimensions: ['country', 'device', 'year'], skipStarDimensions: [], functionColumnPairs: ['COUNT__*', 'SUM__amount', 'MAX__amount'], maxLeafRecords: 10 };

describe('star-tree files of the cube layout (older builds)', () => {
  let old: QueryFixture;
  let plain: QueryFixture;
  const data = rows(1200);
  beforeAll(async () => {
    old = await buildFixture(SCHEMA, data, { segmentRows: 400, indexing: { starTrees: [TREE] }, sealInline: true });
    plain = await buildFixture(SCHEMA, data, { segmentRows: 400 });
  });
  afterAll(async () => {
    await old?.cleanup();
    await plain?.cleanup();
  });

  it('are still read, verified and answer as the scan does', async () => {
    const disk = await openSegment(old.sealed[0]!.path);
    expect(disk.footer.starTrees).toHaveLength(1);
    expect(disk.footer.starTreeIndexes).toBeUndefined();
    expect(disk.starTreeRecords(0).nodes).toBeNull();
    expect(disk.verify().starTrees).toBe(1);
    disk.close();
    for (const sql of [
      'SELECT country, device, COUNT(*), SUM(amount), MAX(amount) FROM sales GROUP BY country, device ORDER BY 1, 2',
      "SELECT year, COUNT(*) FROM sales WHERE country IN ('US', 'FR') GROUP BY year ORDER BY 1",
      'SELECT COUNT(*), SUM(amount) FROM sales',
    ]) {
      const a = await old.query(sql);
      const b = await plain.query(sql);
      expect(a.exceptions, sql).toEqual([]);
      expect(a.resultTable, sql).toEqual(b.resultTable);
      expect(a.numDocsScanned, sql).toBeLessThan(b.numDocsScanned);
    }
  });
});
