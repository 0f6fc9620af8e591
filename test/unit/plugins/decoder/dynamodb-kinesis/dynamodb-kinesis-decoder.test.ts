import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import { createDecoder } from '../../../../../src/plugins/decoder/registry.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../../helpers/decoder-settings.js';

const offset = { compareTo: () => 0, toString: () => '1' };

function message(value: unknown): StreamMessage {
  const bytes = new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
  return { key: 'k', value: bytes, offset, arrivalTimeMs: 0, serializedSize: bytes.length };
}

const schema = buildTableSchema({
  schemaName: 'orders',
  dimensionFieldSpecs: [
    { name: '_id', dataType: 'STRING' },
    { name: 'pk', dataType: 'STRING' },
    { name: '_deleted', dataType: 'BOOLEAN' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'blob', dataType: 'BYTES' },
    { name: 'doc', dataType: 'JSON' },
    { name: 'eventName', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'big', dataType: 'LONG' }, { name: 'price', dataType: 'BIG_DECIMAL' }],
  dateTimeFieldSpecs: [{ name: 'ApproximateCreationDateTime', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
});
// Row order: the schema's columns in order.
const COLS = schema.columns.map((c) => c.name);
const row = (values: Record<string, unknown>): unknown[] => COLS.map((c) => (c in values ? values[c] : null));

/** A record as DynamoDB writes it to a Kinesis stream (Kinesis Data Streams for DynamoDB). */
function change(eventName: string, dynamodb: Record<string, unknown>): Record<string, unknown> {
  return { awsRegion: 'us-east-1', eventID: 'e1', eventName, userIdentity: null, recordFormat: 'application/json', tableName: 'Orders', dynamodb: { SizeBytes: 50, ...dynamodb }, eventSource: 'aws:dynamodb' };
}

describe('dynamodb-kinesis decoder', () => {
  const decoder = createDecoder('dynamodb-kinesis', schema, kinesisSettings());

  it('an INSERT or MODIFY is the new image as a row: _id from the key, exact numbers, sets, maps, binary from base64, the creation time and event name', () => {
    const result = decoder.decode(
      message(
        change('MODIFY', {
          ApproximateCreationDateTime: 1700000000123,
          Keys: { pk: { S: 'o#1' } },
          NewImage: { pk: { S: 'o#1' }, big: { N: '9007199254740993' }, price: { N: '12.3400000000000000001' }, tags: { SS: ['a', 'b'] }, blob: { B: 'AQI=' }, doc: { M: { x: { L: [{ N: '1' }, { NULL: true }] } } } },
          OldImage: { pk: { S: 'o#1' }, big: { N: '1' } },
        }),
      ),
    );
    expect(result).toEqual({
      ok: true,
      row: row({ _id: 'o#1', pk: 'o#1', _deleted: 0, tags: ['a', 'b'], blob: new Uint8Array([1, 2]), doc: '{"x":[1,null]}', eventName: 'MODIFY', big: 9007199254740993n, price: '12.3400000000000000001', ApproximateCreationDateTime: 1700000000123n }),
    });
  });

  it('a REMOVE is a delete: the old image (or only the key) with the delete column true', () => {
    const withOld = decoder.decode(message(change('REMOVE', { ApproximateCreationDateTime: 5, Keys: { pk: { S: 'a' } }, OldImage: { pk: { S: 'a' }, tags: { SS: ['x'] } } })));
    expect(withOld).toEqual({ ok: true, row: row({ _id: 'a', pk: 'a', _deleted: 1, tags: ['x'], eventName: 'REMOVE', ApproximateCreationDateTime: 5n }) });
    const keysOnly = decoder.decode(message(change('REMOVE', { ApproximateCreationDateTime: 6, Keys: { pk: { S: 'b' } } })));
    expect(keysOnly).toEqual({ ok: true, row: row({ _id: 'b', pk: 'b', _deleted: 1, eventName: 'REMOVE', ApproximateCreationDateTime: 6n }) });
  });

  it('a table with a sort key needs the key order; _id is then the JSON array of both', () => {
    const record = change('INSERT', { ApproximateCreationDateTime: 1, Keys: { sk: { N: '7' }, pk: { S: 'u' } }, NewImage: { pk: { S: 'u' }, sk: { N: '7' } } });
    expect(decoder.decode(message(record))).toEqual({ ok: false, error: expect.stringMatching(/dynamodb.Keys has sk, pk: set stream.kinesis.decoder.prop.key.attributes to "partitionKey,sortKey"/) });
    const ordered = createDecoder('dynamodb-kinesis', schema, kinesisSettings({ 'stream.kinesis.decoder.prop.key.attributes': 'pk, sk' }));
    expect(ordered.decode(message(record))).toMatchObject({ ok: true, row: expect.arrayContaining(['["u","7"]']) });
  });

  it('an item with its own _id attribute needs a rename', () => {
    const record = change('INSERT', { ApproximateCreationDateTime: 1, Keys: { pk: { S: 'u' } }, NewImage: { pk: { S: 'u' }, _id: { S: 'mine' } } });
    expect(decoder.decode(message(record))).toEqual({ ok: false, error: expect.stringMatching(/item u has its own _id attribute.*stream.kinesis.decoder.prop.id.attribute.rename/) });
    const renamed = createDecoder('dynamodb-kinesis', schema, kinesisSettings({ 'stream.kinesis.decoder.prop.id.attribute.rename': 'pk2' }));
    expect(renamed.decode(message(record))).toMatchObject({ ok: true });
  });

  it.each([
    ['not JSON', '{"eventName":', /DynamoDB change record: not JSON/],
    ['an array', [1], /not a JSON object/],
    ['a bad eventName', change('UPSERT', {}), /eventName: "UPSERT" is not INSERT, MODIFY or REMOVE/],
    ['no dynamodb part', { eventName: 'INSERT' }, /dynamodb: missing/],
    ['no Keys', change('INSERT', { ApproximateCreationDateTime: 1, NewImage: {} }), /dynamodb.Keys: missing or not a map/],
    ['no creation time', change('INSERT', { Keys: { pk: { S: 'a' } }, NewImage: {} }), /dynamodb.ApproximateCreationDateTime: undefined is not a number/],
    ['no new image', change('INSERT', { ApproximateCreationDateTime: 1, Keys: { pk: { S: 'a' } } }), /dynamodb.NewImage: missing on INSERT/],
    ['a value that is no AttributeValue', change('INSERT', { ApproximateCreationDateTime: 1, Keys: { pk: { S: 'a' } }, NewImage: { n: 3 } }), /dynamodb.NewImage.n: not an AttributeValue/],
    ['an unknown type', change('INSERT', { ApproximateCreationDateTime: 1, Keys: { pk: { S: 'a' } }, NewImage: { n: { Q: 1 } } }), /item a: attribute value \["Q"\] has no known DynamoDB type/],
    ['a key that is not S, N or B', change('INSERT', { ApproximateCreationDateTime: 1, Keys: { pk: { BOOL: true } }, NewImage: {} }), /dynamodb.Keys: key attribute pk is missing or not S, N or B/],
    ['a value its column cannot take', change('INSERT', { ApproximateCreationDateTime: 1, Keys: { pk: { S: 'a' } }, NewImage: { big: { S: 'lots' } } }), /big/],
  ])('a record with %s is an error naming the part', (_name, value, error) => {
    const result = decoder.decode(message(value));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });

  it('reads the fields for transforms', () => {
    const fields = decoder.decodeFields!(message(change('INSERT', { ApproximateCreationDateTime: 9, Keys: { pk: { S: 'a' } }, NewImage: { pk: { S: 'a' }, m: { M: { q: { N: '2' } } } } })));
    expect(fields).toEqual({ ok: true, fields: { _id: 'a', pk: 'a', m: { q: 2 }, _deleted: false, eventName: 'INSERT', ApproximateCreationDateTime: 9 } });
  });

  it('refuses settings it cannot serve, naming the key', () => {
    const noId = buildTableSchema({ schemaName: 'x', dimensionFieldSpecs: [{ name: 'pk', dataType: 'STRING' }] });
    expect(() => createDecoder('dynamodb-kinesis', noId, kinesisSettings())).toThrow(/fills a STRING column _id/);
    expect(() => createDecoder('dynamodb-kinesis', schema, kinesisSettings({ 'stream.kinesis.decoder.prop.delete.column': 'pk' }))).toThrow(/stream.kinesis.decoder.prop.delete.column: "pk" must be a single-value BOOLEAN column/);
    expect(() => createDecoder('dynamodb-kinesis', schema, kinesisSettings({ 'stream.kinesis.decoder.prop.key.attributes': 'a,b,c' }))).toThrow(/stream.kinesis.decoder.prop.key.attributes: "a,b,c" must name the partition key/);
    const noDelete = buildTableSchema({ schemaName: 'y', dimensionFieldSpecs: [{ name: '_id', dataType: 'STRING' }] });
    const appendOnly = createDecoder('dynamodb-kinesis', noDelete, kinesisSettings());
    expect(appendOnly.decode(message(change('REMOVE', { ApproximateCreationDateTime: 1, Keys: { pk: { S: 'a' } } })))).toEqual({ ok: false, error: expect.stringMatching(/REMOVE of item a: the table has no delete column; set stream.kinesis.decoder.prop.delete.column/) });
  });
});
