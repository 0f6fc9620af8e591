import { describe, expect, it } from 'vitest';
import type { DataType } from '../../../../../src/config/data-type.js';
import type { PinotFieldSpec } from '../../../../../src/config/schema.js';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import type { DecodeResult, DecodedRow } from '../../../../../src/spi/decoder.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';
import { createJsonDecoder, MAX_JSON_DEPTH } from '../../../../../src/plugins/decoder/json/index.js';

const offset = { compareTo: () => 0, toString: () => '1' };

function message(value: string | Uint8Array): StreamMessage {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return { key: 'k', value: bytes, offset, arrivalTimeMs: 0, serializedSize: bytes.length };
}

/** A decoder over one column `v` of the given type. */
function decoderFor(dataType: DataType, singleValue = true) {
  const field: PinotFieldSpec = { name: 'v', dataType, singleValueField: singleValue };
  return createJsonDecoder(buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [field] }));
}

function row(result: DecodeResult): DecodedRow {
  if (!result.ok) throw new Error(`expected a row, got error: ${result.error}`);
  return result.row;
}

/** The cell of column `v` for a record whose `v` has this JSON source text. */
function cell(dataType: DataType, json: string, singleValue = true): unknown {
  return row(decoderFor(dataType, singleValue).decode(message(`{"v":${json}}`)))[0];
}

function error(dataType: DataType, json: string, singleValue = true): string {
  const result = decoderFor(dataType, singleValue).decode(message(`{"v":${json}}`));
  if (result.ok) throw new Error(`expected an error, got ${String(result.row)}`);
  return result.error;
}

