import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { consumingSnapshot, QueryEngine } from '../../../../src/query/index.js';
import type { SegmentSnapshot } from '../../../../src/query/index.js';
import { isBitSet } from '../../../../src/segment/builders/null-bitmap.js';
import { ConsumingSegment } from '../../../../src/segment/index.js';

const schema = buildTableSchema({
  schemaName: 't',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'name', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'nums', dataType: 'INT', singleValueField: false },
  ],
  metricFieldSpecs: [
    { name: 'n', dataType: 'INT' },
    { name: 'x', dataType: 'DOUBLE' },
  ],
});

const row = (i: number): (string | number | bigint | string[] | number[] | null)[] => [
  BigInt(i),
  `name${i}`,
  i % 3 === 0 ? ['a', `t${i}`] : ['b'],
  i % 4 === 0 ? null : [i, -i],
  i % 10 === 0 ? null : i,
  i / 2,
];

function segment(): ConsumingSegment {
  return new ConsumingSegment({
    identity: {
      tableName: 't',
      segmentName: 't__0__0__20240101T0000Z',
      partitionId: 0,
      shardId: 'shardId-000000000000',
    },
    schema,
    indexing: { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: true },
    createdAtMs: 0,
  });
}

const fill = (seg: ConsumingSegment, from: number, to: number): void => {
  for (let i = from; i < to; i++) seg.index(row(i) as never, String(i), i);
};

const engineOver = (snapshot: () => SegmentSnapshot[]): QueryEngine => new QueryEngine({ resolve: () => ({ name: 't', schema, snapshot }) });

describe('consuming segment snapshots (read in place)', () => {
  it('never shows rows indexed after the snapshot, across buffer growth', () => {
    const seg = segment();
    fill(seg, 0, 1000); // below the builders' first capacity (1,024)
    const snap = consumingSnapshot(seg);
    fill(seg, 1000, 6000); // grows every buffer (reallocated) and adds dictionary entries
    expect(snap.numDocs).toBe(1000);
    expect(snap.blocks).toEqual([{ firstDoc: 0, numDocs: 1000 }]);
    const id = snap.block('id', 0);
    expect(id.values).toBeInstanceOf(BigInt64Array);
    expect(id.values!.length).toBe(1000);
    expect(Array.from(id.values as BigInt64Array)).toEqual(Array.from({ length: 1000 }, (_, i) => BigInt(i)));
    const name = snap.block('name', 0);
    expect(name.dictIds!.length).toBe(1000);
    expect(name.dictionary!.size).toBe(1000);
    expect(name.dictionary!.indexOf('name999')).toBe(999);
    expect(name.dictionary!.indexOf('name1000')).toBe(-1);
    expect(() => name.dictionary!.get(1000)).toThrow(RangeError);
    expect(snap.dictionary('name')!.size).toBe(1000);
    const tags = snap.block('tags', 0);
    expect(tags.offsets![0]).toBe(0);
    expect(tags.offsets!.length).toBe(1001);
    expect(tags.dictIds!.length).toBe(tags.offsets![1000]);
    const n = snap.block('n', 0);
    expect(Array.from(n.values as Int32Array).slice(0, 3)).toEqual([0, 1, 2]); // a null metric stores 0
    expect(isBitSet(n.nulls!, 0)).toBe(true);
    expect(isBitSet(n.nulls!, 1)).toBe(false);
  });

  it('cuts a large segment into 16,384-row blocks with rebased multi-value offsets and masked null bits', () => {
    const seg = segment();
    fill(seg, 0, 20_003);
    const snap = consumingSnapshot(seg);
    fill(seg, 20_003, 20_020); // rows 20,003+ would set null bits in the last byte of the bitmap
    expect(snap.blocks).toEqual([
      { firstDoc: 0, numDocs: 16_384 },
      { firstDoc: 16_384, numDocs: 3619 },
    ]);
    const nums = snap.block('nums', 1);
    expect(nums.offsets![0]).toBe(0);
    // Row 16,385 of the segment is row 1 of block 1: [16385, -16385].
    const r = 1;
    expect(Array.from((nums.values as Int32Array).subarray(nums.offsets![r]!, nums.offsets![r + 1]!))).toEqual([16_385, -16_385]);
    const nulls = snap.block('n', 1).nulls!;
    expect(nulls.length).toBe(Math.ceil(3619 / 8));
    for (let k = 0; k < 3619; k++) expect(isBitSet(nulls, k)).toBe((16_384 + k) % 10 === 0);
    for (let k = 3619; k < nulls.length * 8; k++) expect(isBitSet(nulls, k)).toBe(false);
    const x = snap.block('x', 1);
    expect(x.values![3618]).toBe(20_002 / 2);
  });

  it('answers a query from the snapshot taken at its start, with Pinot statistics', async () => {
    const seg = segment();
    fill(seg, 0, 30_000);
    const snap = consumingSnapshot(seg);
    fill(seg, 30_000, 40_000);
    const r = await engineOver(() => [snap]).query("SELECT count(*), sum(x), max(id) FROM t WHERE tags = 'a' AND n > 100");
    expect(r.exceptions).toEqual([]);
    let count = 0;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < 30_000; i++) {
      if (i % 3 === 0 && i % 10 !== 0 && i > 100) {
        count++;
        sum += i / 2;
        max = i;
      }
    }
    expect(r.rows).toEqual([[BigInt(count), sum, max]]);
    expect(r.stats.numDocsScanned).toBe(count);
    // tags scans every value of every row; n scans the 10,000 rows tagged 'a'.
    let tagValues = 0;
    for (let i = 0; i < 30_000; i++) tagValues += i % 3 === 0 ? 2 : 1;
    expect(r.stats.numEntriesScannedInFilter).toBe(tagValues + 10_000);
    const live = await engineOver(() => [consumingSnapshot(seg)]).query('SELECT count(*) FROM t');
    expect(live.rows).toEqual([[40_000n]]);
  });
});
