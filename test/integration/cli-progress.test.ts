import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSegment } from '../../src/segment/index.js';
import { createStream, startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from '../unit/segment/fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));
const run = promisify(execFile);
const AWS = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' };

interface Result {
  code: number;
  out: string;
}

/** The command on a pty (`script -qfec`): what a user sees on a terminal, stdout and stderr mixed. */
async function onTty(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  return exec('script', ['-qfec', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'], env);
}

/** The command with stdout and stderr piped (no terminal): both, concatenated. */
async function piped(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return exec(process.execPath, [BIN, ...args], env);
}

async function exec(file: string, args: string[], env: Record<string, string>): Promise<Result> {
  try {
    const { stdout, stderr } = await run(file, args, { env: { ...process.env, ...AWS, ...env }, maxBuffer: 64 * 2 ** 20 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const BAR = /\[[█░]+\] \d+% \| \d+\/\d+/;

/**
 * Progress bars of `inspect --verify`, `export` and `produce`, as processes: drawn on a terminal
 * for a file of at least SHARDTABLE_PROGRESS_MIN_BYTES (1 MiB by default), never when piped.
 */
describe('progress bars on long commands', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let segment: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing({}));
    for (let i = 0; i < 20_000; i++) seg.index(rowOf(schema, i, true), String(i), 0);
    segment = (await sealSegment(seg, { tableDir: dir, endOfShard: false })).path;
  });
  afterAll(async () => cleanup());

  it('inspect --verify and export draw a bar on a terminal for a large file, none for a small one or when piped', async () => {
    const size = (await stat(segment)).size;
    const large = { SHARDTABLE_PROGRESS_MIN_BYTES: String(Math.min(size, 1024)) };
    const verify = await onTty(['inspect', segment, '--verify', '--rows', '0'], large);
    expect(verify.code, verify.out).toBe(0);
    expect(verify.out).toMatch(new RegExp(`verify ${BAR.source} blocks`));
    expect(verify.out).toMatch(/verify\s+OK/);
    const out = join(dir, 'seg.avro');
    const exported = await onTty(['export', segment, '--format', 'avro', '--out', out], large);
    expect(exported.code, exported.out).toBe(0);
    expect(exported.out).toMatch(/export \[[█░]+\] 100% \| 20000\/20000 rows/);

    const small = { SHARDTABLE_PROGRESS_MIN_BYTES: String(size + 1) };
    const quiet = await onTty(['inspect', segment, '--verify', '--rows', '0'], small);
    expect(quiet.code).toBe(0);
    expect(quiet.out).not.toMatch(BAR);
    for (const args of [['inspect', segment, '--verify'], ['export', segment, '--format', 'avro', '--out', out]]) {
      const r = await piped(args, large);
      expect(r.code, r.out).toBe(0);
      expect(r.out).not.toMatch(BAR);
      expect(r.out).not.toContain('\u001b[');
    }
  });

  it('produce of a large file draws a bar on a terminal, none when piped', async () => {
    const emulator: Emulator = await startEmulator('kinesalite');
    try {
      await createStream(emulator.endpoint, 'progress', 1);
      const file = join(dir, 'big.jsonl');
      const lines: string[] = [];
      for (let i = 0; i < 4000; i++) lines.push(JSON.stringify({ id: i, pad: 'x'.repeat(300) }));
      await writeFile(file, `${lines.join('\n')}\n`);
      expect((await stat(file)).size).toBeGreaterThan(2 ** 20);
      const args = ['produce', '--stream', 'progress', '--file', file, '--endpoint', emulator.endpoint];
      const tty = await onTty(args);
      expect(tty.code, tty.out).toBe(0);
      expect(tty.out).toMatch(/produce \[[█░]+\] 100% \| \d+\/\d+ bytes/);
      expect(tty.out).toContain('produced 4000 records into progress');
      const plain = await piped(args);
      expect(plain.code).toBe(0);
      expect(plain.out).toBe('produced 4000 records into progress\n');
    } finally {
      await emulator.stop();
    }
  });
});
