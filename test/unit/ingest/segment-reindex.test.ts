import { copyFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexingConfig } from '../../../src/config/table-config.js';
import { reloadSealedSegments } from '../../../src/ingest/sealed-segment-ops.js';
import type { SealedSegmentsHolder } from '../../../src/ingest/sealed-segment-ops.js';
import { silentLogger } from '../../../src/logger.js';
import { buildReindexedFile, indexChanges, loadTableSegments, openSegment, REINDEX_FILE_SUFFIX, segmentRows } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import { buildFixture, EVENTS_SCHEMA, eventRows } from '../query/query-fixtures.js';
import type { QueryFixture } from '../query/query-fixtures.js';

const BASE: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: ['amount', 'id'], nullHandlingEnabled: true, sortedColumn: 'country' };
const INDEXED: IndexingConfig = {
  ...BASE,
  rangeIndexColumns: ['price', 'amount', 'ts'],
  bloomFilters: { id: { fpp: 0.01, maxSizeInBytes: 1_000_000 } },
  jsonIndexColumns: ['payload'],
  textIndexColumns: ['payload'],
  timestampIndexes: { ts: ['HOUR', 'DAY'] },
  invertedIndexColumns: ['device'],
};

function holderOf(list: SealedSegment[]): SealedSegmentsHolder {
  return { get: () => [...list], set: (s) => list.splice(0, list.length, ...s), ledger: null, consumingNames: () => [], logger: silentLogger() };
}

const QUERIES = [
  'SELECT COUNT(*), SUM(clicks) FROM events WHERE price BETWEEN 100 AND 120',
  'SELECT id, country FROM events WHERE amount > 500 ORDER BY id LIMIT 100',
  'SELECT id FROM events WHERE id = 77',
  'SELECT id FROM events WHERE id IN (3, 250, 399) ORDER BY id',
  'SELECT COUNT(*) FROM events WHERE JSON_MATCH(payload, \'"$.user.age" > 300\')',
  "SELECT DATETRUNC('DAY', ts), COUNT(*) FROM events GROUP BY DATETRUNC('DAY', ts) ORDER BY 1",
  'SELECT id FROM events WHERE TEXT_MATCH(payload, \'u17* OR "name u3"\') ORDER BY id',
  'SELECT country, COUNT(*) FROM events WHERE device = \'ios\' AND ts >= 1700000100000 GROUP BY country ORDER BY country',
];

