import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';

/** First four bytes of a KPL aggregated record. */
export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const MD5_LENGTH = 16;

/** One user record inside a KPL aggregated record. */
export interface UserRecord {
  readonly partitionKey: string;
  /** The explicit hash key, when the producer set one. */
  readonly explicitHashKey: string | undefined;
  readonly data: Uint8Array;
}

/**
 * The KPL aggregation format (amazon-kinesis-producer `aws/kinesis/protobuf/messages.proto`),
 * built through protobufjs's reflection API so no `.proto` file or generated code is needed:
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1;
 *                              repeated string explicit_hash_key_table = 2;
 *                              repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *                    required bytes data = 3; repeated Tag tags = 4; }
 *   message Tag { required string key = 1; optional string value = 2; }
 */
const { Type, Field, Root } = protobuf;
const root = new Root().define('kpl')
  .add(new Type('Tag')
    .add(new Field('key', 1, 'string', 'required'))
    .add(new Field('value', 2, 'string', 'optional')))
  .add(new Type('Record')
    .add(new Field('partitionKeyIndex', 1, 'uint64', 'required'))
    .add(new Field('explicitHashKeyIndex', 2, 'uint64', 'optional'))
    .add(new Field('data', 3, 'bytes', 'required'))
    .add(new Field('tags', 4, 'Tag', 'repeated')))
  .add(new Type('AggregatedRecord')
    .add(new Field('partitionKeyTable', 1, 'string', 'repeated'))
    .add(new Field('explicitHashKeyTable', 2, 'string', 'repeated'))
    .add(new Field('records', 3, 'Record', 'repeated')));
const AggregatedRecord = root.lookupType('kpl.AggregatedRecord');

interface DecodedAggregate {
  partitionKeyTable: string[];
  explicitHashKeyTable: string[];
  records: { partitionKeyIndex?: number; explicitHashKeyIndex?: number | null; data?: Uint8Array }[];
}

/** True when `data` starts with the KPL magic (it may still fail the checksum or the decode). */
export function hasKplMagic(data: Uint8Array): boolean {
  return data.byteLength >= KPL_MAGIC.length + MD5_LENGTH
    && data[0] === KPL_MAGIC[0] && data[1] === KPL_MAGIC[1] && data[2] === KPL_MAGIC[2] && data[3] === KPL_MAGIC[3];
}

/**
 * De-aggregates a KPL aggregated record: `magic ‖ protobuf AggregatedRecord ‖ md5(protobuf)`.
 * Returns the user records in order, or `null` when `data` is not a valid aggregate — no magic, a
 * checksum mismatch, a protobuf that does not decode, an index outside its table, or no records.
 * A `null` record is then passed on as one ordinary record, as the KCL does. Never throws.
 *
 * @example
 *   const users = deaggregate(record.Data) ?? [{ partitionKey: record.PartitionKey, data: record.Data }];
 */
export function deaggregate(data: Uint8Array): UserRecord[] | null {
  if (!hasKplMagic(data)) return null;
  const body = data.subarray(KPL_MAGIC.length, data.byteLength - MD5_LENGTH);
  const digest = createHash('md5').update(body).digest();
  const expected = data.subarray(data.byteLength - MD5_LENGTH);
  if (!digest.equals(expected)) return null;
  let decoded: DecodedAggregate;
  try {
    decoded = AggregatedRecord.toObject(AggregatedRecord.decode(body), { longs: Number, arrays: true }) as DecodedAggregate;
  } catch {
    return null;
  }
  if (decoded.records.length === 0) return null;
  const out: UserRecord[] = [];
  for (const record of decoded.records) {
    // protobufjs does not enforce proto2 `required` here; a record without data is not valid.
    if (!(record.data instanceof Uint8Array)) return null;
    const partitionKey = decoded.partitionKeyTable[Number(record.partitionKeyIndex)];
    if (partitionKey === undefined) return null;
    let explicitHashKey: string | undefined;
    if (record.explicitHashKeyIndex !== undefined && record.explicitHashKeyIndex !== null) {
      explicitHashKey = decoded.explicitHashKeyTable[Number(record.explicitHashKeyIndex)];
      if (explicitHashKey === undefined) return null;
    }
    out.push({ partitionKey, explicitHashKey, data: record.data });
  }
  return out;
}
