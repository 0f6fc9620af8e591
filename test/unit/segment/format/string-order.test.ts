import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../helpers/random.js';
import { compareString } from '../../../../src/segment/format/sorted-dictionary.js';
import { sortStringIndexes } from '../../../../src/segment/format/string-order.js';

function sortedByComparator(values: readonly string[]): string[] {
  return [...values].sort(compareString);
}

function sortedByIndexes(values: readonly string[]): string[] {
  const order = Int32Array.from(values, (_, i) => i);
  sortStringIndexes(values, order);
  expect([...order].sort((a, b) => a - b)).toEqual(values.map((_, i) => i));
  return Array.from(order, (i) => values[i]!);
}

describe('sortStringIndexes', () => {
  it('orders by UTF-16 code units, as String.compareTo: surrogates, U+FFFF, NUL, prefixes, empty', () => {
    const values = ['b', '', 'a', 'ab', 'a\u0000', '\uffff', '\ud83d\ude80', '\ud83d', 'é', 'Z', 'a\u0000b', 'abc', 'ab\uffff'];
    expect(sortedByIndexes(values)).toEqual(sortedByComparator(values));
    // A supplementary character (surrogates 0xD83D...) sorts before U+FFFF, unlike in code point order.
    expect(sortedByIndexes(['\uffff', '\ud83d\ude80'])).toEqual(['\ud83d\ude80', '\uffff']);
  });

  it('matches a comparator sort on many random strings with shared prefixes and repeats', () => {
    const next = mulberry32(7);
    const alphabet = ['a', 'b', '0', '-', 'é', '\u0000', '\uffee', '\ud83d\ude80', 'Z'];
    for (const size of [0, 1, 2, 13, 500, 20_000]) {
      const values = Array.from({ length: size }, () => {
        let s = next() < 0.5 ? 'evt-0000-' : '';
        const len = Math.floor(next() * 12);
        for (let k = 0; k < len; k++) s += alphabet[Math.floor(next() * alphabet.length)];
        return s;
      });
      expect(sortedByIndexes(values)).toEqual(sortedByComparator(values));
    }
  });

  it('leaves input that is already in order as it is', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `id-${String(i).padStart(6, '0')}`);
    const order = Int32Array.from(values, (_, i) => i);
    sortStringIndexes(values, order);
    expect(order).toEqual(Int32Array.from(values, (_, i) => i));
  });
});
