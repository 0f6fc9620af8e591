import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { ConsumingSegment } from '../../../src/segment/index.js';
import { allTypesSchema, cellsOf, indexing, newSegment, norm, rowOf } from './fixtures.js';

const small = buildTableSchema({
  schemaName: 'small',
  dimensionFieldSpecs: [
    { name: 'country', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'n', dataType: 'LONG', defaultNullValue: 7 },
  ],
});

function smallSegment(nullHandlingEnabled: boolean): ConsumingSegment {
  return new ConsumingSegment({ identity: { tableName: 'small', segmentName: 'small__0__0__20240101T0000Z', partitionId: 0, shardId: 'shardId-0' }, schema: small, indexing: indexing({ nullHandlingEnabled }), createdAtMs: 5 });
}

describe('ConsumingSegment', () => {
  it('is queryable while it grows and tracks offsets, arrival time and size', () => {
    const seg = smallSegment(false);
    expect([seg.numDocs, seg.firstOffset, seg.lastOffset, seg.latestArrivalTimeMs, seg.createdAtMs]).toEqual([0, null, null, null, 5]);
    const empty = seg.estimatedSizeBytes;
    seg.index(['US', ['a', 'b'], 1n], '100', 1000);
    seg.index(['DE', [], 2n], '200', 2000);
    expect([seg.numDocs, seg.firstOffset, seg.lastOffset, seg.latestArrivalTimeMs]).toEqual([2, '100', '200', 2000]);
    expect([...seg.rows()]).toEqual([
      { country: 'US', tags: ['a', 'b'], n: 1n },
      { country: 'DE', tags: [], n: 2n },
    ]);
    for (let i = 0; i < 5000; i++) seg.index([`c${i}`, ['x'], BigInt(i)], String(300 + i), 3000);
    expect(seg.estimatedSizeBytes).toBeGreaterThan(empty);
  });

  it('stores default null values and reports nulls only with null handling on', () => {
    for (const on of [false, true]) {
      const seg = smallSegment(on);
      seg.index([null, null, null], '1', 0);
      expect(seg.getValue('country', 0)).toBe('null');
      expect(seg.getValue('tags', 0)).toEqual(['null']);
      expect(seg.getValue('n', 0)).toBe(7n);
      expect(seg.isNull('country', 0)).toBe(on);
      expect([...seg.rows()][0]).toEqual(on ? { country: null, tags: null, n: null } : { country: 'null', tags: ['null'], n: 7n });
    }
  });

  it('keeps an earlier snapshot valid while indexing continues (values never move)', () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing());
    for (let i = 0; i < 1000; i++) seg.index(rowOf(schema, i, false), String(i), 0);
    const n = seg.numDocs;
    const reader = seg.column('sv_long');
    const before = Array.from({ length: n }, (_, d) => reader.getValue(d));
    const cellsBefore = cellsOf(seg);
    for (let i = 1000; i < 70_000; i++) seg.index(rowOf(schema, i, false), String(i), 0); // forces many growths
    expect(Array.from({ length: n }, (_, d) => reader.getValue(d))).toEqual(before);
    expect(cellsOf(seg).slice(0, n)).toEqual(cellsBefore);
    const rows = seg.rows(3);
    seg.index(rowOf(schema, 1, false), 'x', 0);
    expect([...rows].length).toBe(3);
  });

  it('dictionary-encodes strings on the fly (arrival-order ids)', () => {
    const seg = smallSegment(false);
    for (const c of ['US', 'DE', 'US', 'FR', 'DE']) seg.index([c, [c, 'x'], 0n], '1', 0);
    const col = seg.column('country');
    expect(col.encoding).toBe('DICT');
    expect(col.dictionary!.sorted).toBe(false);
    expect([0, 1, 2, 3, 4].map((d) => col.getDictId(d))).toEqual([0, 1, 0, 2, 1]);
    expect(col.dictionary!.indexOf('FR')).toBe(2);
    expect(col.dictionary!.indexOf('nope')).toBe(-1);
    expect(seg.column('tags').getDictIds(2)).toEqual([0, 1]);
    expect(seg.column('n').encoding).toBe('RAW');
  });

  it('rolls back a row that fails half-way, leaving the segment consistent', () => {
    const seg = smallSegment(true);
    seg.index(['US', ['a'], 1n], '1', 0);
    expect(() => seg.index(['DE', ['b', 'c'], ['not', 'single'] as never], '2', 0)).toThrow(/single-value/);
    expect(() => seg.index(['DE', ['b'], 5 as never], '2', 0)).toThrow(TypeError); // number into a BigInt64 column
    expect(() => seg.index(['DE'], '2', 0)).toThrow(/1 cells/);
    expect(seg.numDocs).toBe(1);
    expect(seg.lastOffset).toBe('1');
    seg.index(['FR', [], 3n], '3', 0);
    expect([...seg.rows()].map((r) => Object.values(r).map(norm))).toEqual([
      ['US', ['a'], '1n'],
      ['FR', [], '3n'],
    ]);
    expect(seg.isNull('country', 1)).toBe(false);
  });

  it('names unknown columns in its error', () => {
    expect(() => smallSegment(false).getValue('nope', 0)).toThrow(/no column nope/);
  });
});

