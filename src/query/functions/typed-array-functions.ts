import type { DataType } from '../../config/data-type.js';
import { mv, sv } from './function-types.js';
import type { ScalarFunction } from './function-types.js';
import { compareValues, convertTo, valueKey } from './values.js';

/**
 * Pinot's typed array functions (`ArrayFunctions`): `arrayReverseInt`, `arraySortString`,
 * `arrayIndexOfInt`, `arrayContainsString`, `arraySliceInt`, `arrayDistinctString`,
 * `arrayRemoveInt`, `arrayUnionString`, `arrayConcatLong`, `arrayElementAtDouble`, … The
 * suffix is the element type: INT, LONG, FLOAT, DOUBLE or STRING; elements are converted to it.
 */
const SUFFIXES: Readonly<Record<string, DataType>> = { int: 'INT', long: 'LONG', float: 'FLOAT', double: 'DOUBLE', string: 'STRING' };

const asArray = (v: unknown): unknown[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);

function family(base: string, suffixes: readonly string[], make: (type: DataType) => Omit<ScalarFunction, 'name'>): ScalarFunction[] {
  return suffixes.map((suffix) => ({ name: `${base}${suffix}`, ...make(SUFFIXES[suffix]!) }));
}

/** Distinct values in first-seen order (Pinot's linked hash sets). */
function distinct(values: readonly unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = valueKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Java's `Arrays.copyOfRange`: `end` past the array pads with the type's zero (null for strings). */
function slice(values: readonly unknown[], start: number, end: number, type: DataType): unknown[] {
  if (start < 0 || start > values.length) throw new Error(`start index ${start} is out of bounds for an array of ${values.length}`);
  if (start > end) throw new Error(`start index ${start} is greater than end index ${end}`);
  const out = values.slice(start, end);
  while (out.length < end - start) out.push(type === 'STRING' ? null : convertTo(0, type));
  return out;
}

const INT_STRING = ['int', 'string'];
const ALL = ['int', 'long', 'float', 'double', 'string'];

export const TYPED_ARRAY_FUNCTIONS: readonly ScalarFunction[] = [
  ...family('arrayreverse', INT_STRING, (t) => ({ minArgs: 1, maxArgs: 1, args: ['mv'], returnType: () => mv(t), build: () => (a: unknown) => asArray(a).map((x) => convertTo(x, t)).reverse() })),
  ...family('arraysort', INT_STRING, (t) => ({ minArgs: 1, maxArgs: 1, args: ['mv'], returnType: () => mv(t), build: () => (a: unknown) => asArray(a).map((x) => convertTo(x, t)).sort(compareValues) })),
  ...family('arrayindexof', INT_STRING, (t) => ({
    minArgs: 2,
    maxArgs: 2,
    args: ['mv', 'sv'],
    returnType: () => sv('INT'),
    build: () => (a: unknown, x: unknown) => {
      const want = convertTo(x, t);
      return asArray(a).findIndex((v) => compareValues(convertTo(v, t), want) === 0);
    },
  })),
  ...family('arraycontains', INT_STRING, (t) => ({
    minArgs: 2,
    maxArgs: 2,
    args: ['mv', 'sv'],
    returnType: () => sv('BOOLEAN'),
    build: () => (a: unknown, x: unknown) => {
      const want = convertTo(x, t);
      return asArray(a).some((v) => compareValues(convertTo(v, t), want) === 0) ? 1 : 0;
    },
  })),
  ...family('arrayslice', INT_STRING, (t) => ({
    minArgs: 3,
    maxArgs: 3,
    args: ['mv', 'numeric', 'numeric'],
    returnType: () => mv(t),
    build: () => (a: unknown, start: unknown, end: unknown) => slice(asArray(a).map((x) => convertTo(x, t)), Number(start), Number(end), t),
  })),
  ...family('arraydistinct', INT_STRING, (t) => ({ minArgs: 1, maxArgs: 1, args: ['mv'], returnType: () => mv(t), build: () => (a: unknown) => distinct(asArray(a).map((x) => convertTo(x, t))) })),
  ...family('arrayremove', INT_STRING, (t) => ({
    minArgs: 2,
    maxArgs: 2,
    args: ['mv', 'sv'],
    returnType: () => mv(t),
    build: () => (a: unknown, x: unknown) => {
      // The first occurrence only (commons-lang `ArrayUtils.removeElement`).
      const values = asArray(a).map((v) => convertTo(v, t));
      const want = convertTo(x, t);
      const i = values.findIndex((v) => compareValues(v, want) === 0);
      if (i >= 0) values.splice(i, 1);
      return values;
    },
  })),
  ...family('arrayunion', INT_STRING, (t) => ({ minArgs: 2, maxArgs: 2, args: ['mv', 'mv'], returnType: () => mv(t), build: () => (a: unknown, b: unknown) => distinct([...asArray(a), ...asArray(b)].map((x) => convertTo(x, t))) })),
  ...family('arrayconcat', ALL, (t) => ({ minArgs: 2, maxArgs: 2, args: ['mv', 'mv'], returnType: () => mv(t), build: () => (a: unknown, b: unknown) => [...asArray(a), ...asArray(b)].map((x) => convertTo(x, t)) })),
  ...family('arrayelementat', ALL, (t) => ({
    minArgs: 2,
    maxArgs: 2,
    args: ['mv', 'numeric'],
    returnType: () => sv(t),
    build: () => (a: unknown, i: unknown) => {
      // 1-based; out of range answers the type's zero ('' for strings), as Pinot does.
      const values = asArray(a);
      const k = Number(i);
      return k >= 1 && k <= values.length ? convertTo(values[k - 1], t) : t === 'STRING' ? '' : convertTo(0, t);
    },
  })),
];
