import { Readable } from 'node:stream';
import type { KinesisClient, PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { ShardtableError } from '../../../../../src/errors.js';
import { putJsonRecords, runProduce } from '../../../../../src/plugins/stream/kinesis/kinesis-producer.js';

/** A fake client whose PutRecords fails the records `fail(attempt, data)` says, per attempt. */
function fakeClient(fail: (attempt: number, data: string) => string | undefined): { client: KinesisClient; calls: string[][]; stored: string[] } {
  const calls: string[][] = [];
  const stored: string[] = [];
  const client = {
    send: async (command: { input: PutRecordsCommandInput }) => {
      const datas = command.input.Records!.map((r) => new TextDecoder().decode(r.Data));
      calls.push(datas);
      const results = datas.map((data) => {
        const code = fail(calls.length, data);
        if (code !== undefined) return { ErrorCode: code, ErrorMessage: 'slow down' };
        stored.push(data);
        return { SequenceNumber: String(stored.length), ShardId: 'shardId-000000000000' };
      });
      return { FailedRecordCount: results.filter((r) => 'ErrorCode' in r).length, Records: results };
    },
  } as unknown as KinesisClient;
  return { client, calls, stored };
}

describe('putJsonRecords', () => {
  it('retries only the records that failed', async () => {
    const fake = fakeClient((attempt, data) => (attempt === 1 && (data.includes('"id":1') || data.includes('"id":3')) ? 'ProvisionedThroughputExceededException' : undefined));
    const rows = [0, 1, 2, 3].map((id) => ({ id }));
    expect(await putJsonRecords(fake.client, 's', rows, (r) => String(r.id), { baseDelayMs: 1 })).toEqual({ records: 4 });
    expect(fake.calls).toEqual([['{"id":0}', '{"id":1}', '{"id":2}', '{"id":3}'], ['{"id":1}', '{"id":3}']]);
    expect(fake.stored.sort()).toEqual(['{"id":0}', '{"id":1}', '{"id":2}', '{"id":3}']);
  });

  it('gives up after maxAttempts with PRODUCE_FAILED naming the stream and the error', async () => {
    const fake = fakeClient((_, data) => (data.includes('"id":1') ? 'InternalFailure' : undefined));
    const run = putJsonRecords(fake.client, 'events', [{ id: 0 }, { id: 1 }], undefined, { maxAttempts: 3, baseDelayMs: 1 });
    await expect(run).rejects.toBeInstanceOf(ShardtableError);
    await expect(run).rejects.toThrow('1 of 2 records could not be written to stream events after 3 attempts: InternalFailure: slow down');
    expect(fake.calls.length).toBe(3);
  });

  it('splits batches so no PutRecords call carries more than 5 MiB', async () => {
    const fake = fakeClient(() => undefined);
    const blob = 'x'.repeat(200 * 1024);
    const rows = Array.from({ length: 30 }, (_, id) => ({ id, blob })); // ~6 MB in total
    expect(await putJsonRecords(fake.client, 's', rows)).toEqual({ records: 30 });
    expect(fake.calls.length).toBe(2);
    for (const call of fake.calls) expect(call.reduce((n, d) => n + d.length + 36, 0)).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(fake.stored.length).toBe(30);
  });

  it('rejects a record over 1 MiB, naming it', async () => {
    const fake = fakeClient(() => undefined);
    await expect(putJsonRecords(fake.client, 's', [{ a: 1 }, { blob: 'x'.repeat(1024 * 1024) }])).rejects.toThrow(/row 1: record is \d+ bytes/);
  });
});

describe('runProduce', () => {
  it('names a line that is JSON but not an object', async () => {
    const fake = fakeClient(() => undefined);
    await expect(runProduce({ stream: 's', client: fake.client, input: Readable.from('{"a":1}\n[1,2]\n'), file: undefined })).rejects.toThrow(
      'line 2 of stdin: not a JSON object (a record is one object per line) (1 records before it were written)',
    );
  });

  it('names a line whose partition key field is missing', async () => {
    const fake = fakeClient(() => undefined);
    const input = Readable.from('{"user":"a"}\n{"other":1}\n');
    await expect(runProduce({ stream: 's', client: fake.client, input, partitionKey: 'user', file: undefined })).rejects.toThrow(
      'line 2 of stdin: field "user" (the partition key) is missing or empty (1 records before it were written)',
    );
    expect(fake.stored).toEqual(['{"user":"a"}']);
  });
});
