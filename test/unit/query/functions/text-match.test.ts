import { describe, expect, it } from 'vitest';
import { textMatcher, tokenizeText } from '../../../../src/query/functions/text-match.js';

const docs = ['Java C++ Python', 'Java C++ golang', 'golang shell bash', 'C++ golang python', 'golang Java', 'python MS-Word UNIX'];
const hits = (q: string): string[] => docs.filter((d) => textMatcher(q).test(d));

describe('text_match', () => {
  it('tokenises as the standard analyzer does', () => {
    expect(tokenizeText('Java C++ MS-Word')).toEqual(['java', 'c', 'ms', 'word']);
  });

  it('evaluates terms, AND/OR/NOT, implicit OR, phrases, prefixes and regexes', () => {
    expect(hits('Java')).toEqual(['Java C++ Python', 'Java C++ golang', 'golang Java']);
    expect(hits('Java AND C++')).toEqual(['Java C++ Python', 'Java C++ golang']);
    expect(hits('Java C++')).toHaveLength(4);
    expect(hits('"Java C++"')).toEqual(['Java C++ Python', 'Java C++ golang']);
    expect(hits('"java c++" "golang python"')).toEqual(['Java C++ Python', 'Java C++ golang', 'C++ golang python']);
    expect(hits('"Java C++" AND (golang python)')).toEqual(['Java C++ Python', 'Java C++ golang']);
    expect(hits('go*')).toEqual(['Java C++ golang', 'golang shell bash', 'C++ golang python', 'golang Java']);
    expect(hits('/go.*g/')).toEqual(hits('go*'));
    expect(hits('golang AND NOT java')).toEqual(['golang shell bash', 'C++ golang python']);
  });

  it('rejects a query it cannot parse', () => {
    expect(() => textMatcher('(java')).toThrow(/misses '\)'/);
  });
});
