import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import { METADATA_POPULATE_KEY, withMetadataColumns } from '../../../../../src/plugins/decoder/metadata-columns.js';
import { createDecoder } from '../../../../../src/plugins/decoder/registry.js';
import { KinesisOffset } from '../../../../../src/plugins/stream/kinesis/index.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../../helpers/decoder-settings.js';

const SEQ = '49590338271490256608559692538361571095921575989136588898';

function message(value: string, key = 'user-7'): StreamMessage {
  const bytes = new TextEncoder().encode(value);
  return { key, value: bytes, offset: new KinesisOffset(SEQ), arrivalTimeMs: 1_700_000_000_456, serializedSize: bytes.length };
}

const schema = buildTableSchema({
  schemaName: 'm',
  dimensionFieldSpecs: [
    { name: 'body', dataType: 'STRING' },
    { name: '__key', dataType: 'STRING' },
    { name: '__metadata$sequenceNumber', dataType: 'STRING' },
    { name: '__metadata$recordSerializedValueSize', dataType: 'INT' },
    { name: '__metadata$shardId', dataType: 'STRING' },
  ],
  dateTimeFieldSpecs: [{ name: '__metadata$apprxArrivalTimestamp', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
});
const on = kinesisSettings({ [`stream.kinesis.${METADATA_POPULATE_KEY}`]: 'true' });
const shard = { shardId: 'shardId-000000000003' };

describe('record metadata columns', () => {
  it('fills __key, sequence number, size, shard id and arrival time for the JSON decoder', () => {
    const decoder = createDecoder('json', schema, on, shard);
    expect(decoder.decode(message('{"body":"hi","__key":"from-record"}'))).toEqual({
      ok: true,
      row: ['hi', 'user-7', SEQ, 35, 'shardId-000000000003', 1_700_000_000_456n],
    });
  });

  it('fills them for every decoder: raw (first non-metadata column), CSV (header skips metadata columns)', () => {
    expect(createDecoder('raw', schema, on, shard).decode(message('payload'))).toEqual({
      ok: true,
      row: ['payload', 'user-7', SEQ, 7, 'shardId-000000000003', 1_700_000_000_456n],
    });
    expect(createDecoder('csv', schema, on, shard).decode(message('"a,b"'))).toEqual({
      ok: true,
      row: ['a,b', 'user-7', SEQ, 5, 'shardId-000000000003', 1_700_000_000_456n],
    });
  });

  it('a LONG arrival time and LONG size work too; sub-sequence offsets print as seq:sub', () => {
    const s = buildTableSchema({
      schemaName: 'l',
      dimensionFieldSpecs: [{ name: 'body', dataType: 'STRING' }, { name: '__metadata$recordSerializedValueSize', dataType: 'LONG' }, { name: '__metadata$sequenceNumber', dataType: 'STRING' }],
      metricFieldSpecs: [],
      dateTimeFieldSpecs: [{ name: '__metadata$apprxArrivalTimestamp', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
    });
    const m = { ...message('x'), offset: new KinesisOffset(SEQ, 2) };
    expect(createDecoder('raw', s, on).decode(m)).toEqual({ ok: true, row: ['x', 1n, `${SEQ}:2`, 1_700_000_000_456n] });
  });

  it('leaves the columns to the record when populate is off', () => {
    const decoder = createDecoder('json', schema, kinesisSettings(), shard);
    expect(decoder.decode(message('{"body":"hi","__key":"from-record"}'))).toEqual({ ok: true, row: ['hi', 'from-record', null, null, null, null] });
  });

  it('passes decode errors through unchanged', () => {
    expect(createDecoder('json', schema, on, shard).decode(message('{nope'))).toMatchObject({ ok: false });
  });

  it('shard id is null when the decoder is built without one (config validation)', () => {
    const result = createDecoder('json', schema, on).decode(message('{}'));
    expect(result.ok && result.row[4]).toBeNull();
  });

  it('refuses a metadata column of a type that cannot hold it, naming the key', () => {
    const bad = buildTableSchema({ schemaName: 'b', dimensionFieldSpecs: [{ name: 'x', dataType: 'STRING' }, { name: '__metadata$apprxArrivalTimestamp', dataType: 'BOOLEAN' }] });
    expect(() => createDecoder('json', bad, on)).toThrow(
      /stream\.kinesis\.metadata\.populate: schema column __metadata\$apprxArrivalTimestamp is BOOLEAN; it must be a single-value LONG or TIMESTAMP/,
    );
  });

  it('returns the decoder itself when the schema declares no metadata column', () => {
    const plain = buildTableSchema({ schemaName: 'p', dimensionFieldSpecs: [{ name: 'x', dataType: 'STRING' }] });
    const inner = createDecoder('json', plain, kinesisSettings());
    expect(withMetadataColumns(inner, plain, on)).toBe(inner);
  });
});
