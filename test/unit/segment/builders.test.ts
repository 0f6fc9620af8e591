import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { ColumnBuilder } from '../../../src/segment/index.js';
import { GrowableBuffer } from '../../../src/segment/builders/growable-buffer.js';
import { NullBitmapBuilder } from '../../../src/segment/builders/null-bitmap.js';

describe('GrowableBuffer', () => {
  it('grows by doubling and never changes an array it handed out', () => {
    const buf = new GrowableBuffer(Int32Array, 2);
    const first = buf.array;
    for (let i = 0; i < 10; i++) {
      buf.reserve(buf.length + 1);
      buf.array[buf.length++] = i;
    }
    expect(buf.array.length).toBe(16);
    expect(Array.from(first)).toEqual([0, 1]);
    expect(Array.from(buf.copy())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    buf.truncate(3);
    expect(Array.from(buf.view())).toEqual([0, 1, 2]);
  });
});

describe('NullBitmapBuilder', () => {
  it('sets, clears and counts bits; truncate clears stale bits', () => {
    const b = new NullBitmapBuilder();
    for (let i = 0; i < 20; i++) b.append(i % 3 === 0);
    expect(b.nullCount).toBe(7);
    expect(b.isNull(3)).toBe(true);
    expect(b.isNull(4)).toBe(false);
    b.truncate(10);
    expect(b.nullCount).toBe(4);
    b.append(false);
    expect(b.isNull(10)).toBe(false);
    expect(Array.from(b.copy())).toEqual([0b01001001, 0b00000010]);
  });
});

describe('ColumnBuilder', () => {
  const schema = buildTableSchema({
    schemaName: 's',
    dimensionFieldSpecs: [
      { name: 'b', dataType: 'BYTES', singleValueField: false },
      { name: 'f', dataType: 'FLOAT' },
    ],
  });

  it('seals into immutable offsets + values, copying caller buffers', () => {
    const col = new ColumnBuilder(schema.columns[0]!, true);
    const reused = Uint8Array.from([1, 2]);
    col.append([reused, Uint8Array.from([3])]);
    reused[0] = 9;
    col.append(null);
    col.append([]);
    const sealed = col.seal();
    expect(Array.from(sealed.offsets!)).toEqual([0, 2, 3, 3]);
    expect(sealed.values.kind).toBe('BYTES');
    expect(col.getValue(0)).toEqual([Uint8Array.from([1, 2]), Uint8Array.from([3])]);
    expect(col.getValue(1)).toEqual([new Uint8Array(0)]);
    expect(sealed.nullCount).toBe(1);
    col.append([Uint8Array.from([4])]);
    expect(Array.from(sealed.offsets!)).toEqual([0, 2, 3, 3]);
  });

  it('stores FLOAT as float32', () => {
    const col = new ColumnBuilder(schema.columns[1]!, false);
    col.append(Math.fround(12.1));
    expect(col.getValue(0)).toBe(Math.fround(12.1));
    expect(col.seal().values.kind).toBe('FLOAT');
  });

  it('hands out prefix views that later appends and growth never change', () => {
    const col = new ColumnBuilder(schema.columns[0]!, true);
    col.append([Uint8Array.from([1])]);
    col.append(null);
    const p = col.prefix(2);
    for (let i = 0; i < 5000; i++) col.append([Uint8Array.from([i & 255]), Uint8Array.from([7])]);
    expect(p.numDocs).toBe(2);
    expect(Array.from(p.offsets!)).toEqual([0, 1, 2]);
    expect(p.dictIds!.length).toBe(2);
    expect(p.dictionary!.size).toBe(2);
    expect(p.dictionary!.get(p.dictIds![0]!)).toEqual(Uint8Array.from([1]));
    expect(p.dictionary!.indexOf(Uint8Array.from([7]))).toBe(-1);
    expect(p.nulls![0]).toBe(0b10);
    expect(() => col.prefix(6000)).toThrow(RangeError);
    const f = new ColumnBuilder(schema.columns[1]!, false);
    f.append(1.5);
    const fp = f.prefix(1);
    for (let i = 0; i < 3000; i++) f.append(i);
    expect(Array.from(fp.values as Float32Array)).toEqual([1.5]);
    expect(fp.nulls).toBeNull();
  });
});
