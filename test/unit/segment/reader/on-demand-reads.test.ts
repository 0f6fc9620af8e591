import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardtableError } from '../../../../src/errors.js';
import { onCorruptSegment, openSegment } from '../../../../src/segment/index.js';
import { blockCache } from '../../../../src/segment/reader/block-cache.js';
import { FileSource, MAX_OPEN_SEGMENT_FILES } from '../../../../src/segment/reader/segment-source.js';
import type { SealedColumn } from '../../../../src/segment/reader/sealed-column.js';
import { buildFixture, EVENTS_SCHEMA, eventRows } from '../../query/query-fixtures.js';
import type { QueryFixture } from '../../query/query-fixtures.js';

/** Queries that touch every kind of section: RAW and DICT blocks, dictionaries, multi-value columns, selection. */
const QUERIES = [
  'SELECT count(*) FROM events',
  'SELECT country, count(*), sum(clicks), max(amount), min(price) FROM events GROUP BY country ORDER BY country',
  "SELECT device, avg(amount), distinctcount(rank) FROM events WHERE country IN ('NL', 'US') AND clicks > 1000 GROUP BY device ORDER BY device",
  "SELECT id, big, payload, tags FROM events WHERE tags = 'a' ORDER BY id DESC LIMIT 7",
  'SELECT sum(big), sum(scores) FROM events WHERE ts BETWEEN 1700000100000 AND 1700050000000',
  'SELECT id, country, amount FROM events ORDER BY amount DESC LIMIT 5',
  "SELECT count(*) FROM events WHERE REGEXP_LIKE(payload, 'u1[0-9]+3')",
];

const MIB = 1024 * 1024;

function answers(body: { resultTable?: unknown; exceptions: unknown[]; numDocsScanned: number; totalDocs: number }): unknown {
  return { resultTable: body.resultTable, exceptions: body.exceptions, numDocsScanned: body.numDocsScanned, totalDocs: body.totalDocs };
}

describe('sealed segments read on demand under a memory budget', () => {
  let fixture: QueryFixture;
  const capacity = blockCache.capacityBytes;
  const share = blockCache.compressedTierShare;
  beforeAll(async () => {
    // 24 sealed segments of 6,000 rows (the last segment consuming).
    fixture = await buildFixture(EVENTS_SCHEMA, eventRows(150_000), { segmentRows: 6_000 });
  }, 240_000);
  afterAll(async () => {
    blockCache.setCompressedShare(share);
    blockCache.resize(capacity);
    await fixture.cleanup();
  });

  it('answers every query exactly as with no budget, while the cache stays within a budget far below the data', async () => {
    expect(fixture.sealed.length).toBeGreaterThanOrEqual(20);
    blockCache.resize(1024 * MIB);
    blockCache.clear();
    const unbounded: unknown[] = [];
    for (const sql of QUERIES) unbounded.push(answers(await fixture.query(sql)));
    const dataBytes = blockCache.stats().bytes;
    expect(dataBytes).toBeGreaterThan(8 * MIB); // what the queries needed decoded, all kept

    const budget = Math.floor(dataBytes / 16);
    // With a compressed tier (off by default: here it is part of what is checked).
    blockCache.setCompressedShare(0.2);
    blockCache.resize(budget);
    blockCache.clear();
    const before = blockCache.stats();
    let peak = 0;
    let peakCompressed = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < QUERIES.length; i++) {
        expect(answers(await fixture.query(QUERIES[i]!)), QUERIES[i]).toEqual(unbounded[i]);
        // The budget's own byte count covers both tiers: decoded entries and compressed file bytes.
        const s = blockCache.stats();
        expect(s.bytes).toBe(s.decodedBytes + s.compressed.bytes);
        peak = Math.max(peak, s.bytes);
        peakCompressed = Math.max(peakCompressed, s.compressed.bytes);
      }
    }
    const after = blockCache.stats();
    expect(peak).toBeLessThanOrEqual(budget);
    expect(peakCompressed).toBeGreaterThan(0); // the compressed tier took part...
    expect(after.compressed.hits - before.compressed.hits).toBeGreaterThan(0); // ...and saved disk reads
    expect(after.evictions - before.evictions).toBeGreaterThan(0); // the budget really forced re-reads
    expect(after.misses - before.misses).toBeGreaterThan(QUERIES.length);
    expect(FileSource.openCount()).toBeLessThanOrEqual(MAX_OPEN_SEGMENT_FILES);
  });

  it('answers correctly with no cache at all (budget 0)', async () => {
    blockCache.resize(1024 * MIB);
    const expected = answers(await fixture.query(QUERIES[1]!));
    blockCache.resize(0);
    expect(answers(await fixture.query(QUERIES[1]!))).toEqual(expected);
    expect(blockCache.stats().bytes).toBe(0);
  });

  it('keeps dictionaries in the budget: evicted with the cache, read again on demand', async () => {
    blockCache.resize(64 * MIB);
    const segment = await openSegment(fixture.sealed[0]!.path, { verifyChecksum: false });
    const column = segment.column('country') as SealedColumn;
    const dict = column.dictionary!;
    expect(blockCache.stats().bytes).toBeGreaterThan(0);
    blockCache.clear();
    const again = column.dictionary!;
    expect(again).not.toBe(dict); // read again from the file
    expect(again.get(0)).toBe(dict.get(0));
  });
});

