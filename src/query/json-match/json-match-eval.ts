import type { FlatRecord } from '../../segment/indexes/json-flatten.js';
import { flattenJson } from '../../segment/indexes/json-flatten.js';
import type { JsonIndexReader } from '../../segment/indexes/json-index.js';
import { KEY_VALUE_SEPARATOR } from '../../segment/indexes/json-index.js';
import type { StringMatcher } from '../functions/string-matcher.js';
import type { JsonMatchNode, JsonMatchQuery, JsonValueTest } from './json-match-query.js';
import { parseJsonMatch } from './json-match-query.js';

/** Does one flattened value pass a test (range: numbers compared as doubles, else as strings)? */
function valuePasses(test: JsonValueTest, value: string): boolean {
  switch (test.kind) {
    case 'exists':
      return true;
    case 'in':
      return test.values.includes(value);
    case 'range': {
      const cmp = (a: string, b: string): number => {
        if (test.numeric) return Number(a) - Number(b);
        return a < b ? -1 : a > b ? 1 : 0;
      };
      if (test.numeric && (value.trim() === '' || Number.isNaN(Number(value)))) return false;
      if (test.low && !(test.low.inclusive ? cmp(value, test.low.value) >= 0 : cmp(value, test.low.value) > 0)) return false;
      if (test.high && !(test.high.inclusive ? cmp(value, test.high.value) <= 0 : cmp(value, test.high.value) < 0)) return false;
      return true;
    }
  }
}

/** Whether one flattened record satisfies a JSON_MATCH tree (inclusive form). */
export function recordMatches(node: JsonMatchNode, r: FlatRecord): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => recordMatches(c, r));
    case 'or':
      return node.children.some((c) => recordMatches(c, r));
    case 'pred': {
      for (const ik of node.path.indexKeys) if (r.get(ik.key) !== ik.value) return false;
      const v = r.get(node.path.key);
      return v !== undefined && valuePasses(node.test, v);
    }
  }
}

/** Evaluates a parsed JSON_MATCH on one document's stored text (no index: the document is flattened). */
export function jsonDocMatches(query: JsonMatchQuery, text: string): boolean {
  const any = flattenJson(text).some((r) => recordMatches(query.root, r));
  return any !== query.exclusive;
}

function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out[n++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

function union(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 1) return lists[0]!;
  const all = new Set<number>();
  for (const l of lists) for (const x of l) all.add(x);
  return Uint32Array.from([...all].sort((x, y) => x - y));
}

const EMPTY = new Uint32Array(0);

/** Flattened docs matching `node`, from the index's posting lists. */
/** Flattened docs of a JSON index matching a JSON_MATCH tree (inclusive form), ascending. */
export function jsonFlatDocs(node: JsonMatchNode, index: JsonIndexReader): Uint32Array {
  switch (node.kind) {
    case 'and':
      return node.children.map((c) => jsonFlatDocs(c, index)).reduce(intersect);
    case 'or':
      return union(node.children.map((c) => jsonFlatDocs(c, index)));
    case 'pred': {
      const { key, indexKeys } = node.path;
      let docs: Uint32Array;
      const t = node.test;
      if (t.kind === 'exists') docs = index.postings(key) ?? EMPTY;
      else if (t.kind === 'in') docs = union(t.values.map((v) => index.postings(key + KEY_VALUE_SEPARATOR + v) ?? EMPTY));
      else {
        const lists: Uint32Array[] = [];
        const prefix = key + KEY_VALUE_SEPARATOR;
        for (const [k, list] of index.withPrefix(prefix)) if (valuePasses(t, k.slice(prefix.length))) lists.push(list);
        docs = lists.length === 0 ? EMPTY : union(lists);
      }
      for (const ik of indexKeys) docs = intersect(docs, index.postings(ik.key + KEY_VALUE_SEPARATOR + ik.value) ?? EMPTY);
      return docs;
    }
  }
}

/** Sorted segment doc ids matching a JSON_MATCH, answered from the column's JSON index. */
export function jsonIndexDocs(query: JsonMatchQuery, index: JsonIndexReader, numDocs: number): Uint32Array {
  const flat = jsonFlatDocs(query.root, index);
  const hit = new Uint8Array(numDocs);
  for (const f of flat) hit[index.docOf[f]!] = 1;
  let n = 0;
  for (let d = 0; d < numDocs; d++) if ((hit[d] === 1) !== query.exclusive) n++;
  const out = new Uint32Array(n);
  n = 0;
  for (let d = 0; d < numDocs; d++) if ((hit[d] === 1) !== query.exclusive) out[n++] = d;
  return out;
}

/**
 * The string matcher `JSON_MATCH(col, filter)` binds to: `test` flattens the text and evaluates
 * the filter (any segment, any column); `jsonMatch` lets the filter answer it from a sealed
 * segment's JSON index instead.
 */
export interface JsonMatcher extends StringMatcher {
  readonly jsonMatch: JsonMatchQuery;
}

export function jsonMatcher(filter: string): JsonMatcher {
  const jsonMatch = parseJsonMatch(filter);
  return { jsonMatch, test: (text) => jsonDocMatches(jsonMatch, text) };
}

export function isJsonMatcher(m: StringMatcher): m is JsonMatcher {
  return (m as Partial<JsonMatcher>).jsonMatch !== undefined;
}
