import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { IndexingConfig } from '../../../../src/config/table-config.js';
import { consumingSnapshot, QueryEngine, sealedSnapshot, writeBrokerResponse } from '../../../../src/query/index.js';
import type { SegmentSnapshot } from '../../../../src/query/index.js';
import { ConsumingSegment, openSegment, sealSegment } from '../../../../src/segment/index.js';
import type { SealedSegment } from '../../../../src/segment/index.js';
import { decodedBlockBytes } from '../../../../src/segment/reader/block-cache.js';
import { narrowInts } from '../../../../src/segment/reader/narrow-ints.js';
import { tempDir } from '../fixtures.js';

/**
 * Raw INT blocks whose footer min/max lie in [0, 65535] are held as 16-bit values (half the bytes
 * in the memory budget); every other INT block keeps 32 bits. Either way a reader and every query
 * path (range filters, folds, GROUP BY sums, percentiles, distinct counts, raw keys, expressions)
 * must answer exactly as the same rows still consuming (where INT is always 32-bit).
 */

const BLOCK = 16_384;
const N = 3 * BLOCK + 5_000;
const SCHEMA = buildTableSchema({
  schemaName: 't',
  dimensionFieldSpecs: [
    { name: 'g', dataType: 'STRING' },
    { name: 'code', dataType: 'INT' },
  ],
  metricFieldSpecs: [
    { name: 'small', dataType: 'INT' },
    { name: 'mixed', dataType: 'INT' },
    { name: 'nullable', dataType: 'INT' },
  ],
});
const INDEXING: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: ['code', 'small', 'mixed', 'nullable'], nullHandlingEnabled: true };

/**
 * `small` spans [0, 65535] in every block; `mixed` is narrow except block 1 (one value 70,000) and
 * block 2 (one value -5); `nullable` (a metric: a null stores 0) and `code` (a dimension: a null
 * stores -2³¹) have nulls in block 0 only.
 */
function row(i: number): (CellValue | null)[] {
  const small = i === 7 ? 0 : i === 8 ? 65_535 : i % 4096 === 9 ? 40_000 : i % 4096 === 10 ? 65_000 : (i * 7919) % 65_536;
  const mixed = i === BLOCK + 3 ? 70_000 : i === 2 * BLOCK + 9 ? -5 : (i * 104_729) % 60_001;
  const nullable = i < BLOCK && i % 997 === 0 ? null : (i * 31) % 50_000;
  const code = i < BLOCK && i % 1013 === 0 ? null : i % 1000;
  return [`g${i % 7}`, code, small, mixed, nullable];
}

