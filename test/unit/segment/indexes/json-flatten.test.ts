import { describe, expect, it } from 'vitest';
import { flattenJson, MAX_FLAT_RECORDS } from '../../../../src/segment/indexes/json-flatten.js';
import { buildJsonIndex, KEY_VALUE_SEPARATOR, readJsonIndex } from '../../../../src/segment/indexes/json-index.js';

const obj = (records: ReadonlyMap<string, string>[]) => records.map((r) => Object.fromEntries(r));

describe('flattenJson (Pinot default flattening)', () => {
  it("flattens Pinot's documented example into one record per array element", () => {
    const doc = { name: 'adam', age: 20, addresses: [{ country: 'us', street: 'main st', number: 1 }, { country: 'ca', street: 'second st', number: 2 }], skills: ['english', 'programming'] };
    const records = obj(flattenJson(JSON.stringify(doc)));
    expect(records).toHaveLength(4);
    expect(records[0]).toEqual({ '.name': 'adam', '.age': '20', '.addresses.$index': '0', '.addresses..country': 'us', '.addresses..street': 'main st', '.addresses..number': '1', '.skills.$index': '0', '.skills.': 'english' });
    expect(records.map((r) => `${r['.addresses.$index']}/${r['.skills.$index']}`)).toEqual(['0/0', '0/1', '1/0', '1/1']);
  });

  it('skips nulls, empty arrays and objects; bad JSON and scalars', () => {
    expect(obj(flattenJson('{"a":null,"b":[],"c":{},"d":[null],"e":true}'))).toEqual([{ '.e': 'true' }]);
    expect(flattenJson('null')).toEqual([]);
    expect(flattenJson('{"a":')).toEqual([]);
    expect(obj(flattenJson('"x"'))).toEqual([{ '': 'x' }]);
    expect(obj(flattenJson('[[1,2]]'))).toEqual([
      { '.$index': '0', '..$index': '0', '..': '1' },
      { '.$index': '0', '..$index': '1', '..': '2' },
    ]);
  });

  it('gives up on documents of more than MAX_FLAT_RECORDS records', () => {
    const big = Array.from({ length: 400 }, (_, i) => i);
    expect(flattenJson(JSON.stringify({ a: big, b: big }))).toEqual([]);
    expect(400 * 400).toBeGreaterThan(MAX_FLAT_RECORDS);
  });
});

describe('JSON index section', () => {
  it('round-trips postings and the flattened doc → doc map', () => {
    const docs = ['{"a":"x","t":[1,2]}', 'null', '{"a":"y"}', 'not json', '{"a":"x"}'];
    const index = readJsonIndex(buildJsonIndex(docs), docs.length);
    expect([...index.docOf]).toEqual([0, 0, 2, 4]);
    expect([...index.postings(`.a${KEY_VALUE_SEPARATOR}x`)!]).toEqual([0, 1, 3]);
    expect([...index.postings('.t.')!]).toEqual([0, 1]);
    expect(index.postings('.nope')).toBeNull();
    expect([...index.withPrefix(`.t.${KEY_VALUE_SEPARATOR}`)].map(([k]) => k.split(KEY_VALUE_SEPARATOR)[1])).toEqual(['1', '2']);
  });

  it('refuses a section whose lengths or doc map are inconsistent', () => {
    const bytes = buildJsonIndex(['{"a":1}', '{"a":2}']);
    expect(() => readJsonIndex(bytes, 1)).toThrow(/bad doc/);
    expect(() => readJsonIndex(bytes.subarray(0, bytes.length - 8), 2)).toThrow(/header says/);
  });
});
