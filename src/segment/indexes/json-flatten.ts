/**
 * Pinot's JSON flattening (the model behind its JSON index and `JSON_MATCH`), default settings:
 * a JSON document becomes a list of flat records, each a map from a key path to the value's
 * text. Object fields add `.<name>` to the path; every array element adds `.` and produces its
 * own records, with `.$index` = the element's position. Sibling arrays multiply (one record per
 * combination); JSON `null`, empty arrays and empty objects produce no keys. Scalars are stored
 * as text: strings as they are, numbers as JavaScript prints them, booleans `true`/`false`.
 *
 * @example
 *   flattenJson('{"name":"adam","addresses":[{"country":"us"},{"country":"ca"}]}')
 *   // [{ '.name': 'adam', '.addresses.$index': '0', '.addresses..country': 'us' },
 *   //  { '.name': 'adam', '.addresses.$index': '1', '.addresses..country': 'ca' }]
 */
export type FlatRecord = ReadonlyMap<string, string>;

/** Most records one document may flatten to (Pinot's `MAX_COMBINATIONS`); past it the document is not indexed. */
export const MAX_FLAT_RECORDS = 100_000;

const ARRAY_INDEX_KEY = '.$index';

/**
 * The flat records of a JSON text: none when the text is not valid JSON, is `null`, has no
 * scalar anywhere, or flattens to more than {@link MAX_FLAT_RECORDS} records (such a document
 * matches no inclusive `JSON_MATCH` predicate, on every segment alike).
 */
export function flattenJson(text: string): FlatRecord[] {
  let node: unknown;
  try {
    node = JSON.parse(text);
  } catch {
    return [];
  }
  try {
    return flatten(node);
  } catch (err) {
    if (err instanceof TooManyRecords) return [];
    throw err;
  }
}

class TooManyRecords extends Error {}

function scalarText(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

/** The records of `node`, whose keys all start with `prefix` (built once per key, no re-prefixing). */
function flatten(node: unknown, prefix = ''): Map<string, string>[] {
  if (node === null || node === undefined) return [];
  if (typeof node !== 'object') return [new Map([[prefix, scalarText(node as string | number | boolean)]])];
  if (Array.isArray(node)) {
    const out: Map<string, string>[] = [];
    const indexKey = prefix + ARRAY_INDEX_KEY;
    const childPrefix = `${prefix}.`;
    node.forEach((child, i) => {
      for (const r of flatten(child, childPrefix)) {
        r.set(indexKey, String(i));
        out.push(r);
      }
    });
    if (out.length > MAX_FLAT_RECORDS) throw new TooManyRecords();
    return out;
  }
  const single = new Map<string, string>();
  const nested: Map<string, string>[][] = [];
  for (const [field, child] of Object.entries(node as Record<string, unknown>)) {
    const records = flatten(child, `${prefix}.${field}`);
    if (records.length === 0) continue;
    if (records.length === 1) for (const [k, v] of records[0]!) single.set(k, v);
    else nested.push(records);
  }
  if (nested.length === 0) return single.size === 0 ? [] : [single];
  let results: Map<string, string>[];
  if (nested.length === 1) results = nested[0]!;
  else {
    let total = 1;
    for (const n of nested) {
      total *= n.length;
      if (total > MAX_FLAT_RECORDS) throw new TooManyRecords();
    }
    results = [new Map()];
    for (const n of nested) {
      const next: Map<string, string>[] = [];
      for (const cur of results) for (const r of n) next.push(new Map([...cur, ...r]));
      results = next;
    }
  }
  for (const r of results) for (const [k, v] of single) r.set(k, v);
  return results;
}
