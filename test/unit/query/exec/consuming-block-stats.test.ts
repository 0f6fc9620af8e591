import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { consumingSnapshot, QueryEngine } from '../../../../src/query/index.js';
import type { SegmentSnapshot } from '../../../../src/query/index.js';
import { ConsumingSegment } from '../../../../src/segment/index.js';
import { DOCS_PER_BLOCK } from '../../../../src/segment/format/format-constants.js';
import { mulberry32 } from '../../../helpers/random.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';

/**
 * A consuming segment's full blocks carry the statistics a sealed segment's blocks have in their
 * footer (min, max, null count of single-value numeric columns), so that filters prune its blocks
 * and an ORDER BY … LIMIT skips them as on sealed segments. The same rows sealed are the truth.
 */
const SCHEMA: PinotSchema = {
  schemaName: 't',
  dimensionFieldSpecs: [
    { name: 'i', dataType: 'INT' },
    { name: 'l', dataType: 'LONG' },
    { name: 's', dataType: 'STRING' },
    { name: 'm', dataType: 'INT', singleValueField: false },
  ],
  metricFieldSpecs: [
    { name: 'd', dataType: 'DOUBLE' },
    { name: 'f', dataType: 'FLOAT' },
    { name: 'n', dataType: 'INT' },
  ],
};
const COLUMNS = ['i', 'l', 'd', 'f', 'n'] as const;
/** Two full blocks and a third still filling. */
const ROWS = 2 * DOCS_PER_BLOCK + 5000;

function rows(): (CellValue | null)[][] {
  const rand = mulberry32(11);
  return Array.from({ length: ROWS }, (_, r) => {
    const block = Math.floor(r / DOCS_PER_BLOCK);
    // Block 1's values lie in ranges of their own, so a filter can rule blocks out.
    const i = block === 1 ? 50_000 + Math.floor(rand() * 1000) : Math.floor(rand() * 1000) - 500;
    // -0, NaN and ±Infinity where floats order them: NaN last, -0 before 0.
    const d = r % 997 === 0 ? Number.NaN : r % 991 === 0 ? -0 : r === 7 ? Number.NEGATIVE_INFINITY : (rand() - 0.5) * 1e6;
    return [i, BigInt(block * 1_000_000 + Math.floor(rand() * 500)), `s${r % 13}`, [r % 5, r % 7], d, Math.fround(rand() * 100), r % 17 === 0 ? null : r % 300];
  });
}

describe('statistics of a consuming segment’s full blocks', () => {
  const data = rows();
  let sealed: FixtureTable;
  let consuming: FixtureTable;
  beforeAll(async () => {
    const indexing = { noDictionaryColumns: ['i', 'd'], nullHandlingEnabled: true };
    sealed = await buildTableSegments(SCHEMA, data, { segmentRows: ROWS, consumingSegments: 0, indexing });
    consuming = await buildTableSegments(SCHEMA, data, { segmentRows: ROWS, consumingSegments: 1, indexing });
  });
  afterAll(async () => {
    await sealed.cleanup();
    await consuming.cleanup();
  });

  const snap = (t: FixtureTable): SegmentSnapshot => t.queryTable.snapshot()[0]!;
  const fields = (s: ReturnType<SegmentSnapshot['blockStats']>): unknown => (s === null ? null : { firstDoc: s.firstDoc, numDocs: s.numDocs, min: s.min, max: s.max, nullCount: s.nullCount });

  it('equal the sealed blocks’ for INT, LONG, FLOAT and DOUBLE columns, nulls counted', () => {
    const c = snap(consuming);
    const s = snap(sealed);
    expect(c.consuming).toBe(true);
    expect(s.consuming).toBe(false);
    // The sealed segment keeps `l`, `f` and `n` in dictionaries, `i` and `d` raw; the consuming one every number raw.
    expect(s.block('l', 0).dictIds).not.toBeNull();
    expect(s.block('i', 0).dictIds).toBeNull();
    for (const column of COLUMNS) expect(c.block(column, 0).dictIds, column).toBeNull();
    for (const column of COLUMNS) {
      for (const b of [0, 1]) expect(fields(c.blockStats(column, b)), `${column} block ${b}`).toEqual(fields(s.blockStats(column, b)));
    }
    expect(c.blockStats('n', 0)!.nullCount).toBeGreaterThan(0);
    expect(Object.is(c.blockStats('d', 0)!.max, Number.NaN)).toBe(true);
    expect(c.blockStats('d', 0)!.min).toBe(Number.NEGATIVE_INFINITY);
    expect(c.blockStats('i', 1)!.min).toBeGreaterThanOrEqual(50_000);
  });

  it('are none for the block still filling, a multi-value or string column, or a block past the end', () => {
    const c = snap(consuming);
    expect(c.blockStats('i', 2)).toBeNull();
    expect(c.blockStats('s', 0)).toBeNull();
    expect(c.blockStats('m', 0)).toBeNull();
    expect(c.blockStats('i', 3)).toBeNull();
    expect(c.blockStats('nope', 0)).toBeNull();
  });

  it('are computed once per block and kept with the segment, across snapshots', () => {
    const first = snap(consuming).blockStats('l', 1);
    expect(snap(consuming).blockStats('l', 1)).toBe(first);
    expect(consumingSnapshot(consuming.consuming[0]!).blockStats('l', 1)).toBe(first);
  });

  it('answer filters and ORDER BY … LIMIT as the sealed segment does', async () => {
    const engine = (t: FixtureTable): QueryEngine => new QueryEngine({ resolve: () => t.queryTable });
    const [a, b] = [engine(consuming), engine(sealed)];
    for (const sql of [
      'SELECT i, d FROM t ORDER BY d DESC, i LIMIT 7',
      'SELECT i, l FROM t ORDER BY i DESC, l LIMIT 5',
      'SELECT count(*), sum(d) FROM t WHERE i BETWEEN 50100 AND 50200',
      'SELECT count(*) FROM t WHERE i < -400 OR l > 1000400',
      'SELECT count(*) FROM t WHERE n IS NULL',
      'SELECT count(*) FROM t WHERE f > 99.5',
    ]) {
      const [x, y] = [await a.query(sql), await b.query(sql)];
      expect(x.exceptions, sql).toEqual([]);
      expect(x.rows, sql).toEqual(y.rows);
      expect(x.stats.numDocsScanned, sql).toBe(y.stats.numDocsScanned);
    }
  });

  it('are none for a rollup segment, whose metric cells change in place', () => {
    const schema = buildTableSchema({ schemaName: 'r', dimensionFieldSpecs: [{ name: 'k', dataType: 'INT' }], metricFieldSpecs: [{ name: 'v', dataType: 'LONG' }] });
    const seg = new ConsumingSegment({
      identity: { tableName: 'r', segmentName: 'r__0__0__20240101T0000Z', partitionId: 0, shardId: 'shardId-0' },
      schema,
      indexing: { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: false },
      rollup: { metrics: [{ column: 'v', fn: 'SUM' }] },
    });
    for (let r = 0; r < DOCS_PER_BLOCK + 10; r++) seg.index([r, 1n], String(r), r);
    expect(seg.numDocs).toBe(DOCS_PER_BLOCK + 10);
    expect(consumingSnapshot(seg).blockStats('k', 0)).toBeNull();
    expect(consumingSnapshot(seg).blockStats('v', 0)).toBeNull();
  });
});
