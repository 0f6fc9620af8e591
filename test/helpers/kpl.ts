import { createHash } from 'node:crypto';

/** One user record for {@link encodeKplAggregate}. */
export interface KplUserRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array | string;
  readonly explicitHashKey?: string;
}

/**
 * Builds a KPL aggregated record the way the Kinesis Producer Library does:
 * `0xF3 0x89 0x9A 0xC2 ‖ AggregatedRecord protobuf ‖ md5(protobuf)`. The protobuf is written by
 * hand here (not with the decoder's schema), so the tests check the decoder against the format,
 * not against itself. Partition keys and explicit hash keys are de-duplicated into their tables.
 *
 * @example
 *   const data = encodeKplAggregate([{ partitionKey: 'a', data: '{"id":1}' }, { partitionKey: 'b', data: '{"id":2}' }]);
 */
export function encodeKplAggregate(records: readonly KplUserRecord[], opts: { corruptMd5?: boolean } = {}): Uint8Array {
  const keys: string[] = [];
  const hashKeys: string[] = [];
  const index = (table: string[], value: string): number => {
    const at = table.indexOf(value);
    if (at >= 0) return at;
    table.push(value);
    return table.length - 1;
  };
  const recordBodies = records.map((r) => {
    const parts = [field(1, varint(index(keys, r.partitionKey)), 0)];
    if (r.explicitHashKey !== undefined) parts.push(field(2, varint(index(hashKeys, r.explicitHashKey)), 0));
    parts.push(field(3, typeof r.data === 'string' ? Buffer.from(r.data) : Buffer.from(r.data), 2));
    return Buffer.concat(parts);
  });
  const body = Buffer.concat([
    ...keys.map((k) => field(1, Buffer.from(k), 2)),
    ...hashKeys.map((k) => field(2, Buffer.from(k), 2)),
    ...recordBodies.map((r) => field(3, r, 2)),
  ]);
  const md5 = createHash('md5').update(body).digest();
  if (opts.corruptMd5) md5[0] ^= 0xff;
  return new Uint8Array(Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body, md5]));
}

/** A protobuf field: wire type 0 (varint, `payload` already encoded) or 2 (length-delimited). */
function field(number: number, payload: Buffer, wireType: 0 | 2): Buffer {
  const tag = varint(number * 8 + wireType);
  return wireType === 0 ? Buffer.concat([tag, payload]) : Buffer.concat([tag, varint(payload.length), payload]);
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
