import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { avroTypeOptions, avroZstdDecoders, getZstdCodec } from '../../src/segment/index.js';
import { freePort } from '../helpers/server-process.js';

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));
const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The commands as a user types them (`npx shardtable ...` is `bin/shardtable.js`): `quickstart`
 * serves a live table and stops cleanly on Ctrl-C; `inspect`, `export` and `produce` work on its
 * output and fail clearly on bad input.
 */
describe('shardtable command line', () => {
  let dataDir: string;
  let segmentFile: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-cli-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('quickstart serves a live demo table, seals segments and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    const quickstartDir = join(dataDir, 'quickstart');
    const child = spawn(process.execPath, [BIN, 'quickstart', '--port', String(port), '--data-dir', quickstartDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('the quickstart banner', async () => stdout.includes('Ctrl-C'));
      expect(stdout).toContain(`http://127.0.0.1:${port}`);
      expect(stdout).toContain('curl');

      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/tables`)).json()).toEqual({ tables: ['clickstream'] });
      // Seal sooner than the demo's 1 minute, the way a user would: PUT the config back changed.
      const shown = (await (await fetch(`${base}/tables/clickstream`)).json()) as { REALTIME: { tableIndexConfig: { streamConfigs: Record<string, string> } } };
      shown.REALTIME.tableIndexConfig.streamConfigs['realtime.segment.flush.threshold.rows'] = '300';
      const put = await fetch(`${base}/tables/clickstream`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(shown.REALTIME) });
      expect(put.status, await put.text()).toBe(200);
      await waitFor('a sealed segment', async () => {
        const segments = (await (await fetch(`${base}/tables/clickstream/segments`)).json()) as { REALTIME: string[] }[];
        const names = segments[0]?.REALTIME ?? [];
        for (const name of names) {
          const meta = (await (await fetch(`${base}/segments/clickstream/${name}/metadata`)).json()) as { status?: string };
          if (meta.status !== 'IN_PROGRESS') return true;
        }
        return false;
      });
      const info = (await (await fetch(`${base}/tables/clickstream/consumingSegmentsInfo`)).json()) as { shardtablePartitions: unknown[] };
      expect(info.shardtablePartitions).toHaveLength(4);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited, stderr).toBe(0);
    expect(stdout).toContain('stopping');

    const tableDir = join(quickstartDir, 'clickstream');
    const files = (await readdir(tableDir)).filter((f) => f.endsWith('.seg'));
    expect(files.length).toBeGreaterThan(0);
    segmentFile = join(tableDir, files[0]!);
  }, 120_000);

  it('inspect shows a segment and verifies it; a corrupt file exits non-zero with a clear message', async () => {
    const bytes = await readFile(segmentFile);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    const corrupt = join(dataDir, 'corrupt.seg');
    await writeFile(corrupt, bytes);
    const truncated = join(dataDir, 'truncated.seg');
    await writeFile(truncated, bytes.subarray(0, 100));
    // Independent commands, run at once.
    const [ok, json, bad, cut] = await Promise.all([
      cli(['inspect', segmentFile, '--rows', '2', '--verify']),
      cli(['inspect', segmentFile, '--json']),
      cli(['inspect', corrupt, '--verify']),
      cli(['inspect', truncated]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('clickstream');
    expect(ok.stdout).toMatch(/userId/);

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).metadata.numDocs).toBeGreaterThan(0);

    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/corrupt/i);

    expect(cut.code).not.toBe(0);
  });

  it('export writes an Avro file that reads back with avsc', async () => {
    const out = join(dataDir, 'segment.avro');
    const result = await cli(['export', segmentFile, '--format', 'avro', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const zstd = await getZstdCodec();
    const records: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      avro
        // avsc reads longs as JS numbers unless told otherwise; LONG columns need all 64 bits.
        .createFileDecoder(out, { codecs: avroZstdDecoders(zstd) as never, parseHook: (s: avro.Schema) => avro.Type.forSchema(s, avroTypeOptions()) })
        .on('data', (r: unknown) => records.push(r))
        .on('end', resolve)
        .on('error', reject);
    });
    const info = JSON.parse((await cli(['inspect', segmentFile, '--json'])).stdout) as { metadata: { numDocs: number } };
    expect(records).toHaveLength(info.metadata.numDocs);

    const wrong = await cli(['export', segmentFile, '--format', 'parquet', '--out', out]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/avro/);
  });

  it('produce writes JSON lines into a stream and names a bad line', async () => {
    const emulator: Emulator = await startEmulator('kinesalite');
    try {
      await createStream(emulator.endpoint, 'cli-produce', 2);
      const file = join(dataDir, 'events.jsonl');
      await writeFile(file, '{"id":1,"user":"a"}\n{"id":2,"user":"b"}\n\n{"id":3,"user":"c"}\n');
      const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' };
      const ok = await cli(['produce', '--stream', 'cli-produce', '--file', file, '--partition-key', 'user', '--endpoint', emulator.endpoint], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain('produced 3 records');

      await writeFile(file, '{"id":1}\n{"id": oops}\n');
      const bad = await cli(['produce', '--stream', 'cli-produce', '--file', file, '--endpoint', emulator.endpoint], env);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/line 2/);
    } finally {
      await emulator.stop();
    }
  });
});
