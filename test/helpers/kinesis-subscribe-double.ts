/**
 * TEST ONLY. An in-process double of Kinesis `SubscribeToShard` over cleartext HTTP/2 (node:http2),
 * pushing AWS event-stream frames (`@smithy/core/event-streams`' codec, the one the SDK decodes
 * with). No emulator here serves SubscribeToShard over HTTP/2 (kinesis-local serves it over
 * HTTP/1.1 only; kinesalite not at all: docs/decisions.md), so this double exercises the SDK's
 * HTTP/2 handler and event-stream decoding the EFO reader uses against AWS. It is a double: it
 * serves only SubscribeToShard, for one consumer, from records put into it.
 */
import { createServer } from 'node:http2';
import type { Http2Server, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';

export interface DoubleRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
}

export interface SubscribeCall {
  readonly shardId: string;
  readonly startingPosition: { Type: string; SequenceNumber?: string };
}

/** A shard of the double: its records, and whether it is closed (then the last event carries ChildShards). */
interface DoubleShard {
  records: DoubleRecord[];
  closed: boolean;
}

export interface SubscribeDouble {
  /** `http://127.0.0.1:<port>` (cleartext HTTP/2: use an HTTP/2 client). */
  readonly endpoint: string;
  /** Every SubscribeToShard call, in order. */
  readonly calls: readonly SubscribeCall[];
  put(shardId: string, records: readonly { partitionKey: string; data: string }[]): void;
  /** Closes a shard: once its records are sent, the subscription's last event carries ChildShards. */
  closeShard(shardId: string, childShardId: string): void;
  /** Ends every open subscription as Kinesis does after 5 minutes (the event stream just ends). */
  expireSubscriptions(): void;
  stop(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** Sequence numbers are 56 digits, as Kinesis prints them. */
const sequence = (n: number): string => `4968${String(n).padStart(52, '0')}`;

/** Starts the double on a free loopback port. */
export async function startSubscribeDouble(): Promise<SubscribeDouble> {
  const shards = new Map<string, DoubleShard>();
  const children = new Map<string, string>();
  const calls: SubscribeCall[] = [];
  const open = new Set<{ stream: ServerHttp2Stream; wake: () => void }>();
  let next = 1;
  const shard = (id: string): DoubleShard => {
    let s = shards.get(id);
    if (s === undefined) shards.set(id, (s = { records: [], closed: false }));
    return s;
  };

  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => {
    let body = '';
    stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    stream.on('end', () => {
      if (headers['x-amz-target'] !== 'Kinesis_20131202.SubscribeToShard') {
        stream.respond({ ':status': 400, 'content-type': 'application/x-amz-json-1.1' });
        stream.end(JSON.stringify({ __type: 'UnknownOperationException', message: `the double serves only SubscribeToShard, not ${String(headers['x-amz-target'])}` }));
        return;
      }
      const input = JSON.parse(body) as { ShardId: string; StartingPosition: { Type: string; SequenceNumber?: string } };
      calls.push({ shardId: input.ShardId, startingPosition: input.StartingPosition });
      stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
      const s = shard(input.ShardId);
      const after = input.StartingPosition.SequenceNumber;
      let index = input.StartingPosition.Type === 'AFTER_SEQUENCE_NUMBER' ? s.records.findIndex((r) => BigInt(r.sequenceNumber) > BigInt(after!))
        : input.StartingPosition.Type === 'AT_SEQUENCE_NUMBER' ? s.records.findIndex((r) => BigInt(r.sequenceNumber) >= BigInt(after!))
        : input.StartingPosition.Type === 'LATEST' ? s.records.length : 0;
      if (index < 0) index = s.records.length;
      let continuation = after ?? (index > 0 ? s.records[index - 1]!.sequenceNumber : sequence(0));
      const entry = {
        stream,
        wake: (): void => {
          if (stream.closed) return;
          const batch = s.records.slice(index);
          index = s.records.length;
          if (batch.length > 0) continuation = batch[batch.length - 1]!.sequenceNumber;
          const ended = s.closed;
          const event = {
            Records: batch.map((r) => ({ SequenceNumber: r.sequenceNumber, PartitionKey: r.partitionKey, Data: Buffer.from(r.data).toString('base64'), ApproximateArrivalTimestamp: 1 })),
            ContinuationSequenceNumber: ended ? null : continuation,
            MillisBehindLatest: 0,
            ...(ended ? { ChildShards: [{ ShardId: children.get(input.ShardId), ParentShards: [input.ShardId], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' } }] } : {}),
          };
          stream.write(frame('SubscribeToShardEvent', event));
          if (ended) {
            open.delete(entry);
            stream.end();
          }
        },
      };
      stream.write(frame('initial-response', {}));
      open.add(entry);
      stream.on('close', () => open.delete(entry));
      entry.wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    put(shardId, records) {
      const s = shard(shardId);
      for (const r of records) s.records.push({ ...r, sequenceNumber: sequence(next++) });
      for (const entry of open) entry.wake();
    },
    closeShard(shardId, childShardId) {
      shard(shardId).closed = true;
      children.set(shardId, childShardId);
      for (const entry of open) entry.wake();
    },
    expireSubscriptions() {
      for (const entry of open) entry.stream.end();
      open.clear();
    },
    async stop() {
      for (const entry of open) entry.stream.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function frame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}
