import { isJsonWhitespace, QUOTE, skipJsonString, skipJsonWhitespace } from './json-text-scan.js';

/**
 * JSON text utilities shared by decoders: compacting JSON text without reparsing it (so numbers keep
 * every digit) and checking whether a string is JSON.
 */

/**
 * Removes insignificant whitespace from valid JSON text, as Jackson's compact output (Pinot's
 * `JsonUtils.objectToString`) would print it, keeping number literals and string escapes exactly as
 * written. Iterative: nesting depth costs no stack. The input must be valid JSON.
 *
 * @example minifyJsonText('{ "a": [1, 2] }') // '{"a":[1,2]}'
 */
export function minifyJsonText(text: string): string {
  if (text.indexOf(' ') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0 && text.indexOf('\t') < 0) {
    return text;
  }
  let out = '';
  let sliceStart = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = skipJsonString(text, i);
    } else if (isJsonWhitespace(c)) {
      out += text.slice(sliceStart, i);
      i = skipJsonWhitespace(text, i);
      sliceStart = i;
    } else {
      i++;
    }
  }
  return out + text.slice(sliceStart);
}

/** True when the whole string is one JSON value (object, array, string, number, literal). */
export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
