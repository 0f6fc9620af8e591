import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deaggregate, hasKplMagic } from '../../../../../src/plugins/stream/kinesis/kinesis-deaggregate.js';
import { encodeKplAggregate } from '../../../../helpers/kpl.js';

const text = (data: Uint8Array): string => Buffer.from(data).toString('utf8');

/** magic ‖ body ‖ md5(body), with a valid checksum over whatever body is given. */
function framed(body: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body, createHash('md5').update(body).digest()]));
}

describe('deaggregate (KPL aggregated records)', () => {
  it('returns every user record in order with its own partition key and explicit hash key', () => {
    const data = encodeKplAggregate([
      { partitionKey: 'alpha', data: '{"id":1}' },
      { partitionKey: 'beta', data: '{"id":2}', explicitHashKey: '170141183460469231731687303715884105728' },
      { partitionKey: 'alpha', data: new Uint8Array([0, 255, 7]) },
    ]);
    expect(hasKplMagic(data)).toBe(true);
    const users = deaggregate(data)!;
    expect(users.map((u) => u.partitionKey)).toEqual(['alpha', 'beta', 'alpha']);
    expect(users.map((u) => u.explicitHashKey)).toEqual([undefined, '170141183460469231731687303715884105728', undefined]);
    expect(text(users[0]!.data)).toBe('{"id":1}');
    expect(text(users[1]!.data)).toBe('{"id":2}');
    expect([...users[2]!.data]).toEqual([0, 255, 7]);
  });

  it('decodes a record with an empty payload and many records', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ partitionKey: `k${i % 17}`, data: i === 0 ? '' : JSON.stringify({ id: i }) }));
    const users = deaggregate(encodeKplAggregate(many))!;
    expect(users).toHaveLength(300);
    expect(users[0]!.data.byteLength).toBe(0);
    expect(users.slice(1).map((u) => (JSON.parse(text(u.data)) as { id: number }).id)).toEqual(many.slice(1).map((_, i) => i + 1));
    expect(users[299]!.partitionKey).toBe(`k${299 % 17}`);
  });

  it('passes through (null) plain records, a bad MD5, a bad protobuf, an index outside its table, and no records', () => {
    expect(deaggregate(new TextEncoder().encode('{"id":1}'))).toBeNull();
    expect(deaggregate(new Uint8Array([0xf3, 0x89, 0x9a, 0xc2]))).toBeNull();
    expect(deaggregate(encodeKplAggregate([{ partitionKey: 'a', data: 'x' }], { corruptMd5: true }))).toBeNull();
    // Valid checksum over bytes that are not an AggregatedRecord (truncated length-delimited field).
    expect(deaggregate(framed(new Uint8Array([0x0a, 0x50, 0x41])))).toBeNull();
    // A record whose partition_key_index (5) is past the one-entry table.
    const record = Buffer.from([0x08, 0x05, 0x1a, 0x01, 0x78]);
    expect(deaggregate(framed(new Uint8Array(Buffer.concat([Buffer.from([0x0a, 0x01, 0x61, 0x1a, record.length]), record]))))).toBeNull();
    // A record missing its required data field.
    expect(deaggregate(framed(new Uint8Array([0x0a, 0x01, 0x61, 0x1a, 0x02, 0x08, 0x00])))).toBeNull();
    expect(deaggregate(framed(new Uint8Array([0x0a, 0x01, 0x61])))).toBeNull();
  });
});
