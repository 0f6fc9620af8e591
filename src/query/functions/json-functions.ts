import { isDataType } from '../../config/data-type.js';
import type { DataType } from '../../config/data-type.js';
import { mv, sv } from './function-types.js';
import type { ScalarFunction } from './function-types.js';
import { convertTo } from './values.js';

type PathStep = string | number | '*';

/** Parses the JsonPath subset Pinot queries use: `$.a.b`, `$['a']`, `$[0]`, `$.a[*]`. */
export function parseJsonPath(path: string): PathStep[] {
  if (!path.startsWith('$')) throw new Error(`JSON path '${path}' must start with '$'`);
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const key = path.slice(i + 1, j);
      if (key === '') throw new Error(`JSON path '${path}' has an empty key`);
      steps.push(key === '*' ? '*' : key);
      i = j;
    } else if (path[i] === '[') {
      const j = path.indexOf(']', i);
      if (j < 0) throw new Error(`JSON path '${path}' has an unclosed '['`);
      const inner = path.slice(i + 1, j).trim();
      if (inner === '*') steps.push('*');
      else if (/^-?\d+$/.test(inner)) steps.push(Number(inner));
      else steps.push(inner.replace(/^['"]|['"]$/g, ''));
      i = j + 1;
    } else {
      throw new Error(`JSON path '${path}' is not valid at position ${i}`);
    }
  }
  return steps;
}

function walk(doc: unknown, steps: readonly PathStep[]): unknown {
  let cur: unknown[] = [doc];
  let multi = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const node of cur) {
      if (step === '*') {
        multi = true;
        if (Array.isArray(node)) next.push(...node);
        else if (node && typeof node === 'object') next.push(...Object.values(node));
      } else if (typeof step === 'number') {
        if (Array.isArray(node)) {
          const v = node[step < 0 ? node.length + step : step];
          if (v !== undefined) next.push(v);
        }
      } else if (node && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, step)) {
        next.push((node as Record<string, unknown>)[step]);
      }
    }
    cur = next;
  }
  return multi ? cur : cur.length === 0 ? undefined : cur[0];
}

function parseResultType(text: unknown): { type: DataType; sv: boolean } {
  const t = String(text).toUpperCase();
  const base = t.endsWith('_ARRAY') ? t.slice(0, -6) : t;
  if (!isDataType(base)) throw new Error(`jsonExtractScalar result type '${String(text)}' is not one of INT, LONG, FLOAT, DOUBLE, BOOLEAN, TIMESTAMP, STRING, BIG_DECIMAL, BYTES (or _ARRAY)`);
  return { type: base, sv: !t.endsWith('_ARRAY') };
}

function scalarText(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
}

/** JSON functions over STRING/JSON columns. */
export const JSON_FUNCTIONS: readonly ScalarFunction[] = [
  {
    name: 'jsonextractscalar',
    minArgs: 3,
    maxArgs: 4,
    args: ['sv', 'literal', 'literal', 'literal'],
    returnType: (a) => {
      const r = parseResultType(a[2]!.literal);
      return r.sv ? sv(r.type) : mv(r.type);
    },
    build: (a) => {
      const path = String(a[1]!.literal);
      const steps = parseJsonPath(path);
      const r = parseResultType(a[2]!.literal);
      const dflt = a.length > 3 ? convertTo(a[3]!.literal, r.type) : undefined;
      return (json: unknown) => {
        let found: unknown;
        try {
          found = walk(JSON.parse(String(json)), steps);
        } catch {
          found = undefined;
        }
        if (!r.sv) {
          return asList(found).map((x) => convertTo(scalarText(x), r.type));
        }
        if (found === undefined || found === null) {
          if (dflt !== undefined) return dflt;
          throw new Error(`Illegal Json Path: [${path}], when reading [${String(json).slice(0, 200)}]`);
        }
        return convertTo(scalarText(found), r.type);
      };
    },
  },
  stringsAtPath('jsonextractkey', (steps) => {
    const parent = steps.slice(0, -1);
    return (json: unknown) => {
      let doc: unknown;
      try {
        doc = walk(JSON.parse(String(json)), parent);
      } catch {
        return [];
      }
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) return Object.keys(doc).map((k) => `$['${k}']`);
      return [];
    };
  }),
  ...jsonPathFunctions(),
];

/**
 * A `(json, 'path')` function returning STRING values (`jsonExtractKey`, `jsonPathArray`):
 * `compile` gets the parsed path once and returns the per-row function.
 */
function stringsAtPath(name: string, compile: (steps: PathStep[]) => (json: unknown) => string[]): ScalarFunction {
  return {
    name,
    minArgs: 2,
    maxArgs: 2,
    args: ['sv', 'literal'],
    returnType: () => mv('STRING'),
    build: (a) => compile(parseJsonPath(String(a[1]!.literal))),
  };
}

/** What a path found, as a list: an array as it is, nothing (undefined or null) as `[]`. */
function asList(found: unknown): unknown[] {
  return Array.isArray(found) ? found : found === undefined || found === null ? [] : [found];
}

/** Reads a JSON document given as text (a STRING/JSON column) or already parsed (an ingestion source field). */
function jsonDocument(json: unknown): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * Pinot's `jsonPathString` / `jsonPathLong` / `jsonPathDouble` / `jsonPathArray` (ingestion
 * transforms use them most). Missing values: STRING null (or the default), LONG Long.MIN_VALUE
 * (or the default), DOUBLE NaN (or the default); arrays hold objects as JSON text.
 */
function jsonPathFunctions(): ScalarFunction[] {
  const scalar = (name: string, type: DataType, missing: unknown): ScalarFunction => ({
    name,
    minArgs: 2,
    maxArgs: 3,
    args: ['sv', 'literal', 'literal'],
    returnType: () => sv(type),
    build: (a) => {
      const steps = parseJsonPath(String(a[1]!.literal));
      const dflt = a.length > 2 ? (a[2]!.literal === null ? null : convertTo(a[2]!.literal, type)) : missing;
      return (json: unknown) => {
        const found = walk(jsonDocument(json), steps);
        if (found === undefined || found === null) return dflt;
        return convertTo(scalarText(found), type);
      };
    },
  });
  return [
    scalar('jsonpathstring', 'STRING', null),
    scalar('jsonpathlong', 'LONG', -9223372036854775808n),
    scalar('jsonpathdouble', 'DOUBLE', Number.NaN),
    stringsAtPath('jsonpatharray', (steps) => (json: unknown) =>
      asList(walk(jsonDocument(json), steps))
        .filter((x) => x !== null)
        .map((x) => String(scalarText(x))),
    ),
  ];
}
