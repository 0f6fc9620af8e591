import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { readFile } from 'node:fs/promises';
import { openSegment, sealSegment, toPinotSchema } from '../../../src/segment/index.js';
import type { SealedSegment, SegmentFooter } from '../../../src/segment/index.js';
import { TRAILER_BYTES } from '../../../src/segment/format/format-constants.js';
import { allTypesSchema, cellsOf, expectSameRows, indexing, newSegment, norm, rowOf, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

/**
 * An open segment keeps its blocks packed (`BlockRefs`, min/max decoded in its statistics); its
 * footer must still list them exactly as the file's footer JSON does.
 */
async function expectBlocksListedAsInFile(segment: SealedSegment): Promise<void> {
  const file = await readFile(segment.path);
  const trailer = new DataView(file.buffer, file.byteOffset + file.length - TRAILER_BYTES, TRAILER_BYTES);
  const footerAt = Number(trailer.getBigUint64(0, true));
  const listed = JSON.parse(file.subarray(footerAt, footerAt + trailer.getUint32(8, true)).toString('utf8')) as SegmentFooter;
  for (const c of listed.columns) expect(segment.footer.columns.find((x) => x.name === c.name)!.blocks, c.name).toEqual(c.blocks);
}

describe('seal and open round trip', () => {
  for (const nullHandlingEnabled of [false, true]) {
    it(`keeps every type, single- and multi-value, across blocks (null handling ${nullHandlingEnabled ? 'on' : 'off'})`, async () => {
      const schema = allTypesSchema();
      const seg = newSegment(schema, indexing({ nullHandlingEnabled }));
      const n = 33_000; // three blocks of 16384 rows
      for (let i = 0; i < n; i++) seg.index(rowOf(schema, i, true), String(1000 + i), 1_700_000_000_000 + i);
      const expected = cellsOf(seg);
      const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false });
      expect(sealed.numDocs).toBe(n);
      expectSameRows(cellsOf(sealed), expected);
      const reopened = await openSegment(sealed.path);
      expectSameRows(cellsOf(reopened), expected);
      await expectBlocksListedAsInFile(reopened);
      const m = reopened.metadata;
      expect(m.startOffset).toBe('1000');
      expect(m.endOffset).toBe(String(1000 + n - 1));
      expect(m.columns.find((c) => c.name === 'sv_string')!.numBlocks).toBe(3);
      expect(m.nullHandlingEnabled).toBe(nullHandlingEnabled);
      // Nulls: visible as nulls only with null handling on; otherwise the default value is read.
      const nullDoc = 7 - schema.columnIndex.get('sv_int')!; // (i + ci) % 7 === 0
      const doc = ((nullDoc % 7) + 7) % 7;
      expect(reopened.isNull('sv_int', doc)).toBe(nullHandlingEnabled);
      expect(reopened.getValue('sv_int', doc)).toBe(-2147483648);
      expect(m.columns.find((c) => c.name === 'sv_int')!.nullCount > 0).toBe(nullHandlingEnabled);
    });
  }

  it('keeps LONG and INT extremes, NaN/Infinity/-0, empty strings and arrays, unicode', async () => {
    const schema = buildTableSchema({
      schemaName: 't',
      dimensionFieldSpecs: [
        { name: 'l', dataType: 'LONG' },
        { name: 'i', dataType: 'INT' },
        { name: 'd', dataType: 'DOUBLE' },
        { name: 'f', dataType: 'FLOAT' },
        { name: 's', dataType: 'STRING' },
        { name: 'ms', dataType: 'STRING', singleValueField: false },
        { name: 'ml', dataType: 'LONG', singleValueField: false },
      ],
    });
    const rows = [
      [-(2n ** 63n), -2147483648, Number.NaN, Number.POSITIVE_INFINITY, '', [], [-(2n ** 63n), 2n ** 63n - 1n]],
      [2n ** 63n - 1n, 2147483647, Number.NEGATIVE_INFINITY, -0, '漢字🚀é', [''], []],
      [0n, 0, -0, Number.NaN, 'e\u0301', ['a', 'a', 'ü'], [0n]],
    ];
    for (const noDictionaryColumns of [[], ['l', 'i', 'd', 'f', 's', 'ms', 'ml']]) {
      const seg = newSegment(schema, indexing({ noDictionaryColumns }), `t__0__${noDictionaryColumns.length}__20240101T0000Z`);
      rows.forEach((r, k) => seg.index(r, String(k), 0));
      const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false });
      expect(sealed.metadata.columns.map((c) => c.encoding)).toEqual(noDictionaryColumns.length ? Array(7).fill('RAW') : Array(7).fill('DICT'));
      expect(cellsOf(sealed)).toEqual(rows.map((r) => r.map(norm)));
      const reopened = await openSegment(sealed.path);
      expect(cellsOf(reopened)).toEqual(rows.map((r) => r.map(norm)));
      await expectBlocksListedAsInFile(reopened);
      const l = sealed.metadata.columns[0]!;
      expect([l.min, l.max]).toEqual([-(2n ** 63n), 2n ** 63n - 1n]);
    }
  });

  it('seals an empty end-of-shard segment with null offsets', async () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ nullHandlingEnabled: true, sortedColumn: 'sv_string', invertedIndexColumns: ['sv_int'] }));
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: true });
    const m = (await openSegment(sealed.path)).metadata;
    expect(m).toMatchObject({ numDocs: 0, startOffset: null, endOffset: null, endOfShard: true, partitionId: 0, shardId: 'shardId-000000000000' });
    expect(m.startTimeMs).toBeUndefined();
    expect([...sealed.rows()]).toEqual([]);
    expect(sealed.verify().blocks).toBe(0);
  });

  it('records metadata: time range over non-null rows, schema, creation times', async () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ nullHandlingEnabled: true }));
    for (let i = 0; i < 10; i++) seg.index(rowOf(schema, i, false), `${i}`, 0);
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false, creationTimeMs: 1_700_000_123_000 });
    const m = sealed.metadata;
    expect(m).toMatchObject({ tableName: 'alltypes', segmentName: 'alltypes__0__0__20240101T0000Z', numDocs: 10, creationTimeMs: 1_700_000_123_000, consumingStartTimeMs: 1_700_000_000_000 });
    expect(m.startTimeMs).toBe(1_700_000_000_000);
    expect(m.endTimeMs).toBe(1_700_000_009_000);
    expect(m.timeColumnName).toBe('ts');
    expect(m.sizeBytes).toBeGreaterThan(0);
    const rebuilt = buildTableSchema(sealed.footer.schema);
    expect(rebuilt.columns.map((c) => [c.name, c.dataType, c.singleValue, c.fieldType, norm(c.defaultNullValue)])).toEqual(
      schema.columns.map((c) => [c.name, c.dataType, c.singleValue, c.fieldType, norm(c.defaultNullValue)]),
    );
    expect(toPinotSchema(rebuilt)).toEqual(sealed.footer.schema);
  });
});

