import type { DynamoDbStreamsApi, StreamRecord, StreamShard } from '../../src/plugins/stream/dynamodb/index.js';
import type { Item } from '../../src/plugins/stream/dynamodb/dynamodb-attributes.js';

interface DoubleShard {
  readonly id: string;
  readonly parent: string | undefined;
  /** Records still in the stream (trimmed ones removed from the front). */
  records: { seq: bigint; record: StreamRecord }[];
  /** Every sequence number ever written, to tell a trimmed position from an unknown one. */
  firstSeq: bigint;
  closed: boolean;
}

/**
 * TEST ONLY. An in-process double of the DynamoDB Streams API (DescribeStream, GetShardIterator,
 * GetRecords) for what moto cannot show: shard rotation with parent shards, trimming past
 * retention (`TrimmedDataAccessException`) and expired iterators (`ExpiredIteratorException`).
 * Items are written with {@link put} / {@link remove}; each goes to the open shard (one open
 * shard at a time, as a small DynamoDB table has). Sequence numbers grow across shards.
 */
export class DynamoDbStreamsDouble implements DynamoDbStreamsApi {
  private shards: DoubleShard[] = [];
  private seq = 100_000_000_000_000_000_000n;
  private iterators = new Map<string, { shard: string; next: bigint; expired: boolean }>();
  private iteratorCount = 0;
  /** Calls made, by name, for assertions. */
  readonly calls = { describeStream: 0, getShardIterator: 0, getRecords: 0 };

  constructor() {
    this.openShard(undefined);
  }

  private openShard(parent: string | undefined): DoubleShard {
    const shard: DoubleShard = { id: `shardId-${String(this.shards.length + 1).padStart(20, '0')}-double`, parent, records: [], firstSeq: this.seq + 1n, closed: false };
    this.shards.push(shard);
    return shard;
  }

  private get open(): DoubleShard {
    return this.shards.find((s) => !s.closed)!;
  }

  /** Writes an item (INSERT or MODIFY); returns its sequence number. */
  put(item: Item, eventName: 'INSERT' | 'MODIFY' = 'MODIFY'): string {
    return this.append({ eventName, dynamodb: { Keys: { pk: item.pk! }, NewImage: item as never } });
  }

  remove(pk: string): string {
    return this.append({ eventName: 'REMOVE', dynamodb: { Keys: { pk: { S: pk } } } });
  }

  private append(record: StreamRecord): string {
    const seq = ++this.seq;
    const shard = this.open;
    shard.records.push({ seq, record: { ...record, dynamodb: { ...record.dynamodb, SequenceNumber: String(seq), ApproximateCreationDateTime: new Date() } } });
    return String(seq);
  }

  /** Closes the open shard and opens its child, as DynamoDB Streams does every few hours. */
  rotate(): string {
    const old = this.open;
    old.closed = true;
    return this.openShard(old.id).id;
  }

  /** Drops every record with a sequence number up to `seq` (past retention); a fully trimmed closed shard leaves the listing. */
  trimThrough(seq: string): void {
    const limit = BigInt(seq);
    for (const shard of this.shards) shard.records = shard.records.filter((r) => r.seq > limit);
    this.shards = this.shards.filter((s) => !(s.closed && s.records.length === 0 && s.firstSeq <= limit));
  }

  /** Makes every iterator handed out so far expired. */
  expireIterators(): void {
    for (const it of this.iterators.values()) it.expired = true;
  }

  get shardIds(): string[] {
    return this.shards.map((s) => s.id);
  }

  async describeStream(input: { StreamArn: string; ExclusiveStartShardId?: string }): Promise<{ shards: StreamShard[]; lastEvaluatedShardId: string | undefined }> {
    this.calls.describeStream++;
    // One shard per page, so paging is exercised too.
    const start = input.ExclusiveStartShardId === undefined ? 0 : this.shards.findIndex((s) => s.id === input.ExclusiveStartShardId) + 1;
    const shard = this.shards[start];
    if (shard === undefined) return { shards: [], lastEvaluatedShardId: undefined };
    const listed: StreamShard = {
      ShardId: shard.id,
      ParentShardId: shard.parent,
      SequenceNumberRange: { StartingSequenceNumber: String(shard.firstSeq), ...(shard.closed ? { EndingSequenceNumber: String(shard.records.at(-1)?.seq ?? shard.firstSeq) } : {}) },
    };
    return { shards: [listed], lastEvaluatedShardId: start + 1 < this.shards.length ? shard.id : undefined };
  }

  async getShardIterator(input: { StreamArn: string; ShardId: string; ShardIteratorType: string; SequenceNumber?: string }): Promise<string | undefined> {
    this.calls.getShardIterator++;
    const shard = this.shards.find((s) => s.id === input.ShardId);
    if (shard === undefined) throw named('ResourceNotFoundException', `shard ${input.ShardId} not found`);
    const oldest = shard.records[0]?.seq ?? this.seq + 1n;
    let next: bigint;
    if (input.ShardIteratorType === 'TRIM_HORIZON') next = oldest;
    else if (input.ShardIteratorType === 'LATEST') next = this.seq + 1n;
    else {
      const at = BigInt(input.SequenceNumber!);
      next = input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? at + 1n : at;
      if (next < oldest && (shard.records.length > 0 || shard.firstSeq <= at)) {
        throw named('TrimmedDataAccessException', `sequence number ${input.SequenceNumber} is beyond the trim horizon of ${input.ShardId}`);
      }
    }
    const token = `it-${++this.iteratorCount}`;
    this.iterators.set(token, { shard: shard.id, next, expired: false });
    return token;
  }

  async getRecords(input: { ShardIterator: string; Limit: number }): Promise<{ records: StreamRecord[]; nextShardIterator: string | undefined }> {
    this.calls.getRecords++;
    const it = this.iterators.get(input.ShardIterator);
    if (it === undefined) throw named('ValidationException', 'unknown iterator');
    if (it.expired) throw named('ExpiredIteratorException', 'Iterator expired');
    const shard = this.shards.find((s) => s.id === it.shard);
    if (shard === undefined) throw named('ResourceNotFoundException', `shard ${it.shard} not found`);
    const oldest = shard.records[0]?.seq;
    if (oldest !== undefined && it.next < oldest) throw named('TrimmedDataAccessException', 'records were trimmed');
    const page = shard.records.filter((r) => r.seq >= it.next).slice(0, input.Limit);
    const next = page.length > 0 ? page[page.length - 1]!.seq + 1n : it.next;
    const atEnd = shard.closed && !shard.records.some((r) => r.seq >= next);
    const token = `it-${++this.iteratorCount}`;
    if (!atEnd) this.iterators.set(token, { shard: shard.id, next, expired: false });
    return { records: page.map((r) => r.record), nextShardIterator: atEnd ? undefined : token };
  }
}

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
