import { readFile, truncate, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShardtableError } from '../../../src/errors.js';
import { crc32 } from '../../../src/segment/format/checksum.js';
import { crc32Portable } from '../../../src/segment/format/checksum.js';
import { openSegment, sealSegment } from '../../../src/segment/index.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let path: string;
let original: Buffer;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  const schema = allTypesSchema();
  const seg = newSegment(schema, indexing({ nullHandlingEnabled: true, invertedIndexColumns: ['sv_string'] }));
  for (let i = 0; i < 20_000; i++) seg.index(rowOf(schema, i, true), String(i), 0);
  path = (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
  original = await readFile(path);
});
afterEach(async () => cleanup());

async function expectError(errorName: string, detail: RegExp): Promise<ShardtableError> {
  const err = await openSegment(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShardtableError);
  const st = err as ShardtableError;
  expect(st.errorName).toBe(errorName);
  expect(st.message).toContain(path);
  expect(st.message).toMatch(detail);
  return st;
}

describe('segment file integrity', () => {
  it('detects a flipped byte anywhere (header, block data, footer, trailer)', async () => {
    const positions = [0, 12, 100, Math.floor(original.length / 2), original.length - 200, original.length - 30, original.length - 10, original.length - 1];
    for (const pos of positions) {
      const bad = Buffer.from(original);
      bad[pos]! ^= 0x40;
      await writeFile(path, bad);
      await expectError('SEGMENT_CORRUPT', /magic|checksum|end marker|version/);
    }
  });

  it('rejects a truncated file with SEGMENT_CORRUPT, at any length', async () => {
    for (const length of [0, 5, 16, 40, 1000, original.length - 1]) {
      await writeFile(path, original.subarray(0, length));
      await expectError('SEGMENT_CORRUPT', /truncated|end marker|short/);
    }
    await truncate(path, original.length - 24);
    await expectError('SEGMENT_CORRUPT', /end marker|checksum/);
  });

  it('rejects another format version with SEGMENT_VERSION naming both versions', async () => {
    const future = Buffer.from(original);
    future.writeUInt32LE(4, 8);
    await writeFile(path, future);
    const err = await expectError('SEGMENT_VERSION', /format version 4; this build reads versions 1, 2, 3/);
    expect(err.code).toBe('ST011');
  });

  it('rejects a file that is not a segment', async () => {
    await writeFile(path, Buffer.from('{"hello": "this is JSON, not a segment"}'.repeat(10)));
    await expectError('SEGMENT_CORRUPT', /bad magic/);
  });

  it('rejects a footer that is structurally wrong even when the checksum matches', async () => {
    // Re-sign a file whose footer claims more rows than the blocks hold.
    const footerOffset = Number(original.readBigUint64LE(original.length - 24));
    const footerLength = original.readUInt32LE(original.length - 16);
    const footer = JSON.parse(original.subarray(footerOffset, footerOffset + footerLength).toString('utf8'));
    footer.numDocs += 1;
    const json = Buffer.from(JSON.stringify(footer));
    const trailer = Buffer.alloc(24);
    trailer.writeBigUint64LE(BigInt(footerOffset), 0);
    trailer.writeUInt32LE(json.length, 8);
    trailer.writeUInt32LE(original.readUInt32LE(8), 12);
    const body = Buffer.concat([original.subarray(0, footerOffset), json, trailer.subarray(0, 16)]);
    trailer.writeUInt32LE(crc32(body), 16);
    original.copy(trailer, 20, original.length - 4);
    await writeFile(path, Buffer.concat([body, trailer.subarray(16)]));
    await expectError('SEGMENT_CORRUPT', /blocks hold 20000 docs, segment has 20001/);
  });

  it('computes the same CRC-32 with the portable fallback as with zlib', () => {
    expect(crc32Portable(original)).toBe(crc32(original));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