describe('ConsumingSegment with rollup (aggregateMetrics / aggregationConfigs)', () => {
  const rolled = buildTableSchema({
    schemaName: 'rolled',
    dimensionFieldSpecs: [{ name: 'country', dataType: 'STRING' }, { name: 'tags', dataType: 'STRING', singleValueField: false }],
    metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }, { name: 'lo', dataType: 'INT' }, { name: 'hi', dataType: 'DOUBLE' }],
  });
  const rollup = { metrics: [{ column: 'clicks', fn: 'SUM' as const }, { column: 'lo', fn: 'MIN' as const }, { column: 'hi', fn: 'MAX' as const }] };
  const segment = (): ConsumingSegment =>
    new ConsumingSegment({ identity: { tableName: 'rolled', segmentName: 'rolled__0__0__20240101T0000Z', partitionId: 0, shardId: 'shardId-0' }, schema: rolled, indexing: indexing({ nullHandlingEnabled: false }), rollup });

  it('adds a row of known dimensions into its doc as it arrives; offsets and arrival move with every row', () => {
    const seg = segment();
    seg.index(['NL', ['a'], 3n, 5, 1.5], '10', 100);
    seg.index(['DE', ['a'], 1n, 9, 0.5], '11', 110);
    seg.index(['NL', ['a'], 4n, 2, 2.5], '12', 120);
    seg.index(['NL', ['b'], 1n, 1, 1], '13', 130);
    seg.index(['NL', ['a'], null, 7, null], '14', 140);
    expect([seg.numDocs, seg.firstOffset, seg.lastOffset, seg.latestArrivalTimeMs]).toEqual([3, '10', '14', 140]);
    expect([...seg.rows()]).toEqual([
      { country: 'NL', tags: ['a'], clicks: 7n, lo: 2, hi: 2.5 },
      { country: 'DE', tags: ['a'], clicks: 1n, lo: 9, hi: 0.5 },
      { country: 'NL', tags: ['b'], clicks: 1n, lo: 1, hi: 1 },
    ]);
    // A missing dimension groups with its stored default value, as the seal-time rollup groups it.
    seg.index([null, ['a'], 1n, 1, 1], '15', 150);
    seg.index(['null', ['a'], 1n, 1, 1], '16', 160);
    expect(seg.numDocs).toBe(4);
    expect(seg.getValue('clicks', 3)).toBe(2n);
  });

  it('hands queries copies of metric columns: a snapshot taken before a row is added does not change', () => {
    const seg = segment();
    seg.index(['NL', ['a'], 3n, 5, 1.5], '10', 100);
    const before = seg.columnPrefix('clicks', seg.numDocs);
    const dims = seg.columnPrefix('country', seg.numDocs);
    seg.index(['NL', ['a'], 4n, 2, 2.5], '11', 110);
    expect([...(before.values as BigInt64Array)]).toEqual([3n]);
    expect([...(seg.columnPrefix('clicks', 1).values as BigInt64Array)]).toEqual([7n]);
    expect(dims.dictIds).not.toBeNull();
  });

  it('starts another doc of the group when an INT sum would leave the INT range, instead of wrapping', () => {
    const ints = buildTableSchema({ schemaName: 'ints', dimensionFieldSpecs: [{ name: 'country', dataType: 'STRING' }], metricFieldSpecs: [{ name: 'n', dataType: 'INT' }, { name: 'c', dataType: 'LONG' }] });
    const seg = new ConsumingSegment({
      identity: { tableName: 'ints', segmentName: 'ints__0__0__20240101T0000Z', partitionId: 0, shardId: 'shardId-0' },
      schema: ints,
      indexing: indexing({ nullHandlingEnabled: false }),
      rollup: { metrics: [{ column: 'n', fn: 'SUM' }, { column: 'c', fn: 'COUNT' }] },
    });
    const big = 2_000_000_000;
    for (const [i, n] of [big, big, -big, -big, -big, 5].entries()) seg.index(['NL', n, 1n], String(i), i);
    // 2e9 + 2e9 does not fit: a second doc, which takes the group's rows while their sum fits
    // (2e9 - 2e9 - 2e9); the next -2e9 would pass -2^31: a third doc.
    expect([...seg.rows()]).toEqual([
      { country: 'NL', n: big, c: 1n },
      { country: 'NL', n: -big, c: 3n },
      { country: 'NL', n: -big + 5, c: 2n },
    ]);
    const rows = [...seg.rows()] as { n: number; c: bigint }[];
    expect(rows.reduce((t, r) => t + r.n, 0)).toBe(-big + 5);
    expect(rows.reduce((t, r) => t + r.c, 0n)).toBe(6n);
  });

  it('refuses a row whose metric cannot be added, all or nothing', () => {
    const seg = segment();
    seg.index(['NL', ['a'], 3n, 5, 1.5], '10', 100);
    expect(() => seg.index(['NL', ['a'], 4n, 'x' as unknown as number, 2.5], '11', 110)).toThrow(/lo/);
    expect([...seg.rows()]).toEqual([{ country: 'NL', tags: ['a'], clicks: 3n, lo: 5, hi: 1.5 }]);
    expect(seg.lastOffset).toBe('10');
  });
});
