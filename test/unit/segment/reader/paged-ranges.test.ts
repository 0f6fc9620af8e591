import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, ScalarValue } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { IndexingConfig } from '../../../../src/config/table-config.js';
import { consumingSnapshot, QueryEngine, sealedSnapshot } from '../../../../src/query/index.js';
import type { SegmentSnapshot } from '../../../../src/query/index.js';
import { ConsumingSegment, openSegment, sealSegment } from '../../../../src/segment/index.js';
import type { DictionaryBounds, SealedSegment } from '../../../../src/segment/index.js';
import { blockCache } from '../../../../src/segment/reader/block-cache.js';
import { pageReads } from '../../../../src/segment/reader/paged-index.js';
import { comparatorOf } from '../../../../src/segment/reader/sealed-dictionary.js';
import { tempDir } from '../fixtures.js';

/**
 * Range, prefix LIKE, `=` and IN filters on paged dictionaries (format version 3) read only the
 * pages holding their bounds: the same rows sealed paged, sealed whole (version 2) and still
 * consuming (an unsorted dictionary: every value tested, the reference answer) must answer alike,
 * with bounds on page boundaries, between pages, below and above every value, empty ranges and NOT.
 */

const N = 50_000;
const SCHEMA = buildTableSchema({
  schemaName: 't',
  dimensionFieldSpecs: [
    { name: 'd', dataType: 'DOUBLE' },
    { name: 'u', dataType: 'LONG' },
    { name: 's', dataType: 'STRING' },
    { name: 'i', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'x', dataType: 'INT' }],
});
// d, u and i are dictionary-encoded and paged for their inverted indexes (range filters still
// test dictionary ids); s, without one, for the size of its dictionary (so `=` and IN test ids too).
const INDEXING: IndexingConfig = { invertedIndexColumns: ['d', 'u', 'i'], noDictionaryColumns: ['x'], nullHandlingEnabled: false };
const PAGE = 1024;

function sKey(k: number): string {
  return `k${String(k).padStart(5, '0')}${'_'.repeat(k % 5)}`;
}

function double(i: number): number {
  if (i % 997 === 0) return Number.NaN;
  if (i % 991 === 0) return -0;
  if (i % 983 === 0) return 0;
  if (i % 977 === 0) return Number.POSITIVE_INFINITY;
  if (i % 971 === 0) return Number.NEGATIVE_INFINITY;
  return (((i * 7919) % 40_000) - 20_000) / 8;
}

function row(i: number): CellValue[] {
  return [double(i), 1_000_000n + BigInt((i * 7919) % 40_000), i % 1009 === 0 ? `k0${'\uffff'.repeat((i % 3) + 1)}` : sKey((i * 31) % 30_000), ((i * 13) % 20_000) - 10_000, i % 1000];
}

