import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment, parseLlcSegmentName } from '../../src/segment/index.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { ServerProcess } from '../helpers/server-process.js';

const TOTAL = 1200;
const STREAM = 'gap-crash';

const schema = { schemaName: 'events', dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }], dateTimeFieldSpecs: [timeMillisField()] };

/**
 * `serve` killed with SIGKILL in the middle of repairing gaps — right after a repair segment's
 * rename (before the ledger knows it), and just before another's rename — then restarted: every
 * id is in exactly one segment file, and no gap is repaired twice.
 */
describe('gap repair across SIGKILL', () => {
  let emulator: RunningEmulator;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator('kinesalite');
    await createStream(emulator.endpoint, STREAM, 2);
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-gap-crash-'));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a deleted middle segment is re-read exactly once across kills during its repair', async () => {
    const client = kinesisClientFor(emulator.endpoint);
    const rows = Array.from({ length: TOTAL }, (_, id) => ({ id, ts: 1_700_000_000_000 + id }));
    await putJsonRecords(client, STREAM, rows, (row) => `key-${row.id}`);
    client.destroy();
    const tableDir = join(dataDir, 'events');

    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', schema)).status).toBe(200);
    const config = emulatorTableConfig({ endpoint: emulator.endpoint, stream: STREAM, timeColumn: 'ts', streamConfigs: { 'realtime.segment.flush.threshold.rows': '100', 'realtime.segment.flush.threshold.time': '1500ms' } });
    const created = await server.request('POST', '/tables', config);
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    await waitUntil(async () => (await sealedIds(tableDir)).size === TOTAL, 60_000);
    server.kill('SIGTERM');
    await server.exited;

    // Delete the second segment of each partition (a middle one: each shard has several), and
    // kill the server right after the first repair segment's rename, before the ledger has it.
    const deleteSequence = async (sequence: number, max: number): Promise<void> => {
      const files = (await readdir(tableDir)).filter((f) => f.endsWith('.seg'));
      const victims = files.filter((f) => parseLlcSegmentName(f.slice(0, -4))?.sequence === sequence).slice(0, max);
      expect(victims.length).toBeGreaterThan(0);
      for (const f of victims) await rm(join(tableDir, f));
    };
    const killedAt = async (fault: string): Promise<void> => {
      server = await ServerProcess.start({ dataDir, env: { SHARDTABLE_FAULT_POINT: fault } });
      const exit = await Promise.race([server.exited, sleep(60_000).then(() => null)]);
      expect(exit, `fault point ${fault} was never reached; log:\n${server.log()}`).toEqual({ code: null, signal: 'SIGKILL' });
    };
    await deleteSequence(1, 2);
    await killedAt('repair:after-publish:1');
    // Then another gap, killed just before its repair segment's rename (the only seal of that run).
    await deleteSequence(3, 1);
    await killedAt('seal:before-rename:1');
    server = await ServerProcess.start({ dataDir });
    await waitUntil(async () => (await sealedIds(tableDir)).size === TOTAL, 60_000);
    const count = await server.request('POST', '/query/sql', { sql: 'SELECT COUNT(*), DISTINCTCOUNT(id) FROM events' });
    expect((count.json as { resultTable: { rows: unknown[][] } }).resultTable.rows[0]).toEqual([TOTAL, TOTAL]);
    server.kill('SIGTERM');
    expect((await server.exited).code, server.log()).toBe(0);

    const seen = await sealedIds(tableDir);
    expect([...seen].filter(([, n]) => n !== 1)).toEqual([]);
    expect(seen.size).toBe(TOTAL);
  }, 240_000);
});

/** How often each id appears across the table's segment files. */
async function sealedIds(tableDir: string): Promise<Map<bigint, number>> {
  const seen = new Map<bigint, number>();
  for (const file of (await readdir(tableDir)).filter((f) => f.endsWith('.seg'))) {
    const segment = await openSegment(join(tableDir, file)).catch(() => null);
    if (segment === null) continue;
    for (let doc = 0; doc < segment.numDocs; doc++) {
      const id = segment.getValue('id', doc) as bigint;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  return seen;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(250);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
