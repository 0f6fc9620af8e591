/**
 * Guards against records nested deeper than downstream code (JSON.stringify, JSON functions in
 * queries) can walk without exhausting the stack.
 */

import { CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipJsonString } from '../json-text-scan.js';

/** Deepest nesting of objects and arrays a record may have. */
export const MAX_JSON_DEPTH = 1000;

/**
 * True when the JSON in `bytes` / `text` (the same record) nests objects and arrays deeper than
 * `maxDepth`. Cheap for ordinary records: a record shorter than `2 * maxDepth` bytes, or with
 * fewer than `maxDepth` opening brackets (counted with native `indexOf`), cannot be that deep; only
 * bracket-heavy records get a character scan.
 */
export function exceedsJsonDepth(bytes: Uint8Array, text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  if (bytes.length <= 2 * maxDepth) return false;
  let openers = 0;
  for (let i = bytes.indexOf(OPEN_BRACE); i >= 0 && openers <= maxDepth; i = bytes.indexOf(OPEN_BRACE, i + 1)) openers++;
  for (let i = bytes.indexOf(OPEN_BRACKET); i >= 0 && openers <= maxDepth; i = bytes.indexOf(OPEN_BRACKET, i + 1)) openers++;
  if (openers <= maxDepth) return false;
  let depth = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = skipJsonString(text, i);
    else {
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++depth > maxDepth) return true;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
      i++;
    }
  }
  return false;
}
