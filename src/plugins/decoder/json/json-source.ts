/**
 * Finds the source text of values inside a JSON record, for the rare values whose exact text
 * matters (integers beyond 2^53, BIG_DECIMAL digits, nested JSON). The hot path never calls this:
 * `JSON.parse` does the parsing; this scanner runs only when a coercer asks for source text.
 * Iterative, so nesting depth costs no stack. Input must be valid JSON (it has already parsed).
 */

import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isJsonWhitespace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  skipJsonString,
  skipJsonWhitespace,
} from '../json-text-scan.js';

/** `i` at the first character of a value; returns the index just past it. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipJsonString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = skipJsonString(text, i);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isJsonWhitespace(d)) break;
    i++;
  }
  return i;
}

/**
 * The source text of the value of `key` in the top-level object of `text`, or `undefined` when
 * absent. With duplicate keys the last one wins, as in `JSON.parse`. Escaped keys are compared
 * by their decoded value.
 *
 * @example topLevelValueSource('{"id": 9007199254740993}', 'id') // '9007199254740993'
 */
export function topLevelValueSource(text: string, key: string): string | undefined {
  let i = skipJsonWhitespace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i++;
  let found: string | undefined;
  for (;;) {
    i = skipJsonWhitespace(text, i);
    if (i >= text.length || text.charCodeAt(i) !== QUOTE) return found;
    const keyEnd = skipJsonString(text, i);
    let name = text.slice(i + 1, keyEnd - 1);
    if (name.indexOf('\\') >= 0) name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipJsonWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return found;
    i = skipJsonWhitespace(text, i + 1);
    const valueStart = i;
    i = skipValue(text, i);
    if (name === key) found = text.slice(valueStart, i);
    i = skipJsonWhitespace(text, i);
    if (text.charCodeAt(i) !== COMMA) return found;
    i++;
  }
}

/**
 * The source text of each element of a JSON array's source text.
 *
 * @example arrayElementSources('[1, 18446744073709551615]') // ['1', '18446744073709551615']
 */
export function arrayElementSources(arrayText: string): string[] {
  const out: string[] = [];
  let i = skipJsonWhitespace(arrayText, 0);
  if (arrayText.charCodeAt(i) !== OPEN_BRACKET) return out;
  i++;
  for (;;) {
    i = skipJsonWhitespace(arrayText, i);
    if (i >= arrayText.length || arrayText.charCodeAt(i) === CLOSE_BRACKET) return out;
    const start = i;
    i = skipValue(arrayText, i);
    out.push(arrayText.slice(start, i));
    i = skipJsonWhitespace(arrayText, i);
    if (arrayText.charCodeAt(i) !== COMMA) return out;
    i++;
  }
}
