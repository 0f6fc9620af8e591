import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { ShardtableError } from '../../../errors.js';
import { createKinesisClient } from './kinesis-client.js';
import { parseKinesisConfig } from './kinesis-config.js';
import type { KinesisConfig } from './kinesis-config.js';
import { toStreamError } from './kinesis-errors.js';
import { PermanentStreamError } from '../../../spi/partition-consumer.js';

/** PutRecords limits: 500 records and 5 MiB per call; 1 MiB (data + partition key) per record. */
export const PUT_RECORDS_MAX_COUNT = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
export const RECORD_MAX_BYTES = 1024 * 1024;
const PARTITION_KEY_MAX_CHARS = 256;

export interface PutJsonRecordsOptions {
  /** Attempts per batch, counting the first (default 8). */
  readonly maxAttempts?: number;
  /** First retry delay, doubled per attempt with full jitter, capped at 5 s (default 100). */
  readonly baseDelayMs?: number;
}

/** One record ready for PutRecords. */
export interface RawRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

const encoder = new TextEncoder();

/**
 * Writes `rows` as JSON records into `stream`, in order, in PutRecords batches of at most 500
 * records and 5 MiB. Records a batch reports as failed (throttling, internal errors) are retried
 * alone, with exponential backoff and jitter; after `maxAttempts` it throws `PRODUCE_FAILED`.
 * A retried record may land after records sent later in the same batch (as with the KPL).
 *
 * @example
 *   await putJsonRecords(client, 'events', rows, (row) => String(row.userId));
 */
export async function putJsonRecords<T>(
  client: KinesisClient,
  stream: string,
  rows: Iterable<T>,
  partitionKeyFn: (row: T, index: number) => string = () => randomUUID(),
  opts: PutJsonRecordsOptions = {},
): Promise<{ records: number }> {
  const writer = new RecordWriter(client, stream, opts);
  let index = 0;
  for (const row of rows) {
    await writer.add({ data: encoder.encode(JSON.stringify(row)), partitionKey: partitionKeyFn(row, index) }, `row ${index}`);
    index++;
  }
  await writer.flush();
  return { records: writer.written };
}

/**
 * Writes `records` into the stream of a table's Kinesis settings (the table's endpoint, region and
 * credentials), in PutRecords batches with `RecordWriter`'s retries. Returns how many were written.
 */
export async function putTableRecords(settings: KinesisConfig, records: readonly RawRecord[], tableName: string): Promise<number> {
  const client = createKinesisClient(settings, { tableName });
  try {
    const writer = new RecordWriter(client, settings.streamName);
    for (const [i, record] of records.entries()) await writer.add(record, `record ${i + 1}`);
    await writer.flush();
    return writer.written;
  } finally {
    client.destroy();
  }
}

/** Batches records into PutRecords calls; `add` sends a batch when the next record would not fit. */
export class RecordWriter {
  written = 0;
  private batch: PutRecordsRequestEntry[] = [];
  private batchBytes = 0;

  constructor(
    private readonly client: KinesisClient,
    private readonly stream: string,
    private readonly opts: PutJsonRecordsOptions = {},
  ) {}

  /** Queues a record (`what` names it in errors: `line 7`, `row 3`). */
  async add(record: RawRecord, what: string): Promise<void> {
    const key = record.partitionKey;
    if (key.length === 0 || key.length > PARTITION_KEY_MAX_CHARS) {
      throw new Error(`${what}: partition key must be 1-${PARTITION_KEY_MAX_CHARS} characters (got ${key.length})`);
    }
    const size = record.data.byteLength + Buffer.byteLength(key, 'utf8');
    if (size > RECORD_MAX_BYTES) throw new Error(`${what}: record is ${size} bytes; Kinesis accepts at most ${RECORD_MAX_BYTES} (data + partition key)`);
    if (this.batch.length >= PUT_RECORDS_MAX_COUNT || this.batchBytes + size > PUT_RECORDS_MAX_BYTES) await this.flush();
    this.batch.push({ Data: record.data, PartitionKey: key });
    this.batchBytes += size;
  }

