import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { httpCall, ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/table-rows.js';

/*
 * "Stream outages and slow endpoints" in docs/operations.md, through the real HTTP server. The
 * hanging endpoint is the fault proxy holding every request: it accepts the connection and never
 * answers. One emulator is enough: what is under test is the proxy's silence, not Kinesis.
 */

const SQL_COUNT = 'SELECT COUNT(*) FROM events';

function tableConfig(tableName: string, endpoint: string, stream: string, more: Record<string, string> = {}): Record<string, unknown> {
  return emulatorTableConfig({
    tableName,
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: { 'stream.kinesis.fetch.timeout.millis': '1000', 'stream.kinesis.shard.discovery.interval.ms': '1000', ...more },
  });
}

const call = httpCall;

async function count(baseUrl: string): Promise<{ rows: number; exceptions: unknown[] }> {
  const { json } = await call(baseUrl, 'POST', '/query/sql', { sql: SQL_COUNT });
  return { rows: Number(json.resultTable?.rows?.[0]?.[0] ?? -1), exceptions: json.exceptions };
}

describe('stream outages and slow endpoints (kinesalite)', () => {
  const env = withEmulator('kinesalite');
  const cleanups: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  async function tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('POST /tables against a hanging endpoint answers 400 STREAM_UNREACHABLE within the deadline, while another table, schemas and /health answer', async () => {
    const proxy = await FaultProxy.start(env.endpoint);
    cleanups.push(() => proxy.close());
    proxy.hold();
    const server: RunningServer = await startServer({ dataDir: await tempDir('shardtable-hang-'), port: 0, host: '127.0.0.1', logger: silentLogger() });
    cleanups.push(() => server.close());
    const { url } = server;

    // A healthy table on the emulator itself.
    const healthy = await env.newStream(1);
    expect((await call(url, 'POST', '/schemas', idKindTsSchema('clicks'))).status).toBe(200);
    expect((await call(url, 'POST', '/tables', tableConfig('clicks', env.endpoint, healthy))).status).toBe(200);

    // A table whose endpoint accepts and never answers, with a deadline long enough that the
    // calls below finish inside it even on a loaded machine.
    const hanging = await env.newStream(1);
    const deadlineMs = 8000;
    const hangingConfig = tableConfig('events', proxy.endpoint, hanging, { 'stream.kinesis.metadata.timeout.millis': String(deadlineMs) });
    expect((await call(url, 'POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const startedAt = Date.now();
    let settled = false;
    const post = call(url, 'POST', '/tables', hangingConfig).finally(() => (settled = true));

    // Everything else answers while that POST waits on its stream.
    await waitFor('the ListShards call to hang at the proxy', () => (proxy.heldRequests.ListShards ?? 0) > 0, 10_000);
    expect((await call(url, 'GET', '/health')).json).toBe('OK');
    expect((await call(url, 'POST', '/tables/clicks/pauseConsumption')).json.pauseFlag).toBe(true);
    expect((await call(url, 'POST', '/tables/clicks/resumeConsumption')).json.pauseFlag).toBe(false);
    expect((await call(url, 'POST', '/schemas', idKindTsSchema('other'))).status).toBe(200);
    expect((await call(url, 'POST', '/tables', hangingConfig)).status).toBe(409);
    expect((await call(url, 'DELETE', '/tables/clicks')).status).toBe(200);
    expect((await call(url, 'GET', '/tables')).json.tables).toEqual([]);
    expect(settled).toBe(false);

    const answer = await post;
    const elapsedMs = Date.now() - startedAt;
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe(400);
    expect(answer.json.error).toContain(`stream kinesis:${hanging} cannot be read`);
    expect(answer.json.error).toContain(`within ${deadlineMs} ms (stream.kinesis.metadata.timeout.millis)`);
    expect(elapsedMs).toBeGreaterThanOrEqual(deadlineMs - 100);
    expect(elapsedMs).toBeLessThan(deadlineMs + 20_000);
    // Rolled back: not listed, nothing in the catalog, the name is free again.
    expect((await call(url, 'GET', '/tables')).json.tables).toEqual([]);
    expect(await readdir(join(server.manager.dataDir, '_catalog', 'tables'))).toEqual([]);
    expect((await call(url, 'DELETE', '/tables/events')).status).toBe(404);
  });

  it('serve restarted while its endpoint hangs listens, answers /health and queries from the sealed rows, says ingestion is down, and catches up once the endpoint answers', async () => {
    const proxy = await FaultProxy.start(env.endpoint);
    cleanups.push(() => proxy.close());
    const dataDir = await tempDir('shardtable-outage-');
    const stream = await env.newStream(1);

    const first = await ServerProcess.start({ dataDir });
    cleanups.push(async () => first.kill('SIGKILL'));
    expect((await first.request('POST', '/schemas', idKindTsSchema('events'))).status).toBe(200);
    const config = tableConfig('events', proxy.endpoint, stream, {
      'realtime.segment.flush.threshold.rows': '10',
      'stream.kinesis.metadata.timeout.millis': '1000',
    });
    expect((await first.request('POST', '/tables', config)).status).toBe(200);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 25), (row) => String(row.id));
    await waitFor('25 rows, 20 of them sealed', async () => {
      const info = (await first.request('GET', '/tables/events/consumingSegmentsInfo')).json as { shardtablePartitions?: { rowsInConsumingSegment: number }[] };
      const consuming = info.shardtablePartitions?.reduce((n, p) => n + p.rowsInConsumingSegment, 0);
      return consuming === 5 && (await count(first.url)).rows === 25;
    });
    first.kill('SIGKILL');
    await first.exited;

    proxy.hold();
    const second = await ServerProcess.start({ dataDir });
    cleanups.push(async () => {
      second.kill('SIGTERM');
      await second.exited;
    });
    const health = await second.request('GET', '/health');
    expect(health).toEqual({ status: 200, json: 'OK' });

    // The sealed rows answer, as a normal broker response (no exception: the answer is stale, not partial).
    const sealedOnly = await count(second.url);
    expect(sealedOnly).toEqual({ rows: 20, exceptions: [] });

    // consumingSegmentsInfo and pauseStatus say ingestion is down, and why.
    const ingestionState = async (): Promise<unknown> => ((await second.request('GET', '/tables/events/consumingSegmentsInfo')).json as any).shardtableTable?.ingestion?.state;
    await waitFor('ingestion DOWN', async () => (await ingestionState()) === 'DOWN', 30_000);
    const info = (await second.request('GET', '/tables/events/consumingSegmentsInfo')) as { status: number; json: any };
    expect(info.status).toBe(200);
    expect(info.json.shardtableTable.ingestion).toMatchObject({ state: 'DOWN', lastError: expect.stringContaining('stream.kinesis.metadata.timeout.millis') });
    expect(info.json.shardtableTable.ingestion.failedAttempts).toBeGreaterThanOrEqual(1);
    expect(info.json._segmentToConsumingInfoMap).toEqual({});
    expect((await second.request('GET', '/tables/events/pauseStatus')).json).toMatchObject({ state: 'RUNNING', ingestion: 'DOWN' });
    expect((await second.request('GET', '/tables/events/segments')).status).toBe(200);

    // A rewind asked for while the stream is down has no shard to plan: done at once, saying why.
    const rewound = (await second.request('POST', '/tables/events/rewind?to=TRIM_HORIZON')) as { status: number; json: any };
    expect(rewound.status).toBe(200);
    expect(rewound.json).toMatchObject({ partitions: [], note: expect.stringMatching(/^nothing was rewound: the table knows no shard of its stream \(the last listing failed: ListShards got no answer .*\); ask again once ingestion is RUNNING$/) });
    expect(rewound.json.description).toBe(rewound.json.note);
    const rewindStatus = ((await second.request('GET', '/tables/events/consumingSegmentsInfo')).json as any).shardtableTable.rewind;
    expect(rewindStatus).toMatchObject({ state: 'DONE', target: 'TRIM_HORIZON', partitions: [], note: rewound.json.note });

    // The endpoint answers again: the shard resumes after its last sealed segment, exactly once.
    proxy.release();
    await waitFor('25 rows again', async () => (await count(second.url)).rows === 25, 60_000);
    const recovered = (await second.request('GET', '/tables/events/consumingSegmentsInfo')) as { json: any };
    expect(recovered.json.shardtableTable.ingestion.state).toBe('RUNNING');
    const { json } = (await second.request('POST', '/query/sql', { sql: 'SELECT COUNT(DISTINCT id) FROM events' })) as { json: any };
    expect(Number(json.resultTable.rows[0][0])).toBe(25);
  });
});
