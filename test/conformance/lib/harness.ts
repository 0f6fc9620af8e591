import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { startServer } from '../../../src/cli/serve.js';
import type { RunningServer } from '../../../src/cli/serve.js';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION, createStream, kinesisClientFor, startEmulator } from '../../../src/emulator/index.js';
import type { Emulator } from '../../../src/emulator/index.js';
import { silentLogger } from '../../../src/logger.js';
import { putJsonRecords } from '../../../src/plugins/stream/kinesis/index.js';
import { RecordWriter } from '../../../src/plugins/stream/kinesis/kinesis-producer.js';
import type { BrokerResponse } from './broker-response.js';
import { asBrokerResponse, exceptionsText } from './broker-response.js';
import { parseJsonExact } from './json-exact.js';

/**
 * shardtable as a user drives it for the conformance runners: one kinesalite emulator, one real
 * HTTP server on a temporary data dir, tables created through the API with their stream config
 * switched to Kinesis, rows produced into the stream, queries through `POST /query/sql`.
 */
export class Harness {
  private constructor(
    readonly emulator: Emulator,
    readonly server: RunningServer,
    readonly client: KinesisClient,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<Harness> {
    const emulator = await startEmulator('kinesalite');
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-conformance-'));
    try {
      const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
      return new Harness(emulator, server, kinesisClientFor(emulator.endpoint, { maxAttempts: 5 }), dataDir);
    } catch (err) {
      await emulator.stop();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.server.close();
    await this.emulator.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** The Kinesis `streamConfigs` map for `stream` on this emulator (Pinot's keys). */
  kinesisStreamConfigs(stream: string, flush: Record<string, string>): Record<string, string> {
    return {
      streamType: 'kinesis',
      'stream.kinesis.topic.name': stream,
      region: EMULATOR_REGION,
      endpoint: this.emulator.endpoint,
      accessKey: EMULATOR_CREDENTIALS.accessKeyId,
      secretKey: EMULATOR_CREDENTIALS.secretAccessKey,
      shardIteratorType: 'TRIM_HORIZON',
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
      'stream.kinesis.fetch.timeout.millis': '1000',
      requests_per_second_limit: '5',
      ...flush,
    };
  }

  async createStream(stream: string, shards: number): Promise<void> {
    await createStream(this.emulator.endpoint, stream, shards);
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const response = await fetch(`${this.server.url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, text: await response.text() };
  }

  async createSchemaAndTable(schema: unknown, tableConfig: unknown): Promise<void> {
    const s = await this.call('POST', '/schemas', schema);
    if (s.status !== 200) throw new Error(`POST /schemas: ${s.status} ${s.text}`);
    const t = await this.call('POST', '/tables', tableConfig);
    if (t.status !== 200) throw new Error(`POST /tables: ${t.status} ${t.text}`);
  }

  async produce<T>(stream: string, rows: readonly T[], partitionKey: (row: T, i: number) => string): Promise<void> {
    await putJsonRecords(this.client, stream, rows, partitionKey);
  }

  /** Writes JSON texts as written (no re-serialisation: 64-bit integers keep every digit). */
  async produceText(stream: string, texts: readonly string[], partitionKey: (i: number) => string): Promise<void> {
    const writer = new RecordWriter(this.client, stream);
    const encoder = new TextEncoder();
    for (let i = 0; i < texts.length; i++) await writer.add({ data: encoder.encode(texts[i]!), partitionKey: partitionKey(i) }, `record ${i}`);
    await writer.flush();
  }

  /**
   * `POST /query/sql`. HTTP-level failures (no route yet, 5xx) come back as a response with one
   * `exceptions` entry (errorCode -1), so runners report them like any other failing query.
   */
  async query(sql: string): Promise<BrokerResponse> {
    let status = 0;
    let text = '';
    try {
      ({ status, text } = await this.call('POST', '/query/sql', { sql }));
      const json = asBrokerResponse(parseJsonExact(text));
      if (status === 200 || json.exceptions !== undefined) return json;
    } catch (err) {
      if (status === 0) return { exceptions: [{ errorCode: -1, message: `request failed: ${(err as Error).message}` }] };
    }
    return { exceptions: [{ errorCode: -1, message: `HTTP ${status}: ${text.slice(0, 300)}` }] };
  }

  /**
   * Rows indexed in `table`: `SELECT count(*)` when the query endpoint answers it, otherwise sealed
   * segment `numDocs` plus consuming-segment rows from the table's status endpoints.
   */
  async rowCount(table: string): Promise<{ rows: number; dropped: number; via: 'query' | 'status' }> {
    const dropped = await this.droppedRecords(table);
    const r = await this.query(`SELECT count(*) FROM ${table}`);
    const cell = r.resultTable?.rows[0]?.[0];
    if ((r.exceptions ?? []).length === 0 && (typeof cell === 'number' || typeof cell === 'bigint')) return { rows: Number(cell), dropped, via: 'query' };
    const list = await this.call('GET', `/tables/${table}/segments`);
    const names = (JSON.parse(list.text) as { REALTIME?: string[] }[])[0]?.REALTIME ?? [];
    let rows = 0;
    for (const name of names) {
      const meta = await this.call('GET', `/segments/${table}/${encodeURIComponent(name)}/metadata`);
      if (meta.status !== 200) continue;
      const m = JSON.parse(meta.text) as { numDocs?: number; totalDocs?: number };
      rows += m.numDocs ?? m.totalDocs ?? 0;
    }
    return { rows, dropped, via: 'status' };
  }

  private async droppedRecords(table: string): Promise<number> {
    const info = await this.call('GET', `/tables/${table}/consumingSegmentsInfo`);
    if (info.status !== 200) return 0;
    const parts = (JSON.parse(info.text) as { shardtablePartitions?: { recordsDropped: number; lastError: string | null }[] }).shardtablePartitions ?? [];
    return parts.reduce((n, p) => n + p.recordsDropped, 0);
  }

  /** Waits until `table` holds exactly `expected` rows; fails fast when records are dropped. */
  async waitForRows(table: string, expected: number, timeoutMs = 90_000): Promise<'query' | 'status'> {
    const deadline = Date.now() + timeoutMs;
    let last = { rows: -1, dropped: 0, via: 'status' as 'query' | 'status' };
    for (;;) {
      last = await this.rowCount(table);
      if (last.dropped > 0) {
        const info = await this.call('GET', `/tables/${table}/consumingSegmentsInfo`);
        throw new Error(`${table}: ${last.dropped} records dropped while loading: ${info.text.slice(0, 2000)}`);
      }
      if (last.rows === expected) return last.via;
      if (last.rows > expected && last.via === 'query') throw new Error(`${table}: ${last.rows} rows, more than the ${expected} produced`);
      if (Date.now() > deadline) throw new Error(`${table}: timed out with ${last.rows} of ${expected} rows indexed`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export { exceptionsText };
