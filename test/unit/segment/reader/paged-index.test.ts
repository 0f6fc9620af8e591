import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { IndexingConfig } from '../../../../src/config/table-config.js';
import { ShardtableError } from '../../../../src/errors.js';
import { QueryEngine, sealedSnapshot } from '../../../../src/query/index.js';
import { ConsumingSegment, onCorruptSegment, openSegment, sealSegment } from '../../../../src/segment/index.js';
import type { SealedSegment } from '../../../../src/segment/index.js';
import { blockCache } from '../../../../src/segment/reader/block-cache.js';
import { sectionReads } from '../../../../src/segment/reader/read-context.js';
import type { SealedColumn } from '../../../../src/segment/reader/sealed-column.js';
import { tempDir } from '../fixtures.js';

/**
 * The paged layout of large dictionaries and inverted indexes (format version 3): the same rows
 * sealed in the paged layout and in the whole-section layout of version 2 (`pagedLayout: false`,
 * what files written before version 3 hold) must answer alike, and a point lookup must read one
 * page of each, not the whole sections.
 */

const N = 70_000;
const SCHEMA = buildTableSchema({
  schemaName: 't',
  dimensionFieldSpecs: [
    { name: 'u', dataType: 'LONG' },
    { name: 's', dataType: 'STRING' },
    { name: 'c', dataType: 'STRING' },
    { name: 'f', dataType: 'FLOAT' },
    { name: 'mv', dataType: 'STRING', singleValueField: false },
  ],
  metricFieldSpecs: [{ name: 'x', dataType: 'INT' }],
});
const INDEXING: IndexingConfig = { invertedIndexColumns: ['u', 's', 'c', 'f', 'mv'], noDictionaryColumns: ['x'], nullHandlingEnabled: false };
const PAGED_COLUMNS = ['u', 's', 'c', 'f', 'mv'];

function sKey(k: number): string {
  return `k${String(k).padStart(5, '0')}${'_'.repeat(k % 5)}`;
}

function row(i: number): CellValue[] {
  return [
    1_000_000n + BigInt((i * 7919) % 40_000),
    sKey((i * 31) % 30_000),
    i % 97 === 0 ? 'LU' : ['NL', 'US', 'DE', 'FR'][i % 4]!,
    Math.fround(((i * 13) % 3000) / 7),
    [`t${i % 2000}`, `t${(i * 3) % 2000}`],
    i % 1000,
  ];
}

