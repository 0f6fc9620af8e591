/**
 * The character codes and steps of scanning JSON text without parsing it, shared by
 * `coerce-json-text.ts` (compacting), `json/json-source.ts` (a value's source text) and
 * `json/json-depth.ts` (the nesting guard). The text must be valid JSON.
 */

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/** JSON's insignificant whitespace: space, line feed, carriage return, tab. */
export function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index of the first non-whitespace character at or after `i` (or `text.length`). */
export function skipJsonWhitespace(text: string, i: number): number {
  while (i < text.length && isJsonWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** `i` at an opening quote; returns the index just past the closing quote. */
export function skipJsonString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
  return i;
}
