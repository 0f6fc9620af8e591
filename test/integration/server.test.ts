import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { kinesisDocSchema, kinesisDocTableConfig } from '../helpers/pinot-config-fixtures.js';

const STREAM = 'pinot-docs-example';

interface PartitionInfo {
  shardId: string;
  state: string;
  rowsInConsumingSegment: number;
  recordsDropped: number;
  startedFrom: string;
}

async function call(server: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

async function partitions(server: RunningServer): Promise<PartitionInfo[]> {
  const info = await call(server, 'GET', '/tables/kinesisTable/consumingSegmentsInfo');
  expect(info.status).toBe(200);
  return info.json.shardtablePartitions as PartitionInfo[];
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The server as a user drives it (real HTTP, real emulator, real files): Pinot's documented
 * Kinesis config ingests as written once AWS_ENDPOINT_URL_KINESIS points at an emulator, a
 * malformed record is counted and skipped, and everything comes back after a restart.
 */
describe('server with Pinot docs Kinesis config', () => {
  let emulator: Emulator;
  let dataDir: string;
  const saved = process.env.AWS_ENDPOINT_URL_KINESIS;

  beforeAll(async () => {
    emulator = await startEmulator('kinesalite');
    await createStream(emulator.endpoint, STREAM, 2);
    process.env.AWS_ENDPOINT_URL_KINESIS = emulator.endpoint;
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-server-'));
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_KINESIS;
    else process.env.AWS_ENDPOINT_URL_KINESIS = saved;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts the config as written, ingests, counts bad records, and survives a restart', async () => {
    const client = kinesisClientFor(emulator.endpoint);
    // Records written before the table exists: AFTER_SEQUENCE_NUMBER with no sequence number
    // starts from the oldest record.
    await putJsonRecords(client, STREAM, Array.from({ length: 40 }, (_, i) => ({ id: `id-${i}`, tags: ['a', 'b'], amount: i / 4, timestamp: 1_700_000_000_000 + i })), (r) => r.id);
    await client.send(
      new PutRecordsCommand({
        StreamName: STREAM,
        Records: [
          { Data: new TextEncoder().encode('{"id": 1000, "name": '), PartitionKey: 'bad-1' },
          { Data: new TextEncoder().encode('{"id": "x", "amount": "not a number"}'), PartitionKey: 'bad-2' },
        ],
      }),
    );

    let server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
    try {
      expect((await call(server, 'POST', '/schemas', kinesisDocSchema())).status).toBe(200);
      const created = await call(server, 'POST', '/tables', kinesisDocTableConfig({ stream: STREAM, region: 'us-east-1' }));
      expect(created.status, JSON.stringify(created.json)).toBe(200);

      const table = await call(server, 'GET', '/tables/kinesisTable');
      expect(JSON.stringify(table.json)).not.toContain('<your secret key>');

      await waitFor('40 rows and 2 dropped records', async () => {
        const parts = await partitions(server);
        const rows = parts.reduce((n, p) => n + p.rowsInConsumingSegment, 0);
        const dropped = parts.reduce((n, p) => n + p.recordsDropped, 0);
        return rows === 40 && dropped === 2;
      });
      const parts = await partitions(server);
      expect(parts).toHaveLength(2);
      for (const p of parts) expect(p.startedFrom).toMatch(/TRIM_HORIZON/);

      // Prometheus: per-shard consumption and the two dropped records.
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      const total = (name: string): number =>
        text
          .split('\n')
          .filter((line) => line.startsWith(`${name}{table="kinesisTable"`))
          .reduce((n, line) => n + Number(line.split(' ').at(-1)), 0);
      expect(total('shardtable_records_consumed_total')).toBe(42);
      expect(total('shardtable_records_dropped_total')).toBe(2);
      expect(total('shardtable_consuming_rows')).toBe(40);
      expect(text).toContain('# TYPE shardtable_ms_behind_latest gauge');
      expect(text).toContain('shardtable_process_');
    } finally {
      await server.close();
    }

    // Restart on the same data dir: schema and table are back and consuming resumes.
    server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
    try {
      expect((await call(server, 'GET', '/schemas')).json).toContain('kinesisTable');
      expect((await call(server, 'GET', '/tables')).json).toEqual({ tables: ['kinesisTable'] });
      await waitFor('40 rows re-read after restart', async () => {
        const parts = await partitions(server);
        return parts.reduce((n, p) => n + p.rowsInConsumingSegment, 0) === 40;
      });
      const deleted = await call(server, 'DELETE', '/tables/kinesisTable');
      expect(deleted.status).toBe(200);
      expect((await call(server, 'GET', '/tables/kinesisTable')).status).toBe(404);
    } finally {
      await server.close();
      client.destroy();
    }
  });
});
