import { mv, sv } from './function-types.js';
import type { ScalarFunction } from './function-types.js';
import { compareValues, toNumber, valueKey } from './values.js';

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** Functions over multi-value columns (Pinot's `arrayLength`, `valueIn`, `mapValue`, …). */
export const ARRAY_FUNCTIONS: readonly ScalarFunction[] = [
  {
    name: 'arraylength',
    aliases: ['cardinality'],
    minArgs: 1,
    maxArgs: 1,
    returnType: () => sv('INT'),
    build: () => (v: unknown) => asArray(v).length,
  },
  {
    name: 'valuein',
    minArgs: 2,
    maxArgs: Number.POSITIVE_INFINITY,
    args: ['mv', 'literal'],
    returnType: (a) => mv(a[0]!.type.dataType),
    build: (a) => {
      const keep = new Set(a.slice(1).map((x) => valueKey(x.literal)));
      return (v: unknown) => asArray(v).filter((x) => keep.has(valueKey(x)));
    },
  },
  {
    name: 'mapvalue',
    minArgs: 3,
    maxArgs: 3,
    args: ['mv', 'sv', 'mv'],
    returnType: (a) => sv(a[2]!.type.dataType),
    build: () => (keys: unknown, key: unknown, values: unknown) => {
      const k = asArray(keys);
      const i = k.findIndex((x) => compareValues(x, key) === 0);
      // A missing key has no value: null, which no comparison matches.
      return i < 0 ? null : (asArray(values)[i] ?? null);
    },
  },
  {
    name: 'arraymax',
    minArgs: 1,
    maxArgs: 1,
    args: ['mv'],
    returnType: (a) => sv(a[0]!.type.dataType),
    build: () => (v: unknown) => asArray(v).reduce((m, x) => (m === undefined || compareValues(x, m) > 0 ? x : m), undefined),
  },
  {
    name: 'arraymin',
    minArgs: 1,
    maxArgs: 1,
    args: ['mv'],
    returnType: (a) => sv(a[0]!.type.dataType),
    build: () => (v: unknown) => asArray(v).reduce((m, x) => (m === undefined || compareValues(x, m) < 0 ? x : m), undefined),
  },
  {
    name: 'arraysum',
    minArgs: 1,
    maxArgs: 1,
    args: ['mv'],
    returnType: () => sv('DOUBLE'),
    build: () => (v: unknown) => asArray(v).reduce<number>((s, x) => s + toNumber(x), 0),
  },
  {
    name: 'arrayaverage',
    minArgs: 1,
    maxArgs: 1,
    args: ['mv'],
    returnType: () => sv('DOUBLE'),
    build: () => (v: unknown) => {
      const a = asArray(v);
      return a.reduce<number>((s, x) => s + toNumber(x), 0) / a.length;
    },
  },
];
