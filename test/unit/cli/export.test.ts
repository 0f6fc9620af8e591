import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import avro from 'avsc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExport } from '../../../src/cli/export.js';
import { avroTypeOptions, avroZstdDecoders, loadZstdNative, loadZstdWasm, openSegment, sealSegment } from '../../../src/segment/index.js';
import type { SealedSegment, ZstdCodec } from '../../../src/segment/index.js';
import { allTypesSchema, indexing, newSegment, norm, rowOf, tempDir } from '../segment/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

async function readAvro(file: string, zstd: ZstdCodec): Promise<{ schema: avro.Schema; codec: string; records: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const records: Record<string, unknown>[] = [];
    let schema: avro.Schema = 'null';
    const decoder = avro.createFileDecoder(file, {
      codecs: avroZstdDecoders(zstd) as never,
      parseHook: (s: avro.Schema) => {
        schema = s;
        return avro.Type.forSchema(s, avroTypeOptions());
      },
    });
    let codec = '';
    decoder.on('metadata', (_type: unknown, c: string) => (codec = c));
    decoder.on('data', (r: Record<string, unknown>) => records.push(r));
    decoder.on('error', reject);
    decoder.on('end', () => resolve({ schema, codec, records }));
  });
}

/** A segment cell as the Avro reader returns it (BOOLEAN → boolean, BYTES → Buffer). */
function expectedCell(seg: SealedSegment, name: string, doc: number): unknown {
  const col = seg.column(name);
  if (seg.footer.nullHandlingEnabled && col.isNull(doc)) return null;
  const v = col.getValue(doc);
  const conv = (x: unknown): unknown => (col.spec.dataType === 'BOOLEAN' ? x === 1 : x);
  return norm(Array.isArray(v) ? v.map(conv) : conv(v));
}

describe('runExport --format avro', () => {
  for (const nullHandlingEnabled of [true, false]) {
    it(`writes a zstandard Avro file that reads back row for row (null handling ${nullHandlingEnabled ? 'on' : 'off'})`, async () => {
      const schema = allTypesSchema();
      const seg = newSegment(schema, indexing({ nullHandlingEnabled }));
      const n = 3000;
      for (let i = 0; i < n; i++) seg.index(rowOf(schema, i, true), String(i), 0);
      const file = (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
      const out = join(dir, 'out.avro');
      await runExport(file, { format: 'avro', out });
      expect(await readdir(dir)).not.toContain('out.avro.tmp');
      expect((await readFile(out)).subarray(0, 4).toString('latin1')).toBe('Obj\u0001');

      const sealed = await openSegment(file);
      for (const zstd of [await loadZstdNative(), await loadZstdWasm()]) {
        const { schema: avroSchema, codec, records } = await readAvro(out, zstd!);
        expect(codec).toBe('zstandard');
        expect(records).toHaveLength(n);
        const fields = (avroSchema as { fields: { name: string; type: unknown }[] }).fields;
        const byName = new Map(fields.map((f) => [f.name, f.type]));
        expect(byName.get('sv_long')).toEqual(nullHandlingEnabled ? ['null', 'long'] : 'long');
        expect(byName.get('ts')).toEqual(nullHandlingEnabled ? ['null', { type: 'long', logicalType: 'timestamp-millis' }] : { type: 'long', logicalType: 'timestamp-millis' });
        expect(byName.get('mv_int')).toEqual(nullHandlingEnabled ? ['null', { type: 'array', items: 'int' }] : { type: 'array', items: 'int' });
        expect(byName.get('sv_big_decimal')).toEqual(nullHandlingEnabled ? ['null', 'string'] : 'string');
        expect(byName.get('sv_bytes')).toEqual(nullHandlingEnabled ? ['null', 'bytes'] : 'bytes');
        for (let d = 0; d < n; d++) {
          const actual = schema.columns.map((c) => norm(records[d]![c.name]));
          const expected = schema.columns.map((c) => expectedCell(sealed, c.name, d));
          if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ d, actual }).toEqual({ d, actual: expected });
        }
        // LONG extremes survive exactly.
        expect(records[1]!['sv_long'] ?? records[1 + 6]!['sv_long']).toBe(-(2n ** 63n));
        expect(records[2]!['sv_long'] ?? records[2 + 6]!['sv_long']).toBe(2n ** 63n - 1n);
      }
    });
  }

  it('sanitises column names that are not valid Avro names', async () => {
    const { buildTableSchema } = await import('../../../src/config/schema.js');
    const schema = buildTableSchema({ schemaName: 'my-table', dimensionFieldSpecs: [{ name: 'a.b', dataType: 'INT' }, { name: 'a-b', dataType: 'INT' }, { name: '1x', dataType: 'STRING' }] });
    const { ConsumingSegment } = await import('../../../src/segment/index.js');
    const seg = new ConsumingSegment({ identity: { tableName: 'my-table', segmentName: 'my-table__0__0__20240101T0000Z', partitionId: 0, shardId: 's' }, schema, indexing: indexing() });
    seg.index([1, 2, 'x'], '1', 0);
    const file = (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
    const out = join(dir, 'names.avro');
    await runExport(file, { format: 'avro', out });
    const { schema: s, records } = await readAvro(out, (await loadZstdNative())!);
    expect((s as { name: string }).name).toBe('shardtable.my_table');
    expect((s as unknown as { fields: { name: string; doc: string }[] }).fields.map((f) => [f.name, f.doc])).toEqual([
      ['a_b', 'Pinot column a.b (INT)'],
      ['a_b_2', 'Pinot column a-b (INT)'],
      ['_1x', 'Pinot column 1x (STRING)'],
    ]);
    expect(records).toEqual([{ a_b: 1, a_b_2: 2, _1x: 'x' }]);
  });

  it('refuses an unknown format and a corrupt input without writing output', async () => {
    await expect(runExport(join(dir, 'x.seg'), { format: 'csv' as 'avro', out: join(dir, 'o') })).rejects.toThrow(/unsupported export format "csv"/);
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing());
    seg.index(rowOf(schema, 0, false), '0', 0);
    const file = (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, 'garbage!');
    await expect(runExport(file, { format: 'avro', out: join(dir, 'o.avro') })).rejects.toMatchObject({ errorName: 'SEGMENT_CORRUPT' });
    expect(await readdir(dir)).not.toContain('o.avro');
  });
});
