import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTextIfExists } from '../../../src/util/read-optional.js';

describe('readTextIfExists', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'read-optional-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the text of a file that exists, including an empty one', async () => {
    await writeFile(join(dir, 'a.json'), '{"x":1}');
    await writeFile(join(dir, 'empty'), '');
    expect(await readTextIfExists(join(dir, 'a.json'))).toBe('{"x":1}');
    expect(await readTextIfExists(join(dir, 'empty'))).toBe('');
  });

  it('returns null for a missing file and throws for any other failure', async () => {
    expect(await readTextIfExists(join(dir, 'missing.json'))).toBeNull();
    await mkdir(join(dir, 'a-directory'));
    await expect(readTextIfExists(join(dir, 'a-directory'))).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
