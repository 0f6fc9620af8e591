import type { StreamOffset, StreamOffsetFactory } from '../../../spi/offset.js';
import type { Item } from './dynamodb-attributes.js';

/**
 * Offsets of a DynamoDB-fed table. Two kinds, never compared with each other (each partition has
 * one kind):
 * - a stream record's `SequenceNumber` (decimal text, compared as BigInt), persisted as the digits;
 * - a scan position: the item's ordinal in its scan segment (1-based) and its key, the scan's
 *   resume point (`ExclusiveStartKey`), with the segment's load counters up to this item (bytes
 *   read, capacity units charged), persisted as `scan:<ordinal>,<bytes>,<units>:<key as DynamoDB
 *   JSON>` with binary key values in base64. Because the counters travel with the checkpoint, a
 *   restart continues them from what was sealed (`dynamodb-load-progress.ts`). The older form
 *   `scan:<ordinal>:<key>` (no counters: read as 0) still parses. The forms never change
 *   (round-trip test);
 * - an export position: the item's ordinal in its snapshot partition, the partition's bytes up to
 *   it, and where it is: the partition's data file number and the lines of it read, persisted as
 *   `export:<ordinal>,<bytes>:<file>,<line>`.
 */
export type DynamoDbOffset = SequenceOffset | ScanOffset | ExportOffset;

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
    /** Bytes of the segment's items up to and including this one (DynamoDB's item size). */
    readonly bytes = 0,
    /** Capacity units charged for the segment's pages up to and including this item's page. */
    readonly units = 0,
  ) {}

  compareTo(other: StreamOffset): number {
    if (!(other instanceof ScanOffset)) throw new Error(`cannot compare scan position ${this.toString()} with ${other.toString()}`);
    return this.ordinal - other.ordinal;
  }

  toString(): string {
    const counters = this.bytes === 0 && this.units === 0 ? '' : `,${this.bytes},${this.units}`;
    return `scan:${this.ordinal}${counters}:${JSON.stringify(this.key, (_k, v: unknown) => (v instanceof Uint8Array ? { $b64: Buffer.from(v).toString('base64') } : v))}`;
  }
}

export class ExportOffset implements StreamOffset {
  readonly kind = 'export';
  /** Exports cost no read capacity. */
  readonly units = 0;

  constructor(
    readonly ordinal: number,
    readonly bytes: number,
    /** The data file (index in this partition's share of the export's files) ... */
    readonly file: number,
    /** ... and how many of its lines are read, this item's included. */
    readonly line: number,
  ) {}

  compareTo(other: StreamOffset): number {
    if (!(other instanceof ExportOffset)) throw new Error(`cannot compare export position ${this.toString()} with ${other.toString()}`);
    return this.ordinal - other.ordinal;
  }

  toString(): string {
    return `export:${this.ordinal},${this.bytes}:${this.file},${this.line}`;
  }
}

export const dynamoDbOffsetFactory: StreamOffsetFactory = {
  parse(text: string): DynamoDbOffset {
    if (text.startsWith('export:')) {
      const m = /^export:(\d{1,15}),(\d{1,15}):(\d{1,9}),(\d{1,15})$/.exec(text);
      if (m === null || Number(m[1]) < 1) throw new Error(`not an export position: ${JSON.stringify(text)}`);
      return new ExportOffset(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
    }
    if (!text.startsWith('scan:')) return new SequenceOffset(text);
    const colon = text.indexOf(':', 5);
    const [ordinal, bytes = 0, units = 0, ...extra] = text.slice(5, colon).split(',').map(Number);
    const counts = [ordinal, bytes, units];
    if (colon < 0 || extra.length > 0 || !counts.every((n) => Number.isSafeInteger(n) && n! >= 0) || ordinal! < 1) throw new Error(`not a scan position: ${JSON.stringify(text)}`);
    let key: Item;
    try {
      key = JSON.parse(text.slice(colon + 1), (_k, v: unknown) =>
        v !== null && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string' ? new Uint8Array(Buffer.from((v as { $b64: string }).$b64, 'base64')) : v,
      ) as Item;
    } catch {
      throw new Error(`not a scan position (bad key): ${JSON.stringify(text)}`);
    }
    return new ScanOffset(ordinal!, key, bytes, units);
  },
};
