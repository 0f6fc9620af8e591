import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { ConsumingSegment, sealSegment } from '../../../src/segment/index.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('ConsumingSegment.snapshot', () => {
  it('keeps showing the same rows while indexing continues', () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({ nullHandlingEnabled: true }));
    for (let i = 0; i < 1000; i++) seg.index(rowOf(schema, i, true), String(i), 0);
    const snap = seg.snapshot();
    const frozen = JSON.stringify(snap, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array, String) : v));
    for (let i = 1000; i < 70_000; i++) seg.index(rowOf(schema, i, true), String(i), 0); // every array grows
    expect(JSON.stringify(snap, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array, String) : v))).toBe(frozen);
    expect(snap.numDocs).toBe(1000);
    expect(snap.lastOffset).toBe('999');
    const col = snap.columns[schema.columnIndex.get('sv_int')!]!;
    expect(col.nullCount).toBe(Array.from({ length: 1000 }, (_, i) => (i + schema.columnIndex.get('sv_int')!) % 7 === 0).filter(Boolean).length);
  });

  for (const nullHandlingEnabled of [false, true]) {
    for (const builder of ['inline', undefined] as const) {
      it(`leaves null time values out of the time range (null handling ${nullHandlingEnabled ? 'on' : 'off'}, ${builder ?? 'worker'})`, async () => {
        const schema = buildTableSchema({
          schemaName: 't',
          dimensionFieldSpecs: [{ name: 'k', dataType: 'STRING' }],
          dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
        });
        const seg = new ConsumingSegment({ identity: { tableName: 't', segmentName: 't__0__0__20240101T0000Z', partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing: indexing({ nullHandlingEnabled }), timeColumnName: 'ts' });
        for (let i = 0; i < 100; i++) seg.index([`k${i}`, i % 10 === 0 ? null : 1_700_000_000_000n + BigInt(i)], String(i), 0);
        const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false, ...(builder ? { builder } : {}) });
        expect(sealed.metadata.startTimeMs).toBe(1_700_000_000_001);
        expect(sealed.metadata.endTimeMs).toBe(1_700_000_000_099);
        expect(sealed.isNull('ts', 0)).toBe(nullHandlingEnabled);
      });
    }
  }
});
