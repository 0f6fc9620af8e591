import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue } from './dynamodb-attributes.js';

/** A DynamoDB Streams shard as DescribeStream lists it. */
export interface StreamShard {
  readonly ShardId?: string | undefined;
  readonly ParentShardId?: string | undefined;
  readonly SequenceNumberRange?: { readonly StartingSequenceNumber?: string | undefined; readonly EndingSequenceNumber?: string | undefined } | undefined;
}

/** A DynamoDB Streams record (the fields the plugin reads). */
export interface StreamRecord {
  readonly eventName?: string | undefined;
  readonly dynamodb?: {
    readonly Keys?: Record<string, AttributeValue> | undefined;
    readonly NewImage?: Record<string, AttributeValue> | undefined;
    readonly SequenceNumber?: string | undefined;
    readonly ApproximateCreationDateTime?: Date | undefined;
  } | undefined;
}

/**
 * The three DynamoDB Streams calls the plugin makes, as a seam inside the plugin so tests can put
 * an in-process double of the Streams API behind it (shard rotation, trimming, iterator expiry,
 * which moto does not show). Production uses {@link sdkStreamsApi}.
 */
export interface DynamoDbStreamsApi {
  describeStream(input: { StreamArn: string; ExclusiveStartShardId?: string }, signal?: AbortSignal): Promise<{ shards: StreamShard[]; lastEvaluatedShardId: string | undefined }>;
  getShardIterator(
    input: { StreamArn: string; ShardId: string; ShardIteratorType: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER' | 'AT_SEQUENCE_NUMBER'; SequenceNumber?: string },
    signal?: AbortSignal,
  ): Promise<string | undefined>;
  getRecords(input: { ShardIterator: string; Limit: number }, signal?: AbortSignal): Promise<{ records: StreamRecord[]; nextShardIterator: string | undefined }>;
}

export function sdkStreamsApi(client: DynamoDBStreamsClient): DynamoDbStreamsApi {
  const opts = (signal?: AbortSignal) => (signal ? { abortSignal: signal } : {});
  return {
    async describeStream(input, signal) {
      const out = await client.send(new DescribeStreamCommand({ ...input, Limit: 100 }), opts(signal));
      return { shards: out.StreamDescription?.Shards ?? [], lastEvaluatedShardId: out.StreamDescription?.LastEvaluatedShardId };
    },
    async getShardIterator(input, signal) {
      return (await client.send(new GetShardIteratorCommand(input), opts(signal))).ShardIterator;
    },
    async getRecords(input, signal) {
      const out = await client.send(new GetRecordsCommand(input), opts(signal));
      return { records: (out.Records ?? []) as StreamRecord[], nextShardIterator: out.NextShardIterator };
    },
  };
}

/**
 * Runs `work` with a signal that aborts at `timeoutMs`, settling by then whatever `work` does;
 * past the deadline it rejects with `onTimeout()`.
 */
export function withDeadline<T>(timeoutMs: number, onTimeout: () => Error, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = onTimeout();
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    work(controller.signal).then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