  /** Sends whatever is queued. */
  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    await this.send(batch);
    this.written += batch.length;
  }

  private async send(entries: PutRecordsRequestEntry[]): Promise<void> {
    const maxAttempts = this.opts.maxAttempts ?? 8;
    const base = this.opts.baseDelayMs ?? 100;
    let pending = entries;
    let lastProblem = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * Math.min(5_000, base * 2 ** (attempt - 2)));
      try {
        const out = await this.client.send(new PutRecordsCommand({ StreamName: this.stream, Records: pending }));
        if (!out.FailedRecordCount) return;
        const results = out.Records ?? [];
        const failed = pending.filter((_, i) => results[i]?.ErrorCode !== undefined || results[i]?.SequenceNumber === undefined);
        const first = results.find((r) => r.ErrorCode !== undefined);
        lastProblem = first ? `${first.ErrorCode}: ${first.ErrorMessage ?? ''}` : 'records without a sequence number';
        pending = failed;
        if (pending.length === 0) return;
      } catch (err) {
        const streamError = toStreamError(err, 'PutRecords', this.stream);
        if (streamError instanceof PermanentStreamError) throw streamError;
        lastProblem = streamError.message;
      }
    }
    throw new ShardtableError('PRODUCE_FAILED', { failed: pending.length, total: entries.length, stream: this.stream, attempts: maxAttempts, detail: lastProblem });
  }
}

export interface ProduceOptions {
  readonly stream: string;
  /** A JSON-lines file; stdin (or `input`) when absent. */
  readonly file?: string;
  /** Use this field of each record as its partition key; default a random key per record. */
  readonly partitionKey?: string;
  readonly endpoint?: string;
  readonly region?: string;
  /** Read from this stream instead of stdin (tests). */
  readonly input?: Readable;
  /** Use this client instead of building one from endpoint/region and the SDK chains. */
  readonly client?: KinesisClient;
  /** Called after each line is handed to the writer, with the input bytes read so far (a progress bar). */
  readonly onProgress?: (bytesRead: number) => void;
}

/**
 * `shardtable produce`: writes JSON lines (one object per line) into a stream. Blank lines are
 * skipped. Each line is sent byte for byte as written (not re-serialised, so 64-bit integers keep
 * every digit). A line that is not a JSON object — or lacks the `partitionKey` field — stops the run with `PRODUCE_INPUT`
 * naming its line number, after every line before it has been written.
 *
 * @example
 *   const { records } = await runProduce({ stream: 'events', file: 'events.jsonl', partitionKey: 'userId' });
 */
export async function runProduce(opts: ProduceOptions): Promise<{ records: number }> {
  const source = opts.file ?? 'stdin';
  const client = opts.client ?? createKinesisClient(parseKinesisConfig({
    streamType: 'kinesis',
    topicName: opts.stream,
    properties: {
      'stream.kinesis.topic.name': opts.stream,
      ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
      ...(opts.region !== undefined ? { region: opts.region } : {}),
    },
    flush: { rows: 0, timeMs: 0, segmentSizeBytes: 0 },
    decoderName: 'json',
  }));
  const input = opts.input ?? (opts.file !== undefined ? createReadStream(opts.file) : process.stdin);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const writer = new RecordWriter(client, opts.stream);
  let lineNumber = 0;
  let bytesRead = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      bytesRead += Buffer.byteLength(line) + 1;
      const text = line.trim();
      if (text === '') continue;
      const partitionKey = partitionKeyOf(text, opts.partitionKey);
      if (typeof partitionKey !== 'string') {
        await writer.flush();
        throw new ShardtableError('PRODUCE_INPUT', { line: lineNumber, source, detail: partitionKey.error, written: writer.written });
      }
      await writer.add({ data: encoder.encode(text), partitionKey }, `line ${lineNumber} of ${source}`);
      opts.onProgress?.(bytesRead);
    }
    await writer.flush();
    return { records: writer.written };
  } finally {
    lines.close();
    if (opts.client === undefined) client.destroy();
  }
}

/** The line's partition key, or why there is none (the line is not JSON, or lacks the field). */
function partitionKeyOf(text: string, field: string | undefined): string | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `not valid JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object (a record is one object per line)' };
  if (field === undefined) return randomUUID();
  const key = (value as Record<string, unknown>)[field];
  if (key === undefined || key === null || key === '') return { error: `field ${JSON.stringify(field)} (the partition key) is missing or empty` };
  const keyText = typeof key === 'string' ? key : JSON.stringify(key);
  return keyText.length > PARTITION_KEY_MAX_CHARS ? keyText.slice(0, PARTITION_KEY_MAX_CHARS) : keyText;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
