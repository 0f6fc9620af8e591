/**
 * A JSON reader for broker responses that keeps what `JSON.parse` loses: integers beyond 2^53
 * come back as `bigint` (LONG is exact 64-bit in Pinot), and the non-standard tokens `NaN`,
 * `Infinity`, `-Infinity` (Jackson can write them for DOUBLE defaults) are accepted as numbers.
 * Everything else is plain JSON: objects, arrays, strings, true/false/null.
 *
 * @example
 *   parseJsonExact('{"rows":[[-9223372036854775808]]}') // { rows: [[-9223372036854775808n]] }
 */
export type JsonExact = null | boolean | number | bigint | string | JsonExact[] | { [key: string]: JsonExact };

export function parseJsonExact(text: string): JsonExact {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON: ${what} at offset ${pos}: ${JSON.stringify(text.slice(pos, pos + 30))}`);
  };
  const ws = (): void => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === '\t')) pos++;
  };
  const literal = (word: string, value: JsonExact): JsonExact => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail(`expected ${word}`);
  };
  const str = (): string => {
    // Find the closing quote, then let JSON.parse handle escapes.
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const num = (): number | bigint => {
    const m = /^-?(?:Infinity|NaN|\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(pos, pos + 400));
    if (!m) return fail('bad number');
    pos += m[0].length;
    const t = m[0];
    if (t === 'NaN' || t === '-NaN') return NaN;
    if (t.endsWith('Infinity')) return t.startsWith('-') ? -Infinity : Infinity;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(t);
      return Number.isSafeInteger(n) ? n : BigInt(t);
    }
    return Number(t);
  };
  const value = (): JsonExact => {
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const out: { [key: string]: JsonExact } = {};
      ws();
      if (text[pos] === '}') {
        pos++;
        return out;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail('expected key');
        const key = str();
        ws();
        if (text[pos] !== ':') fail('expected :');
        pos++;
        out[key] = value();
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return out;
        }
        fail('expected , or }');
      }
    }
    if (c === '[') {
      pos++;
      const out: JsonExact[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return out;
        }
        fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === 'N' || c === 'I' || c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    return fail('unexpected character');
  };
  const out = value();
  ws();
  if (pos !== text.length) fail('trailing text');
  return out;
}
