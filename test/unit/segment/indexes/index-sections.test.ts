import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInspect } from '../../../../src/cli/inspect.js';
import { crc32 } from '../../../../src/segment/format/checksum.js';
import { sectionBytes } from '../../../../src/segment/format/section-io.js';
import { openSegment, sealSegment } from '../../../../src/segment/index.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { indexing, newSegment, tempDir } from '../fixtures.js';

const schema = buildTableSchema({ schemaName: 'alltypes', dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'doc', dataType: 'JSON' }, { name: 'city', dataType: 'STRING' }] });

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

async function seal(idx: Parameters<typeof indexing>[0]): Promise<string> {
  const seg = newSegment(schema, indexing({ nullHandlingEnabled: true, sortedColumn: 'city', ...idx }));
  for (let i = 0; i < 3000; i++) seg.index([BigInt(i), i % 7 === 0 ? null : JSON.stringify({ n: i, tags: [`t${i % 5}`, 'all'] }), `c${(i * 13) % 17}`], String(i), 0);
  return (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
}

async function inspect(path: string, verify: boolean): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runInspect(path, { verify, rows: 0 }, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
}

/** Rewrites the version of a file (header, footer, trailer) and its whole-file checksum. */
function withVersion(bytes: Buffer, version: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt32LE(version, 8);
  out.writeUInt32LE(version, out.length - 12);
  const footerOffset = Number(out.readBigUInt64LE(out.length - 24));
  const at = out.indexOf('"formatVersion":2', footerOffset);
  out.write(`"formatVersion":${version}`, at);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 8)), out.length - 8);
  return out;
}

describe('index sections in segment files (format version 2)', () => {
  it('builds the JSON index and bloom filter at seal, in the sorted doc order; inspect shows them and --verify checks them', async () => {
    const path = await seal({ jsonIndexColumns: ['doc'], rangeIndexColumns: ['id'], bloomFilters: { id: { fpp: 0.05, maxSizeInBytes: 0 }, city: { fpp: 0.05, maxSizeInBytes: 8 } } });
    const seg = await openSegment(path);
    expect(seg.metadata.formatVersion).toBe(2);
    const json = seg.column('doc').jsonIndex!;
    // Every flattened doc points at a doc whose stored text holds that record.
    for (let f = 0; f < json.docOf.length; f += 97) expect(JSON.parse(seg.getValue('doc', json.docOf[f]!) as string)).toHaveProperty('tags');
    expect(seg.footer.indexing.jsonIndexColumns).toEqual(['doc']);
    expect(seg.column('city').bloomFilter!.numBits).toBe(64);
    // The range index lists every value ascending with the doc (in the file's sorted order) holding it.
    const range = seg.column('id').rangeIndex!;
    expect(range.values.length).toBe(3000);
    for (let i = 0; i < 3000; i += 101) expect(seg.getValue('id', range.docs[i]!)).toBe(range.values[i]);
    expect([...range.values.subarray(0, 3)]).toEqual([0n, 1n, 2n]);
    const { code, text } = await inspect(path, true);
    expect(code).toBe(0);
    expect(text).toMatch(/^doc\s+JSON\s.*json\(\d+B\)/m);
    expect(text).toMatch(/^id\s+LONG\s.*bloom\(\d+B\)/m);
    expect(text).toMatch(/^id\s+LONG\s.*range\(\d+B\)/m);
    expect(text).toMatch(/verify\s+OK: .* 1 JSON indexes, 2 bloom filters, 1 range indexes, 0 text indexes, 0 timestamp indexes, 0 star-trees decoded/);
  });

  it('reports a corrupt JSON index or bloom filter section like a corrupt column', async () => {
    const path = await seal({ jsonIndexColumns: ['doc'], rangeIndexColumns: ['id'], bloomFilters: { id: { fpp: 0.05, maxSizeInBytes: 0 } } });
    const original = await readFile(path);
    const seg = await openSegment(path);
    for (const [what, ref] of [['JSON index of column doc', seg.footer.columns[1]!.jsonIndex!], ['bloom filter of column id', seg.footer.columns[0]!.bloomFilter!], ['range index of column id', seg.footer.columns[0]!.rangeIndex!]] as const) {
      const bad = Buffer.from(original);
      bad[ref.offset + Math.floor(sectionBytes(ref) / 2)]! ^= 0x10;
      await writeFile(path, bad);
      const opened = await openSegment(path, { verifyChecksum: false });
      expect(() => opened.verify()).toThrow(what);
      const { code, text } = await inspect(path, true);
      expect(code).toBe(1);
      expect(text).toMatch(/checksum/);
    }
  });

  it('still reads version 1 files (no index sections)', async () => {
    const path = await seal({});
    await writeFile(path, withVersion(await readFile(path), 1));
    const seg = await openSegment(path);
    expect(seg.metadata.formatVersion).toBe(1);
    expect(seg.column('doc').jsonIndex).toBeNull();
    expect(seg.column('id').bloomFilter).toBeNull();
    expect(seg.column('id').rangeIndex).toBeNull();
    expect(seg.verify().blocks).toBeGreaterThan(0);
    expect(seg.getValue('id', 0)).toBeTypeOf('bigint');
  });
});