describe('opening a segment reads its footer only', () => {
  let fixture: QueryFixture;
  beforeAll(async () => {
    fixture = await buildFixture(EVENTS_SCHEMA, eventRows(60_000), { segmentRows: 20_000 });
  }, 120_000);
  afterAll(async () => fixture.cleanup());

  it('opens a file with a damaged block without reading it; the read reports SEGMENT_CORRUPT and tells the listeners', async () => {
    const path = fixture.sealed[0]!.path;
    const original = await readFile(path);
    const good = await openSegment(path, { verifyChecksum: false });
    const column = good.column('amount') as SealedColumn;
    const section = column.footer.blocks[1]!.section;
    const damaged = Buffer.from(original);
    damaged[section.offset + (section.frames[0]! >> 1)]! ^= 0x5a;
    await writeFile(path, damaged);
    try {
      // The whole-file check still catches it when asked for...
      await expect(openSegment(path)).rejects.toThrow(/checksum mismatch/);
      // ...the footer-only open does not read the block at all.
      const segment = await openSegment(path, { verifyChecksum: false });
      const reports: string[] = [];
      const off = onCorruptSegment((p, detail) => reports.push(`${p}: ${detail}`));
      try {
        expect(segment.getValue('amount', 3)).toBe(good.getValue('amount', 3)); // block 0 is intact
        let error: unknown;
        try {
          (segment.column('amount') as SealedColumn).readBlock(1);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(ShardtableError);
        expect((error as ShardtableError).errorName).toBe('SEGMENT_CORRUPT');
        expect((error as Error).message).toMatch(/block 1 of column amount: section checksum mismatch/);
        expect(reports).toEqual([expect.stringContaining(`${path}: `)]);
      } finally {
        off();
      }
    } finally {
      await writeFile(path, original);
    }
  });

  it('keeps a retired segment readable after its file is removed (a query that took it before the swap)', async () => {
    const path = fixture.sealed[1]!.path;
    const bytes = await readFile(path);
    const segment = await openSegment(path, { verifyChecksum: false });
    segment.retire(60_000);
    await writeFile(`${path}.bak`, bytes);
    const { unlink, rename } = await import('node:fs/promises');
    await unlink(path);
    try {
      expect(segment.getValue('id', 19_999)).toBe(39_999n);
    } finally {
      await rename(`${path}.bak`, path);
      segment.close();
    }
  });
});
