import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import { createJsonDecoder } from '../../../../../src/plugins/decoder/json/index.js';
import { attributeJson, documentId, itemJson, itemSize, numberLiteral } from '../../../../../src/plugins/stream/dynamodb/dynamodb-attributes.js';
import { itemMessage } from '../../../../../src/plugins/stream/dynamodb/dynamodb-records.js';
import { SequenceOffset } from '../../../../../src/plugins/stream/dynamodb/dynamodb-offset.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('AttributeValue → JSON text', () => {
  it('maps every DynamoDB type', () => {
    expect(attributeJson({ S: 'a "q"' })).toBe('"a \\"q\\""');
    expect(attributeJson({ N: '12345678901234567890123' })).toBe('12345678901234567890123');
    expect(attributeJson({ N: '-0.000123' })).toBe('-0.000123');
    expect(attributeJson({ B: bytes(0, 255, 16) })).toBe('"00ff10"');
    expect(attributeJson({ BOOL: false })).toBe('false');
    expect(attributeJson({ NULL: true })).toBe('null');
    expect(attributeJson({ M: { a: { N: '1' }, b: { L: [{ S: 'x' }, { NULL: true }, { BOOL: true }] } } })).toBe('{"a":1,"b":["x",null,true]}');
    expect(attributeJson({ SS: ['a', 'b'] })).toBe('["a","b"]');
    expect(attributeJson({ NS: ['1', '2.5', '99999999999999999999'] })).toBe('[1,2.5,99999999999999999999]');
    expect(attributeJson({ BS: [bytes(1), bytes(2, 3)] })).toBe('["01","0203"]');
  });

  it('keeps a number exact and normalises only forms JSON does not allow', () => {
    expect(numberLiteral('1E+2')).toBe('1E+2');
    expect(numberLiteral('+5')).toBe('5');
    expect(numberLiteral('.5')).toBe('0.5');
    expect(numberLiteral('-007.10')).toBe('-7.10');
    expect(numberLiteral('3.')).toBe('3');
    expect(() => numberLiteral('abc')).toThrow(/N value "abc" is not a number/);
    expect(() => attributeJson({})).toThrow(/no known DynamoDB type/);
  });

  it('computes _id from the key: the partition key alone, or a JSON pair with the sort key', () => {
    expect(documentId({ pk: { S: 'u1' }, x: { S: 'ignored' } }, ['pk'])).toBe('u1');
    expect(documentId({ pk: { N: '0042' } }, ['pk'])).toBe('42');
    expect(documentId({ pk: { B: bytes(10) } }, ['pk'])).toBe('0a');
    expect(documentId({ pk: { S: 'a|b' }, sk: { N: '7' } }, ['pk', 'sk'])).toBe('["a|b","7"]');
    expect(documentId({ pk: { S: 'a' }, sk: { S: 'b|7' } }, ['pk', 'sk'])).not.toBe(documentId({ pk: { S: 'a|b' }, sk: { S: '7' } }, ['pk', 'sk']));
    expect(() => documentId({ other: { S: 'x' } }, ['pk'])).toThrow(/key attribute pk is missing/);
  });

  it('estimates item size as DynamoDB meters it (names plus values)', () => {
    expect(itemSize({ pk: { S: 'abc' } })).toBe(5);
    expect(itemSize({ n: { N: '1234' } })).toBe(1 + 3);
    expect(itemSize({ b: { B: bytes(1, 2, 3) }, f: { BOOL: true } })).toBe(1 + 3 + 1 + 1);
  });
});

describe('items through the JSON decoder into Pinot types', () => {
  const schema = buildTableSchema({
    schemaName: 'items',
    dimensionFieldSpecs: [
      { name: '_id', dataType: 'STRING' },
      { name: 'tags', dataType: 'STRING', singleValueField: false },
      { name: 'nums', dataType: 'LONG', singleValueField: false },
      { name: 'blob', dataType: 'BYTES' },
      { name: 'flag', dataType: 'BOOLEAN' },
      { name: 'doc', dataType: 'JSON' },
      { name: 'source_id', dataType: 'STRING' },
      { name: '_deleted', dataType: 'BOOLEAN' },
    ],
    metricFieldSpecs: [
      { name: 'big', dataType: 'LONG' },
      { name: 'price', dataType: 'DOUBLE' },
      { name: 'exact', dataType: 'BIG_DECIMAL' },
    ],
    primaryKeyColumns: ['_id'],
  } as never);
  const decoder = createJsonDecoder(schema);
  const shape = { keyNames: ['pk'], idAttributeRename: 'source_id', deleteColumn: '_deleted', tableName: 'Orders' };
  const cell = (row: readonly unknown[], name: string) => row[schema.columnIndex.get(name)!];

  it('maps N exactly (LONG beyond 2^53, BIG_DECIMAL digits), sets to multi-value columns, M to JSON, B to BYTES', () => {
    const message = itemMessage(
      {
        pk: { S: 'o-1' },
        big: { N: '9007199254740993' },
        price: { N: '12.5' },
        exact: { N: '1234567890.123456789012345' },
        tags: { SS: ['red', 'blue'] },
        nums: { NS: ['1', '2'] },
        blob: { B: bytes(0xca, 0xfe) },
        flag: { BOOL: true },
        doc: { M: { k: { L: [{ N: '1' }, { S: 'two' }] } } },
        _id: { S: 'theirs' },
      },
      shape,
      { deleted: false, offset: new SequenceOffset('100'), arrivalTimeMs: 5 },
    );
    expect(message.key).toBe('o-1');
    const result = decoder.decode(message);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const row = result.row;
    expect(cell(row, '_id')).toBe('o-1');
    expect(cell(row, 'source_id')).toBe('theirs');
    expect(cell(row, 'big')).toBe(9007199254740993n);
    expect(cell(row, 'price')).toBe(12.5);
    expect(String(cell(row, 'exact'))).toBe('1234567890.123456789012345');
    expect(cell(row, 'tags')).toEqual(['red', 'blue']);
    expect(cell(row, 'nums')).toEqual([1n, 2n]);
    expect(Buffer.from(cell(row, 'blob') as Uint8Array).toString('hex')).toBe('cafe');
    expect(cell(row, 'flag')).toBe(1);
    expect(JSON.parse(cell(row, 'doc') as string)).toEqual({ k: [1, 'two'] });
    expect(cell(row, '_deleted')).toBe(0);
  });

  it('a REMOVE is the key with the delete column true', () => {
    const message = itemMessage({ pk: { S: 'o-2' } }, shape, { deleted: true, offset: new SequenceOffset('101'), arrivalTimeMs: 5 });
    const result = decoder.decode(message);
    expect(result.ok && cell(result.row, '_deleted')).toBe(1);
    expect(result.ok && cell(result.row, '_id')).toBe('o-2');
  });

  it('an item with its own _id and no rename is refused, naming the item and the key to set', () => {
    expect(() => itemMessage({ pk: { S: 'o-3' }, _id: { S: 'x' } }, { ...shape, idAttributeRename: undefined }, { deleted: false, offset: new SequenceOffset('1'), arrivalTimeMs: 0 })).toThrow(
      /item o-3 of DynamoDB table Orders has its own _id attribute.*stream.dynamodb.id.attribute.rename/,
    );
    expect(itemJson({ a: { S: 'x' } }, [['_id', '"y"']])).toBe('{"a":"x","_id":"y"}');
  });
});
