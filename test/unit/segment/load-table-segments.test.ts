import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTableSegments, sealSegment } from '../../../src/segment/index.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

async function seal(name: string, rows: number, endOfShard = false): Promise<string> {
  const schema = allTypesSchema();
  const seg = newSegment(schema, indexing(), name);
  for (let i = 0; i < rows; i++) seg.index(rowOf(schema, i, false), String(i), 0);
  return (await sealSegment(seg, { tableDir: dir, endOfShard })).path;
}

describe('loadTableSegments', () => {
  it('deletes leftover tmp files, opens good segments in order, quarantines bad ones', async () => {
    await seal('alltypes__1__0__20240101T0000Z', 5);
    await seal('alltypes__0__1__20240101T0100Z', 3);
    await seal('alltypes__0__0__20240101T0000Z', 4);
    const corrupt = await seal('alltypes__0__2__20240101T0200Z', 2);
    const bytes = await readFile(corrupt);
    bytes[bytes.length >> 1]! ^= 1;
    await writeFile(corrupt, bytes);
    const future = Buffer.from(await readFile(await seal('alltypes__0__3__20240101T0300Z', 2)));
    future.writeUInt32LE(7, 8);
    await writeFile(join(dir, 'alltypes__0__3__20240101T0300Z.seg'), future);
    await writeFile(join(dir, 'alltypes__0__4__20240101T0400Z.seg.tmp'), 'half-written');
    await writeFile(join(dir, 'notes.txt'), 'not a segment');
    await mkdir(join(dir, 'subdir'));

    const { segments, quarantined } = await loadTableSegments(dir);
    expect(segments.map((s) => s.name)).toEqual(['alltypes__0__0__20240101T0000Z', 'alltypes__0__1__20240101T0100Z', 'alltypes__1__0__20240101T0000Z']);
    expect(segments.map((s) => s.numDocs)).toEqual([4, 3, 5]);
    expect(quarantined.map((q) => q.file)).toEqual(['alltypes__0__2__20240101T0200Z.seg', 'alltypes__0__3__20240101T0300Z.seg']);
    expect(quarantined[0]!.reason).toMatch(/corrupt: checksum mismatch/);
    expect(quarantined[1]!.reason).toMatch(/format version 7/);
    expect((await readdir(dir)).sort()).toEqual([
      'alltypes__0__0__20240101T0000Z.seg',
      'alltypes__0__1__20240101T0100Z.seg',
      'alltypes__1__0__20240101T0000Z.seg',
      'notes.txt',
      'quarantine',
      'subdir',
    ]);
    expect((await readdir(join(dir, 'quarantine'))).sort()).toEqual(['alltypes__0__2__20240101T0200Z.seg', 'alltypes__0__3__20240101T0300Z.seg']);

    // A second load finds the same good segments and nothing new to quarantine.
    const again = await loadTableSegments(dir);
    expect(again.segments.length).toBe(3);
    expect(again.quarantined).toEqual([]);
  });

  it('keeps an earlier quarantined file when a new one has the same name', async () => {
    for (let round = 0; round < 2; round++) {
      const p = await seal('alltypes__0__0__20240101T0000Z', 1);
      await writeFile(p, 'garbage');
      expect((await loadTableSegments(dir)).quarantined.length).toBe(1);
    }
    expect((await readdir(join(dir, 'quarantine'))).sort()).toEqual(['alltypes__0__0__20240101T0000Z.seg', 'alltypes__0__0__20240101T0000Z.seg.1']);
  });

  it('returns nothing for a missing directory', async () => {
    expect(await loadTableSegments(join(dir, 'nope'))).toEqual({ segments: [], quarantined: [] });
  });

  it('leaves no tmp file behind after sealing, and a failed seal publishes nothing', async () => {
    await seal('alltypes__0__0__20240101T0000Z', 3, true);
    expect(await readdir(dir)).toEqual(['alltypes__0__0__20240101T0000Z.seg']);
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing(), 'alltypes__0__1__20240101T0000Z');
    await expect(sealSegment(seg, { tableDir: join(dir, 'missing-dir'), endOfShard: false })).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual(['alltypes__0__0__20240101T0000Z.seg']);
  });
});
