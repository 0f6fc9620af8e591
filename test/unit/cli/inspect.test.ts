import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInspect } from '../../../src/cli/inspect.js';
import { sealSegment } from '../../../src/segment/index.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from '../segment/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let file: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  const schema = allTypesSchema();
  const seg = newSegment(schema, indexing({ nullHandlingEnabled: true, sortedColumn: 'sv_int', invertedIndexColumns: ['sv_string'] }));
  for (let i = 0; i < 20_000; i++) seg.index(rowOf(schema, i, true), String(5000 + i), 0);
  file = (await sealSegment(seg, { tableDir: dir, endOfShard: true })).path;
});
afterEach(async () => cleanup());

async function inspect(opts: Parameters<typeof runInspect>[1], path = file): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runInspect(path, opts, (l) => lines.push(l));
  return { code, lines };
}

describe('runInspect', () => {
  it('prints metadata, a column table and the first 5 rows', async () => {
    const { code, lines } = await inspect({});
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('segment      alltypes__0__0__20240101T0000Z');
    expect(text).toMatch(/rows\s+20000/);
    expect(text).toMatch(/offsets\s+5000 \.\. 24999\s+\(end of shard\)/);
    expect(text).toMatch(/sorted by\s+sv_int/);
    expect(text).toMatch(/^column\s+type\s+sv\/mv\s+encoding\s+cardinality/m);
    expect(text).toMatch(/^sv_long\s+LONG\s+SV\s+DICT\s+\d+\s+\d+\s+-9223372036854775808\s+9223372036854775807/m);
    expect(text).toMatch(/^sv_string\s+STRING\s+SV\s+DICT\s+.*sorted|inverted/m);
    expect(text).toContain('first 5 rows:');
    const rows = lines.slice(lines.indexOf('first 5 rows:') + 1);
    expect(rows).toHaveLength(5);
    expect(JSON.parse(rows[0]!)).toHaveProperty('sv_long');
    expect(JSON.parse(rows[1]!)).toMatchObject({ sv_long: '-9223372036854775808', sv_float: 12.1, mv_double: ['NaN'] });
    expect(text).not.toContain('verify');
  });

  it('--json prints one JSON document with exact values; --rows limits rows', async () => {
    const { code, lines } = await inspect({ json: true, rows: 2 });
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]!);
    expect(doc.ok).toBe(true);
    expect(doc.metadata).toMatchObject({ numDocs: 20000, startOffset: '5000', endOffset: '24999', endOfShard: true, sortedColumn: 'sv_int' });
    expect(doc.rows).toHaveLength(2);
    const longCol = doc.metadata.columns.find((c: { name: string }) => c.name === 'sv_long');
    expect([longCol.min, longCol.max]).toEqual(['-9223372036854775808', '9223372036854775807']);
    expect((await inspect({ json: true, rows: 0 })).lines.length).toBe(1);
  });

  it('--verify decodes every block and reports it', async () => {
    const { code, lines } = await inspect({ verify: true, rows: 0 });
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(/^verify\s+OK: checksum, 44 blocks of 22 columns, \d+ dictionaries, 1 inverted indexes, 0 JSON indexes, 0 bloom filters, 0 range indexes, 0 text indexes, 0 timestamp indexes, 0 star-trees decoded$/);
    const json = JSON.parse((await inspect({ verify: true, json: true })).lines[0]!);
    expect(json.verify).toMatchObject({ ok: true, blocks: 44, columns: 22 });
  });

  it('returns 1 with a clear message for a corrupt, truncated, unknown-version or missing file', async () => {
    const bytes = await readFile(file);
    const corrupt = Buffer.from(bytes);
    corrupt[1000]! ^= 0xff;
    await writeFile(file, corrupt);
    let r = await inspect({ verify: true });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(new RegExp(`^error: segment file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is corrupt: checksum mismatch`))]);

    await writeFile(file, bytes.subarray(0, bytes.length - 100));
    r = await inspect({});
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/is corrupt: end marker missing \(truncated/);

    const v9 = Buffer.from(bytes);
    v9.writeUInt32LE(9, 8);
    await writeFile(file, v9);
    r = await inspect({ json: true });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ ok: false, error: { code: 'ST011', message: expect.stringContaining('format version 9') } });

    r = await inspect({}, join(dir, 'missing.seg'));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/^error: cannot read .*missing\.seg: ENOENT/);
  });

  it('rejects a bad --rows value', async () => {
    const r = await inspect({ rows: -1 });
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/--rows must be a non-negative integer/);
  });
});