describe('createJsonDecoder: rows', () => {
  const schema = buildTableSchema({
    schemaName: 'events',
    dimensionFieldSpecs: [
      { name: 'id', dataType: 'STRING' },
      { name: 'tags', dataType: 'STRING', singleValueField: false },
      { name: 'constructor', dataType: 'STRING' },
    ],
    metricFieldSpecs: [{ name: 'n', dataType: 'INT' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  });
  const decoder = createJsonDecoder(schema);

  it('returns one cell per column in schema order, ignoring unknown keys', () => {
    const r = row(decoder.decode(message('{"ts":1704164645000,"n":3,"extra":{"x":1},"tags":["a","b"],"id":"e1"}')));
    expect(r).toEqual(['e1', ['a', 'b'], null, 3, 1704164645000n]);
  });

  it('gives null cells for missing fields and JSON nulls', () => {
    expect(row(decoder.decode(message('{"id":null}')))).toEqual([null, null, null, null, null]);
    expect(row(decoder.decode(message('{}')))).toEqual([null, null, null, null, null]);
  });

  it('does not read names inherited from Object.prototype, but reads them as own keys', () => {
    expect(row(decoder.decode(message('{"id":"a"}')))[2]).toBeNull();
    expect(row(decoder.decode(message('{"constructor":"c"}')))[2]).toBe('c');
  });

  it('takes the last of duplicate keys, as JSON.parse does, also for exact source reads', () => {
    const d = decoderFor('LONG');
    expect(row(d.decode(message('{"v":1,"v":9223372036854775807}')))[0]).toBe(9223372036854775807n);
    expect(row(d.decode(message('{"v":9223372036854775807,"v":2}')))[0]).toBe(2n);
  });

  it('accepts whitespace and escaped keys', () => {
    const d = decoderFor('LONG');
    expect(row(d.decode(message(' {\n  "\\u0076" :\t 18014398509481985 \n} ')))[0]).toBe(18014398509481985n);
  });
});

describe('createJsonDecoder: record errors', () => {
  const d = decoderFor('STRING');

  it.each([
    ['malformed JSON', '{"v":tru}', /^record is not valid JSON: /],
    ['truncated JSON', '{"v":"abc', /^record is not valid JSON: /],
    ['an empty record', '', /^record is not valid JSON: /],
    ['a top-level array', '[{"v":1}]', /^record is a JSON array, not a JSON object$/],
    ['a top-level number', '42', /^record is a JSON number, not a JSON object$/],
    ['a top-level string', '"v"', /^record is a JSON string, not a JSON object$/],
    ['top-level null', 'null', /^record is JSON null, not a JSON object$/],
  ])('refuses %s', (_name, text, pattern) => {
    const result = d.decode(message(text));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(pattern);
  });

  it('refuses invalid UTF-8', () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('{"v":"'), 0xc3, 0x28, ...new TextEncoder().encode('"}')]);
    expect(d.decode(message(bytes))).toEqual({ ok: false, error: 'record is not valid UTF-8' });
  });

  it('refuses nesting deeper than the cap without overflowing the stack', () => {
    const deep = `{"v":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(d.decode(message(deep))).toEqual({
      ok: false,
      error: `record nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`,
    });
    const deepInString = `{"v":"${'['.repeat(5000)}"}`;
    expect(row(d.decode(message(deepInString)))[0]).toBe('['.repeat(5000));
  });

  it('accepts nesting up to the cap', () => {
    const depth = MAX_JSON_DEPTH - 1;
    const ok = decoderFor('JSON').decode(message(`{"v":${'['.repeat(depth)}${']'.repeat(depth)}}`));
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.row[0]).toBe('['.repeat(depth) + ']'.repeat(depth));
  });

  it('decodes a record over 1 MB', () => {
    const big = 'x'.repeat(1_100_000);
    const many = Array.from({ length: 20_000 }, (_, i) => `"t${i}"`).join(',');
    const schema = buildTableSchema({
      schemaName: 't',
      dimensionFieldSpecs: [
        { name: 'v', dataType: 'STRING' },
        { name: 'm', dataType: 'STRING', singleValueField: false },
      ],
    });
    const result = createJsonDecoder(schema).decode(message(`{"m":[${many}],"v":"${big}"}`));
    const r = row(result);
    expect(r[0]).toBe(big);
    expect((r[1] as string[]).length).toBe(20_000);
  });

  it('never throws on arbitrary bytes', () => {
    const d2 = createJsonDecoder(
      buildTableSchema({
        schemaName: 't',
        dimensionFieldSpecs: (['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BIG_DECIMAL', 'BOOLEAN', 'TIMESTAMP', 'STRING', 'JSON', 'BYTES'] as const).map(
          (dataType, i) => ({ name: `c${i}`, dataType }),
        ),
      }),
    );
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pieces = ['{', '}', '[', ']', '"c1"', '"c3"', '"c8"', ':', ',', '1e999', '-0', '"x"', 'true', 'null', '\\u0000', '9223372036854775808'];
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const len = 1 + Math.floor(rand() * 12);
      for (let k = 0; k < len; k++) text += pieces[Math.floor(rand() * pieces.length)];
      expect(() => d2.decode(message(text))).not.toThrow();
    }
  });
});

describe('createJsonDecoder: INT', () => {
  it('reads integers, numeric strings and booleans', () => {
    expect(cell('INT', '42')).toBe(42);
    expect(cell('INT', '-2147483648')).toBe(-2147483648);
    expect(cell('INT', '2147483647')).toBe(2147483647);
    expect(cell('INT', '" 17 "')).toBe(17);
    expect(cell('INT', '"+5"')).toBe(5);
    expect(cell('INT', 'true')).toBe(1);
    expect(cell('INT', '1e3')).toBe(1000);
  });

  it('truncates fractions toward zero, as Pinot (Number.intValue)', () => {
    expect(cell('INT', '1.5')).toBe(1);
    expect(cell('INT', '-1.9')).toBe(-1);
  });

  it('refuses non-numeric strings, overflow and objects, naming the field', () => {
    expect(error('INT', '"abc"')).toBe('field "v": "abc" is not an INT');
    expect(error('INT', '"1.5"')).toBe('field "v": "1.5" is not an INT');
    expect(error('INT', '2147483648')).toBe('field "v": 2147483648 is out of range for INT');
    expect(error('INT', '"-2147483649"')).toBe('field "v": -2147483649 is out of range for INT');
    expect(error('INT', '{"a":1}')).toBe('field "v": an object is not an INT');
  });

  it('reads multi-value INT columns', () => {
    expect(cell('INT', '[1,"2",null,3.7]', false)).toEqual([1, 2, 3]);
    expect(cell('INT', '7', false)).toEqual([7]);
    expect(cell('INT', '[]', false)).toBeNull();
    expect(cell('INT', '[null]', false)).toBeNull();
    expect(error('INT', '[1,"x"]', false)).toBe('field "v": element 1: "x" is not an INT');
  });
});

describe('createJsonDecoder: LONG', () => {
  it('keeps the 64-bit extremes exact', () => {
    expect(cell('LONG', '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(cell('LONG', '9223372036854775807')).toBe(9223372036854775807n);
    expect(cell('LONG', '"9223372036854775807"')).toBe(9223372036854775807n);
  });

  it('keeps integers above 2^53 exact', () => {
    expect(cell('LONG', '9007199254740993')).toBe(9007199254740993n);
    expect(cell('LONG', '-9007199254740995')).toBe(-9007199254740995n);
    expect(cell('LONG', '[9007199254740993, 1, 18014398509481985]', false)).toEqual([9007199254740993n, 1n, 18014398509481985n]);
    expect(cell('LONG', '[9007199254740993]')).toBe(9007199254740993n);
  });

  it('truncates fractions exactly, also beyond 2^53', () => {
    expect(cell('LONG', '12.9')).toBe(12n);
    expect(cell('LONG', '-12.9')).toBe(-12n);
    expect(cell('LONG', '12345678901234567.9')).toBe(12345678901234567n);
    expect(cell('LONG', '1.5e18')).toBe(1500000000000000000n);
  });

  it('refuses values beyond 64 bits and non-integers text', () => {
    expect(error('LONG', '9223372036854775808')).toBe('field "v": 9223372036854775808 is out of range for LONG');
    expect(error('LONG', '-9223372036854775809')).toBe('field "v": -9223372036854775809 is out of range for LONG');
    expect(error('LONG', '1e400')).toBe('field "v": 1e400 is out of range for LONG');
    expect(error('LONG', '"12a"')).toBe('field "v": "12a" is not a LONG');
    expect(error('LONG', '[1, 9223372036854775808]', false)).toBe(
      'field "v": element 1: 9223372036854775808 is out of range for LONG',
    );
  });
});

describe('createJsonDecoder: TIMESTAMP', () => {
  it('reads epoch millis as numbers and strings', () => {
    expect(cell('TIMESTAMP', '1704164645123')).toBe(1704164645123n);
    expect(cell('TIMESTAMP', '"1704164645123"')).toBe(1704164645123n);
  });

  it('reads ISO-8601 and SQL timestamp text', () => {
    expect(cell('TIMESTAMP', '"2024-01-02T03:04:05Z"')).toBe(1704164645000n);
    expect(cell('TIMESTAMP', '"2024-01-02T03:04:05.123Z"')).toBe(1704164645123n);
    expect(cell('TIMESTAMP', '"2024-01-02T05:04:05+02:00"')).toBe(1704164645000n);
    expect(cell('TIMESTAMP', '"2024-01-02 03:04:05"')).toBe(1704164645000n);
    expect(cell('TIMESTAMP', '"2024-01-02 03:04:05.1"')).toBe(1704164645100n);
    expect(cell('TIMESTAMP', '"2024-01-02"')).toBe(1704153600000n);
  });

  it('refuses text that is no timestamp', () => {
    expect(error('TIMESTAMP', '"yesterday"')).toMatch(/^field "v": "yesterday" is not a TIMESTAMP/);
    expect(error('TIMESTAMP', '"2024-02-30 00:00:00"')).toMatch(/is not a TIMESTAMP/);
    expect(error('TIMESTAMP', 'true')).toBe('field "v": true is not a TIMESTAMP');
  });
});

describe('createJsonDecoder: FLOAT and DOUBLE', () => {
  it('reads FLOAT rounded to 32 bits', () => {
    expect(cell('FLOAT', '12.1')).toBe(Math.fround(12.1));
    expect(cell('FLOAT', '"3.5"')).toBe(3.5);
    expect(cell('FLOAT', '[1.1, "2"]', false)).toEqual([Math.fround(1.1), 2]);
  });

  it('reads DOUBLE from numbers and numeric strings', () => {
    expect(cell('DOUBLE', '12.1')).toBe(12.1);
    expect(cell('DOUBLE', '"-1.5e3"')).toBe(-1500);
    expect(cell('DOUBLE', '"NaN"')).toBeNull(); // Pinot's SpecialValueTransformer; noted as lossy (lossy-coercion.test.ts)
    expect(cell('DOUBLE', '"-Infinity"')).toBe(-Infinity);
    expect(cell('DOUBLE', '[1, 2.5]', false)).toEqual([1, 2.5]);
  });

  it('refuses non-numeric text', () => {
    expect(error('DOUBLE', '"abc"')).toBe('field "v": "abc" is not a DOUBLE');
    expect(error('DOUBLE', '"0x10"')).toBe('field "v": "0x10" is not a DOUBLE');
    expect(error('FLOAT', '[1,2]')).toBe('field "v": an array of 2 values cannot be stored in a single-value column');
  });
});

describe('createJsonDecoder: BIG_DECIMAL', () => {
  it('keeps every digit of numbers and strings', () => {
    expect(cell('BIG_DECIMAL', '3.141592653589793238462643383279')).toBe('3.141592653589793238462643383279');
    expect(cell('BIG_DECIMAL', '123456789012345678901234567890')).toBe('123456789012345678901234567890');
    expect(cell('BIG_DECIMAL', '"0.10"')).toBe('0.10');
    expect(cell('BIG_DECIMAL', '1.5E3')).toBe('1500');
    expect(cell('BIG_DECIMAL', '[0.1000000000000000000001, "2"]', false)).toEqual(['0.1000000000000000000001', '2']);
  });

  it('refuses text that is no decimal', () => {
    expect(error('BIG_DECIMAL', '"1,5"')).toBe('field "v": "1,5" is not a BIG_DECIMAL');
  });
});

describe('createJsonDecoder: BOOLEAN', () => {
  it('reads booleans, case-insensitive text and numbers as 1/0', () => {
    expect(cell('BOOLEAN', 'true')).toBe(1);
    expect(cell('BOOLEAN', 'false')).toBe(0);
    expect(cell('BOOLEAN', '"TRUE"')).toBe(1);
    expect(cell('BOOLEAN', '"False"')).toBe(0);
    expect(cell('BOOLEAN', '"1"')).toBe(1);
    expect(cell('BOOLEAN', '2')).toBe(1);
    expect(cell('BOOLEAN', '0')).toBe(0);
    expect(cell('BOOLEAN', '[true, false]', false)).toEqual([1, 0]);
  });

  it('refuses other text instead of storing false', () => {
    expect(error('BOOLEAN', '"yes"')).toBe('field "v": "yes" is not a BOOLEAN');
  });
});

describe('createJsonDecoder: STRING', () => {
  it('keeps strings, including unicode, as given', () => {
    expect(cell('STRING', '"héllo wörld 日本語 🚀"')).toBe('héllo wörld 日本語 🚀');
    expect(cell('STRING', '"\\u00e9\\ud83d\\ude80\\n"')).toBe('é🚀\n');
    expect(cell('STRING', '""')).toBe('');
  });

  it('stringifies numbers and booleans as Pinot does', () => {
    expect(cell('STRING', '42')).toBe('42');
    expect(cell('STRING', '12345678901234567890123')).toBe('12345678901234567890123');
    expect(cell('STRING', '1.5')).toBe('1.5');
    expect(cell('STRING', '1e-5')).toBe('1.0E-5');
    expect(cell('STRING', '12345678.9')).toBe('1.23456789E7');
    expect(cell('STRING', 'true')).toBe('true');
  });

  it('stores objects as compact JSON text with exact numbers', () => {
    expect(cell('STRING', '{ "a" : [1, 9007199254740993], "b": "x y" }')).toBe('{"a":[1,9007199254740993],"b":"x y"}');
  });

  it('unwraps single-element arrays and refuses longer ones', () => {
    expect(cell('STRING', '["only"]')).toBe('only');
    expect(cell('STRING', '[null, "only"]')).toBe('only');
    expect(cell('STRING', '[]')).toBeNull();
    expect(error('STRING', '["a","b"]')).toBe('field "v": an array of 2 values cannot be stored in a single-value column');
  });

  it('reads multi-value STRING columns', () => {
    expect(cell('STRING', '["a", 1, true, null, "日本"]', false)).toEqual(['a', '1', 'true', '日本']);
    expect(cell('STRING', '"solo"', false)).toEqual(['solo']);
    expect(cell('STRING', '[{"k": 1}]', false)).toEqual(['{"k":1}']);
  });
});

describe('createJsonDecoder: JSON', () => {
  it('stores objects and arrays as compact JSON text, numbers exact', () => {
    expect(cell('JSON', '{"a": {"b": [1, 2.50, 9223372036854775807]}}')).toBe('{"a":{"b":[1,2.50,9223372036854775807]}}');
    expect(cell('JSON', '[1, "two"]')).toBe('[1,"two"]');
  });

  it('stores scalars as their JSON text', () => {
    expect(cell('JSON', '42')).toBe('42');
    expect(cell('JSON', '123456789012345678901')).toBe('123456789012345678901');
    expect(cell('JSON', 'false')).toBe('false');
  });

  it('stores a string holding JSON as that JSON, any other string as a JSON string', () => {
    expect(cell('JSON', '"{\\"a\\": 1}"')).toBe('{"a":1}');
    expect(cell('JSON', '"hello"')).toBe('"hello"');
  });
});

describe('createJsonDecoder: BYTES', () => {
  it('reads hex strings', () => {
    expect(cell('BYTES', '"00ff10"')).toEqual(new Uint8Array([0, 255, 16]));
    expect(cell('BYTES', '"ABcd"')).toEqual(new Uint8Array([0xab, 0xcd]));
    expect(cell('BYTES', '""')).toEqual(new Uint8Array(0));
    expect(cell('BYTES', '["01", "02ff"]', false)).toEqual([new Uint8Array([1]), new Uint8Array([2, 255])]);
  });

  it('refuses non-hex text (base64 is not read)', () => {
    expect(error('BYTES', '"AQID"')).toBe('field "v": "AQID" is not a hex string (BYTES)');
    expect(error('BYTES', '"abc"')).toBe('field "v": "abc" is not a hex string (BYTES)');
    expect(error('BYTES', '12')).toBe('field "v": 12 is not a BYTES');
  });
});