/** Segments sealed without indexes, then the table config gains some and a reload builds them. */
describe('reload builds the config\'s indexes for sealed segments', () => {
  let table: QueryFixture;
  let plain: QueryFixture;
  const rows = eventRows(400).map((_, i, all) => all[(i * 7) % 400]!);
  beforeAll(async () => {
    table = await buildFixture(EVENTS_SCHEMA, rows, { segmentRows: 90, indexing: BASE });
    plain = await buildFixture(EVENTS_SCHEMA, rows, { segmentRows: 90, indexing: BASE });
  });
  afterAll(async () => {
    await table?.cleanup();
    await plain?.cleanup();
  });

  it('rebuilds each segment atomically with the same rows, order and footer, and queries use the indexes after', async () => {
    const before = [...table.sealed];
    const rowsBefore = before.map((s) => [...segmentRows(s)]);
    const footers = before.map((s) => s.footer);
    expect(before.map((s) => indexChanges(s, INDEXED))).toEqual(before.map(() => ['inverted', 'json', 'bloom', 'range', 'text', 'timestamp']));
    const scanStats = await table.query(QUERIES[0]!);

    const tableDir = dirname(before[0]!.path);
    const report = await reloadSealedSegments(holderOf(table.sealed), { indexing: INDEXED, tableDir, holdReplaced: false });
    expect(report.failed).toEqual([]);
    expect(report.reindexed).toEqual(before.map((s) => s.name));
    expect(report.reloaded).toEqual(before.map((s) => s.name));
    expect(table.sealed.every((s, i) => s !== before[i])).toBe(true);
    // Only the published files are left: no temporary file.
    expect((await readdir(tableDir)).sort()).toEqual(before.map((s) => `${s.name}.seg`).sort());

    for (const [i, s] of table.sealed.entries()) {
      // What is on disk now, read back with every checksum verified.
      const disk = await openSegment(s.path);
      expect(disk.footer.indexing).toMatchObject({ rangeIndexColumns: ['price', 'amount', 'ts'], bloomFilterColumns: ['id'], jsonIndexColumns: ['payload'], invertedIndexColumns: ['device'] });
      expect(disk.column('price').rangeIndex).not.toBeNull();
      expect(disk.column('id').bloomFilter).not.toBeNull();
      expect(disk.column('payload').jsonIndex).not.toBeNull();
      expect(disk.column('payload').textIndex).not.toBeNull();
      expect(disk.column('ts').timestampIndex!.granularities).toEqual(['HOUR', 'DAY']);
      expect(disk.column('device').invertedIndex).not.toBeNull();
      expect([...segmentRows(disk)]).toEqual(rowsBefore[i]);
      const { columns: _c, indexing: _i, ...rest } = disk.footer;
      const { columns: _c0, indexing: _i0, ...restBefore } = footers[i]!;
      expect(rest).toEqual(restBefore);
      expect(indexChanges(disk, INDEXED)).toEqual([]);
      disk.close();
    }

    for (const sql of QUERIES) {
      const a = await table.query(sql);
      const b = await plain.query(sql);
      expect(a.exceptions, sql).toEqual([]);
      expect(a.resultTable!.rows, sql).toEqual(b.resultTable!.rows);
    }
    const indexed = await table.query(QUERIES[0]!);
    expect(indexed.numEntriesScannedInFilter).toBeLessThan(scanStats.numEntriesScannedInFilter);
    expect(indexed.numEntriesScannedInFilter).toBe(40); // the consuming segment's rows only
    const pruned = await table.query('SELECT id FROM events WHERE id = 77');
    expect(pruned.numSegmentsPrunedByValue).toBeGreaterThan(0);
    const plan = await table.query('EXPLAIN PLAN FOR SELECT id FROM events WHERE amount > 10');
    expect(JSON.stringify(plan.resultTable!.rows)).toContain('FILTER_RANGE_INDEX');

    // A second reload finds nothing to rebuild; the old files were replaced, not added to.
    const again = await reloadSealedSegments(holderOf(table.sealed), { indexing: INDEXED, tableDir, holdReplaced: false });
    expect(again.reindexed).toEqual([]);
    expect(again.reloaded).toHaveLength(before.length);

    // Dropping the indexes from the config drops them from the files at the next reload.
    const sizes = await Promise.all(table.sealed.map(async (s) => (await stat(s.path)).size));
    const dropped = await reloadSealedSegments(holderOf(table.sealed), { indexing: BASE, tableDir, holdReplaced: false });
    expect(dropped.reindexed).toHaveLength(before.length);
    expect(table.sealed[0]!.column('price').rangeIndex).toBeNull();
    const smaller = await Promise.all(table.sealed.map(async (s) => (await stat(s.path)).size));
    smaller.forEach((n, i) => expect(n).toBeLessThan(sizes[i]!));
    for (const sql of QUERIES) expect((await table.query(sql)).resultTable!.rows, sql).toEqual((await plain.query(sql)).resultTable!.rows);
  });

  it('a rebuilt file left by a crash before its rename is deleted at start; the old file answers', async () => {
    const seg = table.sealed[1]!;
    const tableDir = dirname(seg.path);
    const tmp = await buildReindexedFile(seg, { ...BASE, rangeIndexColumns: ['price'] }, tableDir, 'inline');
    expect(tmp).toBe(seg.path.replace(/\.seg$/, REINDEX_FILE_SUFFIX));
    // A second copy of a published file, to check that only the temporary one goes.
    await copyFile(seg.path, join(tableDir, 'copy.txt'));
    const loaded = await loadTableSegments(tableDir);
    const names = await readdir(tableDir);
    expect(names.some((f) => f.endsWith(REINDEX_FILE_SUFFIX))).toBe(false);
    expect(loaded.quarantined).toEqual([]);
    expect(loaded.segments.map((s) => s.name).sort()).toEqual(table.sealed.map((s) => s.name).sort());
    expect(loaded.segments.find((s) => s.name === seg.name)!.footer).toEqual(seg.footer);
    for (const s of loaded.segments) s.close();
  });

  it('a query that took the old segment before the swap still reads it after the file is replaced', async () => {
    const tableDir = dirname(table.sealed[0]!.path);
    const old = table.sealed[0]!;
    const report = await reloadSealedSegments(holderOf(table.sealed), { indexing: { ...BASE, rangeIndexColumns: ['clicks'] }, tableDir, holdReplaced: false });
    expect(report.reindexed).toHaveLength(table.sealed.length);
    // The old object reads the old bytes through its pinned descriptor (not the new file's).
    expect([...segmentRows(old)]).toEqual([...segmentRows(table.sealed[0]!)]);
  });
});
