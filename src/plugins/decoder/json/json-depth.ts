/**
 * Guards against records nested deeper than downstream code (JSON.stringify, JSON functions in
 * queries) can walk without exhausting the stack.
 */

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

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
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i++;
      while (i < n) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
        i++;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
