import type { _Record } from '@aws-sdk/client-kinesis';
import type { StreamMessage } from '../../../spi/message-batch.js';
import { deaggregate } from './kinesis-deaggregate.js';
import { KinesisOffset } from './kinesis-offset.js';

/**
 * One message per record, or — for a KPL aggregated record (magic, valid MD5 and protobuf) — one
 * per user record, each with its own partition key and offset `<seq>:<i>`. An aggregate that fails
 * its checksum or decode passes through whole, as the KCL does.
 */
export function toMessages(record: _Record): StreamMessage[] {
  const value = record.Data ?? new Uint8Array(0);
  const users = deaggregate(value);
  if (users === null) return [toMessage(record)];
  const arrivalTimeMs = record.ApproximateArrivalTimestamp?.getTime() ?? 0;
  return users.map((user, i) => Object.freeze({
    key: user.partitionKey,
    value: user.data,
    offset: new KinesisOffset(record.SequenceNumber!, i),
    arrivalTimeMs,
    serializedSize: user.data.byteLength,
  }));
}

/**
 * The messages of `records` after `position` (all of them when it is null), in order. Dropping
 * by offset also drops the sub-records ≤ i of an aggregated record resumed AT its sequence number.
 */
export function messagesAfter(records: readonly _Record[], position: KinesisOffset | null): StreamMessage[] {
  const messages: StreamMessage[] = [];
  for (const record of records) {
    for (const message of toMessages(record)) {
      if (position !== null && message.offset.compareTo(position) <= 0) continue;
      messages.push(message);
    }
  }
  return messages;
}

function toMessage(record: _Record): StreamMessage {
  const value = record.Data ?? new Uint8Array(0);
  return Object.freeze({
    key: record.PartitionKey ?? '',
    value,
    offset: new KinesisOffset(record.SequenceNumber!),
    arrivalTimeMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
    serializedSize: value.byteLength,
  });
}

