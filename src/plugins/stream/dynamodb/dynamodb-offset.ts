import type { StreamOffset, StreamOffsetFactory } from '../../../spi/offset.js';
import type { Item } from './dynamodb-attributes.js';

/**
 * Offsets of a DynamoDB-fed table. Two kinds, never compared with each other (each partition has
 * one kind):
 * - a stream record's `SequenceNumber` (decimal text, compared as BigInt), persisted as the digits;
 * - a scan position: the item's ordinal in its scan segment (1-based) and its key, the scan's
 *   resume point (`ExclusiveStartKey`), persisted as `scan:<ordinal>:<key as DynamoDB JSON>` with
 *   binary key values in base64. The form never changes (round-trip test).
 */
export type DynamoDbOffset = SequenceOffset | ScanOffset;

export class SequenceOffset implements StreamOffset {
  readonly kind = 'sequence';
  private readonly value: bigint;

  constructor(readonly text: string) {
    if (!/^\d{1,128}$/.test(text)) throw new Error(`not a DynamoDB Streams sequence number: ${JSON.stringify(text)}`);
    this.value = BigInt(text);
  }

  compareTo(other: StreamOffset): number {
    if (!(other instanceof SequenceOffset)) throw new Error(`cannot compare sequence number ${this.text} with ${other.toString()}`);
    return this.value < other.value ? -1 : this.value > other.value ? 1 : 0;
  }

  toString(): string {
    return this.text;
  }
}

export class ScanOffset implements StreamOffset {
  readonly kind = 'scan';

  constructor(
    readonly ordinal: number,
    readonly key: Item,
  ) {}

  compareTo(other: StreamOffset): number {
    if (!(other instanceof ScanOffset)) throw new Error(`cannot compare scan position ${this.toString()} with ${other.toString()}`);
    return this.ordinal - other.ordinal;
  }

  toString(): string {
    return `scan:${this.ordinal}:${JSON.stringify(this.key, (_k, v: unknown) => (v instanceof Uint8Array ? { $b64: Buffer.from(v).toString('base64') } : v))}`;
  }
}

export const dynamoDbOffsetFactory: StreamOffsetFactory = {
  parse(text: string): DynamoDbOffset {
    if (!text.startsWith('scan:')) return new SequenceOffset(text);
    const colon = text.indexOf(':', 5);
    const ordinal = Number(text.slice(5, colon));
    if (colon < 0 || !Number.isSafeInteger(ordinal) || ordinal < 1) throw new Error(`not a scan position: ${JSON.stringify(text)}`);
    let key: Item;
    try {
      key = JSON.parse(text.slice(colon + 1), (_k, v: unknown) =>
        v !== null && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string' ? new Uint8Array(Buffer.from((v as { $b64: string }).$b64, 'base64')) : v,
      ) as Item;
    } catch {
      throw new Error(`not a scan position (bad key): ${JSON.stringify(text)}`);
    }
    return new ScanOffset(ordinal, key);
  },
};
