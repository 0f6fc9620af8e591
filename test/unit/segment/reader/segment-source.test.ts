import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSource } from '../../../../src/segment/reader/segment-source.js';
import { tempDir } from '../fixtures.js';

describe('FileSource transient reads', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function fileOf(bytes: Uint8Array): Promise<FileSource> {
    const t = await tempDir();
    cleanup = t.cleanup;
    const path = join(t.dir, 'x.seg');
    await writeFile(path, bytes);
    return new FileSource(path, bytes.length);
  }

  it('reuse one buffer for bytes only decompressed; plain reads get their own', async () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
    const source = await fileOf(bytes);
    const a = source.read(10, 1000, true);
    expect([...a.subarray(0, 3)]).toEqual([10, 11, 12]);
    const b = source.read(100_000, 200_000, true); // grows the shared buffer
    expect(b[0]).toBe(100_000 % 251);
    const c = source.read(20, 5000, true);
    expect(c.buffer).toBe(b.buffer); // the same memory: no garbage per read
    expect([...c.subarray(0, 3)]).toEqual([20, 21, 22]);
    const own = source.read(20, 5000);
    expect(own.buffer).not.toBe(c.buffer);
    source.read(0, 5000, true);
    expect([...own.subarray(0, 3)]).toEqual([20, 21, 22]); // a plain read is not overwritten
    source.close();
  });

  it('gives a read larger than 4 MiB its own buffer, and reports a short file', async () => {
    const bytes = new Uint8Array(5 * 1024 * 1024).fill(7);
    const source = await fileOf(bytes);
    const small = source.read(0, 100, true);
    const big = source.read(0, bytes.length, true);
    expect(big.buffer).not.toBe(small.buffer);
    expect(big.every((v) => v === 7)).toBe(true);
    expect(() => source.read(bytes.length - 10, 20, true)).toThrow(/file ends before byte/);
    source.close();
  });
});