function consuming(name: string): ConsumingSegment {
  const seg = new ConsumingSegment({ identity: { tableName: name, segmentName: `${name}__0__0__20240101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema: SCHEMA, indexing: INDEXING, createdAtMs: 1_700_000_000_000 });
  for (let i = 0; i < N; i++) seg.index(row(i), String(i + 1), 1_700_000_000_000);
  return seg;
}

describe('narrowInts', () => {
  it('copies values within a [0, 65535] min/max into 16 bits', () => {
    const out = narrowInts(Int32Array.from([0, 65_535, 12]), 0, 65_535);
    expect(out).toBeInstanceOf(Uint16Array);
    expect(Array.from(out!)).toEqual([0, 65_535, 12]);
  });

  it('leaves a block alone when its min/max reach outside 16 bits or are not numbers', () => {
    expect(narrowInts(Int32Array.from([-1, 3]), -1, 3)).toBeNull();
    expect(narrowInts(Int32Array.from([0, 65_536]), 0, 65_536)).toBeNull();
    expect(narrowInts(Int32Array.from([-(2 ** 31), 3]), -(2 ** 31), 3)).toBeNull();
    expect(narrowInts(new Int32Array(0), null, null)).toBeNull();
  });

  it('refuses a value outside the min/max the footer gave (a damaged file), naming it', () => {
    expect(() => narrowInts(Int32Array.from([1, 70_000, 2]), 0, 100)).toThrow(/value 70000 at 1 lies outside the block's min\/max \[0, 100\]/);
    expect(() => narrowInts(Int32Array.from([5, 4]), 5, 9)).toThrow(/value 4 at 1/);
  });
});

describe('sealed INT blocks held narrow', () => {
  let cleanup: () => Promise<void>;
  let sealed: SealedSegment;
  let engine: QueryEngine;
  beforeAll(async () => {
    const made = await tempDir();
    cleanup = made.cleanup;
    sealed = await openSegment((await sealSegment(consuming('sealed'), { tableDir: made.dir, endOfShard: false, builder: 'inline' })).path, { verifyChecksum: false });
    const live = consuming('live');
    const snapshots: Record<string, () => SegmentSnapshot> = { sealed: () => sealedSnapshot(sealed), live: () => consumingSnapshot(live) };
    engine = new QueryEngine({ resolve: (n) => (snapshots[n] ? { name: n, schema: SCHEMA, snapshot: () => [snapshots[n]!()] } : undefined) }, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    sealed.close();
    await cleanup();
  });

  it('holds each block in 16 bits exactly where its min/max allow', () => {
    const kinds = (column: string): string[] => sealed.column(column).blocks.map((_, b) => sealed.column(column).readBlock(b).values!.constructor.name);
    expect(kinds('small')).toEqual(['Uint16Array', 'Uint16Array', 'Uint16Array', 'Uint16Array']);
    expect(kinds('mixed')).toEqual(['Uint16Array', 'Int32Array', 'Int32Array', 'Uint16Array']);
    // A metric's nulls store 0: block 0 is narrow, with its null bitmap. A dimension's store -2³¹.
    expect(kinds('nullable')).toEqual(['Uint16Array', 'Uint16Array', 'Uint16Array', 'Uint16Array']);
    expect(kinds('code')).toEqual(['Int32Array', 'Uint16Array', 'Uint16Array', 'Uint16Array']);
  });

  it('reads back every value and null as written', () => {
    for (let i = 0; i < N; i += 97) {
      const [, code, small, mixed, nullable] = row(i);
      expect(sealed.column('small').getValue(i), `small ${i}`).toBe(small);
      expect(sealed.column('mixed').getValue(i), `mixed ${i}`).toBe(mixed);
      expect(sealed.column('nullable').isNull(i), `nullable ${i}`).toBe(nullable === null);
      if (nullable !== null) expect(sealed.column('nullable').getValue(i), `nullable ${i}`).toBe(nullable);
      expect(sealed.column('code').isNull(i), `code ${i}`).toBe(code === null);
      if (code !== null) expect(sealed.column('code').getValue(i), `code ${i}`).toBe(code);
    }
    for (const i of [7, 8, BLOCK + 3, 2 * BLOCK + 9]) expect([sealed.column('small').getValue(i), sealed.column('mixed').getValue(i)]).toEqual(row(i).slice(2, 4));
  });

  it('counts a narrowed block as its own 16-bit values and null bitmap, not the 32-bit section', () => {
    const narrow = sealed.column('nullable').readBlock(0);
    expect(narrow.values).toBeInstanceOf(Uint16Array);
    expect(narrow.nulls).not.toBeNull();
    // The bitmap is a copy of its own: the section's buffer is not kept alive through it.
    expect(narrow.nulls!.buffer.byteLength).toBe(narrow.nulls!.byteLength);
    expect(decodedBlockBytes(narrow, 4 * BLOCK + 2048)).toBe(2 * BLOCK + BLOCK / 8 + 256);
    const wide = sealed.column('mixed').readBlock(1);
    expect(decodedBlockBytes(wide, 4 * BLOCK)).toBe(4 * BLOCK + 256);
  });

  const queries = [
    'SELECT count(*), sum(small), min(small), max(small), avg(small), minmaxrange(small) FROM T WHERE small BETWEEN 100 AND 40000',
    // Bounds on values the column holds; a rare range (branchy loops) and candidate rows from another filter.
    'SELECT count(*), sum(small) FROM T WHERE small BETWEEN 65000 AND 65535',
    'SELECT count(*), sum(small) FROM T WHERE small BETWEEN 39000 AND 40000',
    "SELECT count(*), sum(small) FROM T WHERE g <> 'g2' AND small BETWEEN 39000 AND 40000",
    "SELECT count(*), sum(small), max(small) FROM T WHERE g = 'g3' AND small BETWEEN 100 AND 40000",
    "SELECT count(*), min(small) FROM T WHERE g = 'g3' AND small >= 65000",
    'SELECT count(*), sum(mixed), min(mixed), max(mixed), minmaxrange(mixed) FROM T WHERE mixed > 30000 OR mixed < 0',
    'SELECT g, sum(small), avg(mixed), max(small), count(*) FROM T GROUP BY g ORDER BY g',
    'SELECT PERCENTILE(small, 90), PERCENTILE(mixed, 50), DISTINCTCOUNT(small), DISTINCTCOUNT(mixed) FROM T',
    'SELECT small, count(*) FROM T GROUP BY small ORDER BY count(*) DESC, small LIMIT 5',
    'SELECT mixed % 10 AS d, sum(small) FROM T GROUP BY mixed % 10 ORDER BY d',
    'SELECT count(*) FROM T WHERE small + 1 > 65000',
    'SELECT small, mixed FROM T ORDER BY small DESC, mixed LIMIT 5',
    'SELECT count(*), sum(nullable), min(nullable) FROM T WHERE nullable IS NOT NULL',
    'SELECT count(*) FROM T WHERE nullable IS NULL',
    'SELECT count(*), sum(code), max(code) FROM T WHERE code IS NOT NULL AND code < 500',
  ];
  for (const sql of queries) {
    it(`answers ${sql} as the consuming segment does`, async () => {
      const answer = async (table: string): Promise<unknown> => {
        const r = JSON.parse(writeBrokerResponse(await engine.query(sql.replace('FROM T', `FROM ${table}`), 'enableNullHandling=true'))) as { exceptions: unknown[]; resultTable?: { rows: unknown[][] } };
        expect(r.exceptions, table).toEqual([]);
        return r.resultTable!.rows;
      };
      const want = await answer('live');
      expect((want as unknown[]).length).toBeGreaterThan(0);
      expect(await answer('sealed')).toEqual(want);
    });
  }
});
