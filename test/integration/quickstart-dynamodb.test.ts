import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { freePort } from '../helpers/server-process.js';

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));

/** `npx shardtable quickstart --source dynamodb`: moto, a demo table written to, loaded then streamed. */
it('quickstart --source dynamodb loads the demo table, then streams its changes, and stops on SIGINT', async () => {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-qs-ddb-'));
  const child = spawn(process.execPath, [BIN, 'quickstart', '--source', 'dynamodb', '--port', String(port), '--data-dir', join(dataDir, 'qs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 90_000;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  try {
    await waitFor('the banner', async () => stdout.includes('Ctrl-C'));
    expect(stdout).toContain('shardtable quickstart (DynamoDB)');
    await waitFor('STREAMING', async () => {
      const info = (await (await fetch(`${base}/tables/orders/consumingSegmentsInfo`)).json()) as { shardtableTable?: { phase?: { state?: string } } };
      return info.shardtableTable?.phase?.state === 'STREAMING';
    });
    const count = async (): Promise<number> => {
      const r = (await (await fetch(`${base}/query/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) FROM orders', queryOptions: 'skipUpsert=true' }) })).json()) as { resultTable: { rows: number[][] } };
      return Number(r.resultTable.rows[0]![0]);
    };
    const loaded = await count();
    expect(loaded).toBeGreaterThanOrEqual(1000);
    // The writer keeps changing orders: new versions arrive through the stream.
    await waitFor('streamed changes', async () => (await count()) > loaded);
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited, stderr).toBe(0);
  expect(stdout).toContain('stopping');
  await rm(dataDir, { recursive: true, force: true });
}, 150_000);