async function seal(dir: string, name: string, pagedLayout: boolean): Promise<SealedSegment> {
  const seg = new ConsumingSegment({ identity: { tableName: name, segmentName: `${name}__0__0__20240101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema: SCHEMA, indexing: INDEXING, createdAtMs: 1_700_000_000_000 });
  for (let i = 0; i < N; i++) seg.index(row(i), String(i + 1), 1_700_000_000_000);
  const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false, builder: 'inline', pagedLayout });
  // Opened from the file: every section is a positioned read.
  return openSegment(sealed.path, { verifyChecksum: false });
}

const MIB = 1024 * 1024;

describe('paged dictionaries and inverted indexes (format version 3)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let paged: SealedSegment;
  let whole: SealedSegment;
  let engine: QueryEngine;
  const capacity = blockCache.capacityBytes;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    paged = await seal(dir, 'paged', true);
    whole = await seal(dir, 'whole', false);
    const tables: Record<string, SealedSegment> = { paged, whole };
    engine = new QueryEngine({ resolve: (n) => (tables[n] ? { name: n, schema: SCHEMA, snapshot: () => [sealedSnapshot(tables[n]!)] } : undefined) }, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    blockCache.resize(capacity);
    paged.close();
    whole.close();
    await cleanup();
  });

  it('writes large dictionaries and inverted indexes in pages, version 3; version 2 with whole sections on request; both verify', () => {
    expect(paged.metadata.formatVersion).toBe(3);
    expect(whole.metadata.formatVersion).toBe(2);
    for (const c of paged.footer.columns) expect(c.pages !== undefined, c.name).toBe(PAGED_COLUMNS.includes(c.name));
    for (const c of whole.footer.columns) expect(c.pages, c.name).toBeUndefined();
    const u = paged.footer.columns.find((c) => c.name === 'u')!;
    expect(u).toMatchObject({ dictionary: null, invertedIndex: null, pages: { layout: 1, inverted: true } });
    expect(u.pages!.numPages).toBe(Math.ceil(u.cardinality / 1024));
    // The low-cardinality column is paged by the size of its doc lists: about one value a page.
    const c = paged.footer.columns.find((x) => x.name === 'c')!;
    expect(c.pages!.numPages).toBeGreaterThanOrEqual(4);
    const a = paged.verify();
    const b = whole.verify();
    expect(a).toEqual(b);
    expect(a.dictionaries).toBe(5);
    expect(a.invertedIndexes).toBe(5);
    expect(paged.metadata.columns.find((m) => m.name === 'u')).toMatchObject({ hasDictionary: true, hasInvertedIndex: true });
  });

  it('looks up every value, the first and last of each page included, strings and numbers, as the whole dictionary does', () => {
    blockCache.resize(256 * MIB);
    for (const name of ['u', 's', 'f', 'c', 'mv']) {
      const p = paged.column(name) as SealedColumn;
      const w = whole.column(name) as SealedColumn;
      const pi = p.invertedIndex!;
      const wi = w.invertedIndex!;
      const wd = w.dictionary!;
      expect(p.dictionary!.size).toBe(wd.size);
      const pd = p.dictionary!;
      for (let id = 0; id < wd.size; id++) {
        const v = wd.get(id);
        if (pi.idOf(v) !== id) expect(pi.idOf(v), `${name} ${String(v)}`).toBe(id);
        if (pd.get(id) !== v && typeof v !== 'object') expect(pd.get(id)).toEqual(v);
        // Doc lists: every id around a page boundary of 1,024 ids, and a sample of the rest.
        if (id % 1024 <= 1 || id % 1024 >= 1022 || id % 17 === 0 || wd.size < 100) expect(Array.from(pi.docIds(id))).toEqual(Array.from(wi.docIds(id)));
      }
    }
    // Absent values: below the first, above the last, between two values of a page, between pages.
    const u = paged.column('u').invertedIndex!;
    for (const v of [999_999n, 1_040_000n, -5n, 2n ** 62n]) expect(u.idOf(v)).toBe(-1);
    const s = paged.column('s').invertedIndex!;
    for (const v of ['', 'a', 'k', 'zzz', `${sKey(1023)}!`, `${sKey(1024)}\u0000`, sKey(29_999) + '_']) expect(s.idOf(v), v).toBe(-1);
    const f = paged.column('f').invertedIndex!;
    expect(f.idOf(Math.fround(1 / 7) + 1e-3)).toBe(-1);
    expect(f.idOf(1 / 7)).toBe(f.idOf(Math.fround(1 / 7))); // FLOAT values are compared as 32-bit floats
    expect(f.idOf(Number.NaN)).toBe(-1);
    expect(() => u.docIds(40_000)).toThrow(RangeError);
    // Sections read by a lookup from an empty cache: the directory and one page; a one-value page's
    // value is its directory entry, so a low-cardinality column reads the directory only.
    const reads = (f: () => void): number => {
      blockCache.clear();
      const before = sectionReads.sections;
      f();
      return sectionReads.sections - before;
    };
    expect(reads(() => expect(u.idOf(1_000_500n)).toBe(500))).toBe(2);
    expect(reads(() => expect(paged.column('c').invertedIndex!.idOf('LU')).toBeGreaterThanOrEqual(0))).toBe(1);
    const second = whole.column('c').dictionary!.get(1);
    expect(reads(() => expect(paged.column('c').dictionary!.get(1)).toBe(second))).toBe(1);
  });

  it('answers queries exactly as the whole-section layout', async () => {
    blockCache.resize(256 * MIB);
    const queries = [
      'SELECT count(*), sum(x) FROM $ WHERE u = 1000123',
      'SELECT count(*), sum(x) FROM $ WHERE u IN (1000000, 1039999, 999, 1001024, 1001023)',
      `SELECT count(*), max(x) FROM $ WHERE s = '${sKey(31)}' OR s = '${sKey(29_999)}'`,
      "SELECT count(*), sum(x) FROM $ WHERE c = 'LU' AND mv = 't5'",
      `SELECT count(*) FROM $ WHERE f = ${Math.fround(300 / 7)}`,
      'SELECT u, count(*) FROM $ GROUP BY u ORDER BY count(*) DESC, u LIMIT 5',
      'SELECT DISTINCTCOUNT(s), DISTINCTCOUNT(u) FROM $',
      'SELECT s, u, f, mv FROM $ WHERE x > 997 ORDER BY s, u LIMIT 10',
      "SELECT count(*) FROM $ WHERE s LIKE 'k0001%'",
      'SELECT c, count(*), sum(x) FROM $ GROUP BY c ORDER BY c',
      'SELECT max(u), min(s), count(*) FROM $ WHERE u BETWEEN 1000100 AND 1000200',
      "SELECT mv, count(*) FROM $ WHERE mv IN ('t1', 't1999') GROUP BY mv ORDER BY mv",
    ];
    for (const sql of queries) {
      const a = await engine.query(sql.replace('$', 'paged'));
      const b = await engine.query(sql.replace('$', 'whole'));
      expect(a.exceptions, sql).toEqual([]);
      expect(a.rows, sql).toEqual(b.rows);
      expect(a.rows.length, sql).toBeGreaterThan(0);
    }
  });

  it('reads one page of the dictionary and one of the index for an equality under a tiny budget, not the whole sections', async () => {
    const u = whole.footer.columns.find((c) => c.name === 'u')!;
    const wholeBytes = u.dictionary!.rawLength + u.invertedIndex!.rawLength;
    const wholeCompressed = u.sizes.dictionaryBytes + u.sizes.invertedIndexBytes;
    blockCache.resize(1 * MIB);
    let expected = 0;
    for (let i = 0; i < N; i++) if (row(i)[0] === 1_012_345n) expected++;
    const cost = async (table: string): Promise<{ read: number; held: number }> => {
      blockCache.clear();
      const before = sectionReads.bytes;
      const r = await engine.query(`SELECT count(*) FROM ${table} WHERE u = 1012345`);
      expect(r.rows).toEqual([[BigInt(expected)]]);
      return { read: sectionReads.bytes - before, held: blockCache.stats().decodedBytes };
    };
    const p = await cost('paged');
    const w = await cost('whole');
    // The whole layout reads both sections (the index alone is bigger than the tiny budget's share).
    expect(w.read).toBeGreaterThanOrEqual(wholeCompressed);
    // The paged layout reads the directory, one dictionary page and one doc-list page.
    expect(p.read).toBeLessThan(wholeCompressed / 10);
    expect(p.held).toBeGreaterThan(0);
    expect(p.held).toBeLessThan(wholeBytes / 10);
  });

  it('reports a corrupt dictionary page as SEGMENT_CORRUPT and still answers from the other pages', async () => {
    blockCache.resize(64 * MIB);
    const bad = join(dir, 'bad__0__0__20240101T0000Z.seg');
    await copyFile(paged.path, bad);
    const bytes = await readFile(bad);
    const pages = paged.footer.columns.find((c) => c.name === 'u')!.pages!;
    bytes[pages.base + 8]! ^= 0xff; // inside the first dictionary page of u
    await writeFile(bad, bytes);
    const seg = await openSegment(bad, { verifyChecksum: false });
    const reports: string[] = [];
    const off = onCorruptSegment((path, detail) => reports.push(`${path}: ${detail}`));
    try {
      const index = seg.column('u').invertedIndex!;
      let caught: unknown;
      try {
        index.idOf(1_000_001n);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ShardtableError);
      expect((caught as ShardtableError).errorName).toBe('SEGMENT_CORRUPT');
      expect((caught as ShardtableError).message).toMatch(/dictionary page 0 of column u/);
      expect(reports.length).toBeGreaterThan(0);
      expect(reports[0]).toContain(bad);
      // Other pages are read and checked on their own.
      expect(index.idOf(1_039_999n)).toBe(39_999);
      expect(() => seg.verify()).toThrow(/SEGMENT_CORRUPT|dictionary page 0/);
    } finally {
      off();
      seg.close();
    }
  });
});