function consuming(name: string): ConsumingSegment {
  const seg = new ConsumingSegment({ identity: { tableName: name, segmentName: `${name}__0__0__20240101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema: SCHEMA, indexing: INDEXING, createdAtMs: 1_700_000_000_000 });
  for (let i = 0; i < N; i++) seg.index(row(i), String(i + 1), 1_700_000_000_000);
  return seg;
}

async function seal(dir: string, name: string, pagedLayout: boolean): Promise<SealedSegment> {
  const sealed = await sealSegment(consuming(name), { tableDir: dir, endOfShard: false, builder: 'inline', pagedLayout });
  return openSegment(sealed.path, { verifyChecksum: false });
}

/** A SQL literal of a dictionary value. */
function lit(v: ScalarValue): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

describe('range, prefix LIKE, = and IN on paged dictionaries', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let paged: SealedSegment;
  let whole: SealedSegment;
  let live: ConsumingSegment;
  let engine: QueryEngine;
  const capacity = blockCache.capacityBytes;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    paged = await seal(dir, 'paged', true);
    whole = await seal(dir, 'whole', false);
    live = consuming('live');
    const snapshots: Record<string, () => SegmentSnapshot> = { paged: () => sealedSnapshot(paged), whole: () => sealedSnapshot(whole), live: () => consumingSnapshot(live) };
    engine = new QueryEngine({ resolve: (n) => (snapshots[n] ? { name: n, schema: SCHEMA, snapshot: () => [snapshots[n]!()] } : undefined) }, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    blockCache.resize(capacity);
    paged.close();
    whole.close();
    await cleanup();
  });

  it('pages every column of the fixture', () => {
    for (const name of ['d', 'u', 's', 'i']) {
      const c = paged.footer.columns.find((x) => x.name === name)!;
      expect(c.pages?.numPages, name).toBe(Math.ceil(c.cardinality / PAGE));
    }
  });

  it('finds id ranges as a test of every value would, reading at most the two pages holding the bounds', () => {
    blockCache.resize(64 * 1024 * 1024);
    for (const name of ['d', 'u', 's', 'i']) {
      const w = whole.column(name).dictionary!;
      const p = paged.column(name).dictionary!;
      const type = whole.footer.columns.find((c) => c.name === name)!.storedType;
      const compare = comparatorOf(type);
      const values = Array.from({ length: w.size }, (_, id) => w.get(id));
      // Page first and last values, values between two pages' values, below and above all.
      const probes: ScalarValue[] = [];
      for (let id = 0; id < w.size; id += 3 * PAGE) probes.push(values[id]!, values[Math.max(0, id - 1)]!, values[Math.min(w.size - 1, id + 7)]!);
      probes.push(values[w.size - 1]!);
      if (type === 'STRING') probes.push('', 'a', 'k00000', `${values[PAGE]}!`, `${values[3 * PAGE]}\u0000`, 'k1', 'zzz', '\uffff\uffff');
      else if (type === 'LONG') probes.push(0n, 999_999n, 1_040_000n, 2n ** 62n);
      else probes.push(-1e9, 1e9, 0.0625, -0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      const brute = (b: DictionaryBounds): [number, number] => {
        const inside = (v: ScalarValue): boolean => {
          const lo = b.lo === null ? 1 : compare(v, b.lo);
          const hi = b.hi === null ? -1 : compare(v, b.hi);
          return (lo > 0 || (lo === 0 && b.loInclusive)) && (hi < 0 || (hi === 0 && b.hiInclusive));
        };
        const from = values.findIndex(inside);
        if (from < 0) return [0, 0];
        let to = from;
        while (to < values.length && inside(values[to]!)) to++;
        return [from, to];
      };
      const same = (a: readonly [number, number], b: [number, number]): boolean => (a[0] === a[1] && b[0] === b[1]) || (a[0] === b[0] && a[1] === b[1]);
      for (let k = 0; k < probes.length; k++) {
        const lo = probes[k]!;
        const hi = probes[(k * 7 + 3) % probes.length]!;
        for (const b of [
          { lo, loInclusive: true, hi, hiInclusive: true },
          { lo, loInclusive: false, hi, hiInclusive: false },
          { lo, loInclusive: true, hi: null, hiInclusive: false },
          { lo: null, loInclusive: false, hi: lo, hiInclusive: false },
          { lo, loInclusive: true, hi: lo, hiInclusive: true },
        ]) {
          const before = pageReads.dictionary;
          const got = p.idRange!(b);
          const read = pageReads.dictionary - before;
          const want = brute(b);
          if (!same(got, want) || read > 2) expect({ name, b, got, read }).toEqual({ name, b, got: want, read: Math.min(read, 2) });
          if (!same(w.idRange!(b), want)) expect({ name, b, whole: w.idRange!(b) }).toEqual({ name, b, whole: want });
        }
      }
      // A bound equal to a page's first value reads no page.
      const before = pageReads.dictionary;
      expect(p.idRange!({ lo: values[2 * PAGE]!, loInclusive: true, hi: values[5 * PAGE]!, hiInclusive: false })).toEqual([2 * PAGE, 5 * PAGE]);
      expect(pageReads.dictionary - before, name).toBe(0);
    }
  });

  it('answers every predicate shape as the consuming segment (every value tested) does, NOT included', async () => {
    blockCache.resize(64 * 1024 * 1024);
    const dv = (id: number): ScalarValue => whole.column('d').dictionary!.get(id);
    const uv = (id: number): ScalarValue => whole.column('u').dictionary!.get(id);
    const sv = (id: number): ScalarValue => whole.column('s').dictionary!.get(id);
    const iv = (id: number): ScalarValue => whole.column('i').dictionary!.get(id);
    const predicates = [
      // Bounds on a page's first and last values, between pages, below and above all.
      `d >= ${lit(dv(PAGE))} AND d < ${lit(dv(3 * PAGE))}`,
      `d > ${lit(dv(PAGE - 1))}`,
      `d <= ${lit(dv(2 * PAGE - 1))}`,
      `d BETWEEN ${lit(dv(PAGE + 3))} AND ${lit(dv(20 * PAGE + 5))}`,
      'd > 0', 'd >= 0', 'd < 0', 'd <= -0', 'd = 0', 'd BETWEEN -0 AND 0', 'd BETWEEN 0 AND -0', 'd > 1e9', 'd < -1e9', 'd BETWEEN 5 AND 4',
      'd IN (0, 0.125, -2500, 12345.5)', 'NOT d > 10', 'd NOT BETWEEN -100 AND 100', 'd NOT IN (0.125, 0)',
      `u BETWEEN ${lit(uv(PAGE))} AND ${lit(uv(30 * PAGE - 1))}`,
      `u > ${lit(uv(10 * PAGE))}`, 'u < 999999', 'u > 2000000', 'u >= 1000000', 'u = 1012345', 'u IN (1000000, 1039999, 5, 1001024)', 'u < 1000100.5', 'u NOT IN (1000001)',
      `s >= ${lit(sv(PAGE))} AND s <= ${lit(sv(4 * PAGE - 1))}`,
      `s > ${lit(`${sv(7 * PAGE)}\u0000`)}`, "s < 'a'", "s > 'zzz'", "s BETWEEN 'k1' AND 'k0'",
      "s LIKE 'k0001%'", "s LIKE 'k0%'", "s LIKE 'k2999%'", "s LIKE 'k00010%%'", "s LIKE 'k3%'", "s LIKE 'zz%'", "s LIKE '%'", `s LIKE '${sv(PAGE)}'`,
      "s LIKE 'k0\uffff%'", "s LIKE 'k0\uffff\uffff%'", "s NOT LIKE 'k00%'", "s LIKE 'k0001_%'", "s LIKE '%9__'",
      `s IN (${lit(sv(0))}, ${lit(sv(PAGE))}, 'nope', ${lit(sv(3 * PAGE - 1))})`, `s = ${lit(sv(5 * PAGE + 1))}`,
      `i BETWEEN ${lit(iv(PAGE))} AND ${lit(iv(3 * PAGE))}`, 'i > 9000', 'i < -20000', 'i = 17', 'i IN (-10000, 9999, 0)', 'NOT (i < 0 OR i > 5000)',
    ];
    for (const where of predicates) {
      const sql = `SELECT count(*), sum(x), min(d), max(u) FROM $ WHERE ${where}`;
      const want = await engine.query(sql.replace('$', 'live'));
      expect(want.exceptions, where).toEqual([]);
      for (const t of ['paged', 'whole']) {
        const got = await engine.query(sql.replace('$', t));
        expect(got.exceptions, `${t}: ${where}`).toEqual([]);
        expect(got.rows, `${t}: ${where}`).toEqual(want.rows);
      }
    }
  });

  it('counts the dictionary pages a filter reads: two for a range or a prefix LIKE, one per IN value, every page for a general LIKE', async () => {
    blockCache.resize(64 * 1024 * 1024);
    const s = whole.column('s').dictionary!;
    const u = whole.column('u').dictionary!;
    const pagesOf = (name: string): number => paged.footer.columns.find((c) => c.name === name)!.pages!.numPages;
    const cost = async (where: string): Promise<{ pages: number; count: unknown }> => {
      blockCache.clear();
      const before = pageReads.dictionary;
      const r = await engine.query(`SELECT count(*) FROM paged WHERE ${where}`);
      expect(r.exceptions, where).toEqual([]);
      return { pages: pageReads.dictionary - before, count: r.rows[0]![0] };
    };
    const count = async (where: string): Promise<unknown> => (await engine.query(`SELECT count(*) FROM live WHERE ${where}`)).rows[0]![0];
    const cases: [string, number][] = [
      [`u BETWEEN ${lit(u.get(PAGE + 5))} AND ${lit(u.get(35 * PAGE + 5))}`, 2],
      [`u >= ${lit(u.get(PAGE))} AND u < ${lit(u.get(30 * PAGE))}`, 0],
      [`s > ${lit(s.get(2 * PAGE + 9))}`, 1],
      ["s LIKE 'k01%'", 2],
      ["s LIKE 'k000%'", 1],
      ["s NOT LIKE 'k1%'", 2],
      [`u IN (${lit(u.get(3))}, ${lit(u.get(5 * PAGE + 3))}, ${lit(u.get(9 * PAGE + 3))})`, 3],
      ["s LIKE '%7%'", pagesOf('s')],
    ];
    for (const [where, pages] of cases) {
      const got = await cost(where);
      expect(got.count, where).toEqual(await count(where));
      expect(got.pages, where).toBe(pages);
    }
    expect(pagesOf('u')).toBeGreaterThan(30);
    // With the cache off a range still reads only its two boundary pages (each page once).
    blockCache.resize(0);
    const [where] = cases[0]!;
    const off = await cost(where);
    expect(off).toEqual({ pages: 2, count: await count(where) });
    blockCache.resize(64 * 1024 * 1024);
  });
});