describe('indexes', () => {
  it('sorts rows by the sorted column at seal, stably, and records it', async () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ sortedColumn: 'sv_string' }));
    const n = 20_000;
    for (let i = 0; i < n; i++) seg.index(rowOf(schema, i, false), String(i), 0);
    const before = cellsOf(seg);
    const sIdx = schema.columnIndex.get('sv_string')!;
    const clicksIdx = schema.columnIndex.get('clicks')!;
    // Expected: stable sort by the string (UTF-16 order) of the original rows.
    const expected = before
      .map((row, i) => ({ row, i }))
      .sort((a, b) => {
        const x = a.row[sIdx] as string;
        const y = b.row[sIdx] as string;
        return x < y ? -1 : x > y ? 1 : a.i - b.i;
      })
      .map((e) => e.row);
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false });
    expect(sealed.metadata.sortedColumn).toBe('sv_string');
    expect(sealed.metadata.columns[sIdx]!.isSorted).toBe(true);
    expectSameRows(cellsOf(sealed), expected);
    // Offsets stay in stream order even though rows moved.
    expect(sealed.metadata.startOffset).toBe('0');
    expect(sealed.metadata.endOffset).toBe(String(n - 1));
    // The first rows now hold the smallest string (''), from every 5th original row.
    expect(expected.slice(0, 3).map((r) => r[clicksIdx])).toEqual(['0n', '5n', '10n']);
  });

  it('builds an inverted index: dictionary id → sorted doc ids, multi-value docs once', async () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ invertedIndexColumns: ['sv_string', 'mv_string', 'sv_double'], noDictionaryColumns: ['sv_long'] }));
    const n = 20_000;
    for (let i = 0; i < n; i++) seg.index(rowOf(schema, i, false), String(i), 0);
    const sealed = await openSegment((await sealSegment(seg, { tableDir: dir, endOfShard: false })).path);
    for (const name of ['sv_string', 'mv_string', 'sv_double']) {
      const col = sealed.column(name);
      expect(col.encoding).toBe('DICT');
      const dict = col.dictionary!;
      const inv = col.invertedIndex!;
      const seen = new Map<number, number[]>();
      for (let d = 0; d < n; d++) for (const id of new Set(col.getDictIds(d))) (seen.get(id) ?? seen.set(id, []).get(id)!).push(d);
      for (let id = 0; id < dict.size; id++) {
        expect(Array.from(inv.docIds(id))).toEqual(seen.get(id) ?? []);
        expect(dict.indexOf(dict.get(id))).toBe(id);
      }
      expect(dict.indexOf(name === 'sv_double' ? 12345.678 : 'no such value')).toBe(-1);
    }
    expect(sealed.column('sv_long').encoding).toBe('RAW');
    expect(sealed.column('sv_long').dictionary).toBeNull();
    expect(sealed.column('sv_int').invertedIndex).toBeNull();
  });

  it('exposes per-block min/max that bound every value in the block', async () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ noDictionaryColumns: ['ts'] }));
    for (let i = 0; i < 40_000; i++) seg.index(rowOf(schema, i, false), String(i), 0);
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false });
    const ts = sealed.column('ts');
    expect(ts.blocks.map((b) => [b.firstDoc, b.numDocs])).toEqual([[0, 16384], [16384, 16384], [32768, 7232]]);
    expect(ts.blocks.map((b) => [b.min, b.max])).toEqual([
      [1_700_000_000_000n, 1_700_000_000_000n + 16383n * 1000n],
      [1_700_000_000_000n + 16384n * 1000n, 1_700_000_000_000n + 32767n * 1000n],
      [1_700_000_000_000n + 32768n * 1000n, 1_700_000_000_000n + 39999n * 1000n],
    ]);
    const block = ts.readBlock(1);
    expect(block.values).toBeInstanceOf(BigInt64Array);
    expect((block.values as BigInt64Array)[0]).toBe(1_700_000_000_000n + 16384n * 1000n);
    const str = sealed.column('sv_string');
    expect(str.readBlock(0).dictIds).toBeInstanceOf(Uint8Array);
  });
});
