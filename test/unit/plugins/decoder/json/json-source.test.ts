import { describe, expect, it } from 'vitest';
import { arrayElementSources, topLevelValueSource } from '../../../../../src/plugins/decoder/json/json-source.js';
import { exceedsJsonDepth } from '../../../../../src/plugins/decoder/json/json-depth.js';

describe('topLevelValueSource', () => {
  const text = '{"a": {"a": 1, "s": "}\\"]"}, "b" : [1, [2, 3]], "c":-1.5e3, "d":"x,y", "\\u0065":true}';

  it('finds top-level values only, skipping nested keys and strings with brackets', () => {
    expect(topLevelValueSource(text, 'a')).toBe('{"a": 1, "s": "}\\"]"}');
    expect(topLevelValueSource(text, 'b')).toBe('[1, [2, 3]]');
    expect(topLevelValueSource(text, 'c')).toBe('-1.5e3');
    expect(topLevelValueSource(text, 'd')).toBe('"x,y"');
    expect(topLevelValueSource(text, 'e')).toBe('true');
    expect(topLevelValueSource(text, 's')).toBeUndefined();
  });
});

describe('arrayElementSources', () => {
  it('splits an array into element texts', () => {
    expect(arrayElementSources('[ 1, "a,]", [2, 3], {"k": [4]}, null ]')).toEqual(['1', '"a,]"', '[2, 3]', '{"k": [4]}', 'null']);
    expect(arrayElementSources('[]')).toEqual([]);
  });
});

describe('exceedsJsonDepth', () => {
  const check = (text: string, max: number) => exceedsJsonDepth(new TextEncoder().encode(text), text, max);

  it('measures object and array nesting, ignoring brackets in strings', () => {
    expect(check('[[[[]]]]', 3)).toBe(true);
    expect(check('[[[]]] ', 3)).toBe(false);
    expect(check('{"a":{"b":[1]}}', 2)).toBe(true);
    expect(check('["[[[[[[[[", "{{{{{{{{"]', 2)).toBe(false);
    expect(check('[[1],[2],[3],[4],[5]]', 2)).toBe(false);
  });
});
