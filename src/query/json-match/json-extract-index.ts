import type { DataType } from '../../config/data-type.js';
import { flattenJson } from '../../segment/indexes/json-flatten.js';
import type { JsonIndexReader } from '../../segment/indexes/json-index.js';
import { KEY_VALUE_SEPARATOR } from '../../segment/indexes/json-index.js';
import { sv } from '../functions/function-types.js';
import type { ArgInfo, ScalarFunction } from '../functions/function-types.js';
import { convertTo } from '../functions/values.js';
import { QueryError } from '../query-error.js';
import { jsonFlatDocs, recordMatches } from './json-match-eval.js';
import { keyPath, parseJsonMatch } from './json-match-query.js';
import type { JsonKeyPath, JsonMatchQuery } from './json-match-query.js';

/** The canonical name of `JSON_EXTRACT_INDEX` / `jsonExtractIndex`. */
export const JSON_EXTRACT_INDEX = 'jsonextractindex';

const RESULT_TYPES = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BOOLEAN', 'TIMESTAMP', 'BIG_DECIMAL']);

/** The literal arguments of one `JSON_EXTRACT_INDEX(col, 'path', 'TYPE' [, default [, 'filter']])`, parsed once. */
export interface JsonExtractSpec {
  readonly path: string;
  readonly key: JsonKeyPath;
  readonly type: DataType;
  /** The default for docs without a value at the path; undefined: such a doc is an error. */
  readonly dflt: unknown;
  /** Only flattened records matching this JSON_MATCH filter give values; null: all. */
  readonly filter: JsonMatchQuery | null;
}

const bad = (why: string): Error => new Error(`jsonExtractIndex: ${why}`);

export function jsonExtractSpec(args: readonly ArgInfo[]): JsonExtractSpec {
  const path = String(args[1]!.literal);
  if (!path.startsWith('$')) throw bad(`path '${path}' must start with '$'`);
  const type = String(args[2]!.literal).toUpperCase();
  if (type.endsWith('_ARRAY')) throw bad(`result type ${type} is not supported (single values only: INT, LONG, FLOAT, DOUBLE, STRING, BOOLEAN, TIMESTAMP, BIG_DECIMAL)`);
  if (!RESULT_TYPES.has(type)) throw bad(`result type '${String(args[2]!.literal)}' is not one of INT, LONG, FLOAT, DOUBLE, STRING, BOOLEAN, TIMESTAMP, BIG_DECIMAL`);
  const key = keyPath(path, path);
  const dflt = args.length > 3 && args[3]!.literal !== null ? convertTo(args[3]!.literal, type as DataType) : undefined;
  const filter = args.length > 4 && args[4]!.literal !== null ? parseJsonMatch(String(args[4]!.literal)) : null;
  return { path, key, type: type as DataType, dflt, filter };
}

function missing(spec: JsonExtractSpec, where: string): unknown {
  if (spec.dflt !== undefined) return spec.dflt;
  throw new Error(`Illegal Json Path: [${spec.path}], for ${where}`);
}

/**
 * The value of one document's text, from its flattened records (the JSON index's model): the
 * first record (in flattening order) holding the path, with the path's `[n]` elements, and
 * matching the filter. Used where the segment has no JSON index (consuming segments).
 */
export function extractFromText(spec: JsonExtractSpec, text: unknown): unknown {
  const { key, indexKeys } = spec.key;
  for (const r of flattenJson(String(text))) {
    if (indexKeys.some((ik) => r.get(ik.key) !== ik.value)) continue;
    if (spec.filter !== null && recordMatches(spec.filter.root, r) === spec.filter.exclusive) continue;
    const v = r.get(key);
    if (v !== undefined) return convertTo(v, spec.type);
  }
  return missing(spec, `doc [${String(text).slice(0, 200)}]`);
}

const perIndex = new WeakMap<JsonIndexReader, Map<string, readonly (string | undefined)[]>>();

/** The raw text value of every doc of a segment at the spec's path, read from its JSON index (once per index, path and filter). */
function indexTexts(spec: JsonExtractSpec, index: JsonIndexReader, numDocs: number): readonly (string | undefined)[] {
  let cache = perIndex.get(index);
  if (cache === undefined) perIndex.set(index, (cache = new Map()));
  const cacheKey = `${spec.path}\u0000${spec.filter?.text ?? ''}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined) return hit;
  const numFlat = index.docOf.length;
  // Flattened docs allowed by the path's [n] elements and the filter (1 = allowed).
  const allowed = new Uint8Array(numFlat).fill(1);
  const keep = (docs: Uint32Array, invert: boolean): void => {
    const mark = new Uint8Array(numFlat);
    for (const f of docs) mark[f] = 1;
    for (let f = 0; f < numFlat; f++) if ((mark[f] === 1) === invert) allowed[f] = 0;
  };
  for (const ik of spec.key.indexKeys) keep(index.postings(ik.key + KEY_VALUE_SEPARATOR + ik.value) ?? new Uint32Array(0), false);
  if (spec.filter !== null) keep(jsonFlatDocs(spec.filter.root, index), spec.filter.exclusive);
  const texts: (string | undefined)[] = new Array<string | undefined>(numDocs).fill(undefined);
  const firstFlat = new Float64Array(numDocs).fill(Number.POSITIVE_INFINITY);
  const prefix = spec.key.key + KEY_VALUE_SEPARATOR;
  for (const [k, flats] of index.withPrefix(prefix)) {
    const value = k.slice(prefix.length);
    for (const f of flats) {
      if (allowed[f] === 0) continue;
      const doc = index.docOf[f]!;
      if (f < firstFlat[doc]!) {
        firstFlat[doc] = f;
        texts[doc] = value;
      }
    }
  }
  cache.set(cacheKey, texts);
  return texts;
}

/**
 * Values of `spec` for the docs `firstDoc .. firstDoc + n - 1` of a sealed segment, from the
 * column's JSON index (Pinot's JsonExtractIndexTransformFunction): the index's value of the path
 * in the doc's first matching flattened record, converted to the result type; a doc without one
 * takes the default, or fails the query.
 */
export function extractFromIndex(spec: JsonExtractSpec, index: JsonIndexReader, numDocs: number, firstDoc: number): (row: number) => unknown {
  const texts = indexTexts(spec, index, numDocs);
  return (row) => {
    const t = texts[firstDoc + row];
    return t === undefined ? missing(spec, `docId [${firstDoc + row}]`) : convertTo(t, spec.type);
  };
}

/** The error of a sealed segment whose column has no JSON index. */
export function noJsonIndexError(column: string, segment: string): QueryError {
  return new QueryError('QUERY_EXECUTION', `jsonExtractIndex can only be applied on a column with a JSON index: column ${column} has none in segment ${segment} (add it to jsonIndexColumns, then reload)`);
}

/**
 * `JSON_EXTRACT_INDEX(col, 'path', 'TYPE' [, default [, 'jsonMatchFilter']])`. The row-level
 * implementation here reads the document text (consuming segments, which have no JSON index);
 * sealed segments read the index instead (`compileRowExpr`), with the same answers.
 */
export const JSON_EXTRACT_INDEX_FUNCTION: ScalarFunction = {
  name: JSON_EXTRACT_INDEX,
  minArgs: 3,
  maxArgs: 5,
  args: ['sv', 'literal', 'literal', 'literal', 'literal'],
  returnType: (a) => sv(jsonExtractSpec(a).type),
  build: (a) => {
    const spec = jsonExtractSpec(a);
    return (json: unknown) => extractFromText(spec, json);
  },
};
