/**
 * Splits one CSV record into its values, quoting per RFC 4180: a field may be enclosed in double
 * quotes, inside which the delimiter, CR and LF are literal and `""` is one quote. A trailing line
 * break (LF or CRLF) ends the record; any other unquoted line break means the Kinesis record holds
 * more than one line, which is an error (one record, one row).
 */

export type CsvParseResult = { ok: true; values: string[]; quoted: boolean[] } | { ok: false; error: string };

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** Parses `text` with a single-character `delimiter`. Never throws. */
export function parseCsvRecord(text: string, delimiter: string): CsvParseResult {
  const delim = delimiter.charCodeAt(0);
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === LF) end--;
  if (end > 0 && text.charCodeAt(end - 1) === CR) end--;
  const values: string[] = [];
  const quoted: boolean[] = [];
  let i = 0;
  for (;;) {
    if (i < end && text.charCodeAt(i) === QUOTE) {
      const start = i;
      let value = '';
      i++;
      let closed = false;
      let from = i;
      while (i < end) {
        if (text.charCodeAt(i) === QUOTE) {
          if (i + 1 < end && text.charCodeAt(i + 1) === QUOTE) {
            value += text.slice(from, i + 1);
            i += 2;
            from = i;
            continue;
          }
          value += text.slice(from, i);
          i++;
          closed = true;
          break;
        }
        i++;
      }
      if (!closed) {
        return { ok: false, error: `unbalanced quotes: the quoted value ${values.length + 1} opened at character ${start} is never closed` };
      }
      if (i < end && text.charCodeAt(i) !== delim) {
        return { ok: false, error: `value ${values.length + 1}: unexpected character ${JSON.stringify(text[i])} after a closing quote (at character ${i}; a quote inside a quoted value is written "")` };
      }
      values.push(value);
      quoted.push(true);
    } else {
      let j = i;
      while (j < end) {
        const c = text.charCodeAt(j);
        if (c === delim) break;
        if (c === QUOTE) {
          return { ok: false, error: `value ${values.length + 1}: stray quote at character ${j} in an unquoted value (quote the whole value and write a quote as "")` };
        }
        if (c === LF || c === CR) return { ok: false, error: `record holds more than one CSV line (line break at character ${j}); one Kinesis record carries one row` };
        j++;
      }
      values.push(text.slice(i, j));
      quoted.push(false);
      i = j;
    }
    if (i >= end) break;
    i++; // the delimiter
  }
  return { ok: true, values, quoted };
}
