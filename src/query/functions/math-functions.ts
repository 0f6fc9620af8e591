import { sv } from './function-types.js';
import type { ScalarFunction } from './function-types.js';
import { toNumber } from './values.js';

const DOUBLE = (): ReturnType<ScalarFunction['returnType']> => sv('DOUBLE');

function unary(name: string, f: (x: number) => number, aliases?: string[]): ScalarFunction {
  return { name, ...(aliases ? { aliases } : {}), minArgs: 1, maxArgs: 1, args: ['numeric'], returnType: DOUBLE, build: () => (a: unknown) => f(toNumber(a)) };
}

function binary(name: string, f: (x: number, y: number) => number, aliases?: string[]): ScalarFunction {
  return { name, ...(aliases ? { aliases } : {}), minArgs: 2, maxArgs: 2, args: ['numeric'], returnType: DOUBLE, build: () => (a: unknown, b: unknown) => f(toNumber(a), toNumber(b)) };
}

/**
 * `add` / `mult`: two or more arguments. Two (the `+` and `*` operators) run `two` directly, with
 * the operator written out; more fold `op` over the arguments from `identity`.
 */
function variadic(name: string, aliases: string[], two: (a: unknown, b: unknown) => number, op: (s: number, x: number) => number, identity: number): ScalarFunction {
  return {
    name,
    aliases,
    minArgs: 2,
    maxArgs: Number.POSITIVE_INFINITY,
    args: ['numeric'],
    returnType: DOUBLE,
    build: (args) => (args.length === 2 ? two : (...v: unknown[]) => v.reduce<number>((s, x) => op(s, toNumber(x)), identity)),
  };
}

/** Java's `Math.round` (half up) to `scale` decimals, as Pinot's `roundDecimal`. */
function roundTo(x: number, scale: number): number {
  if (!Number.isFinite(x)) return x;
  const p = 10 ** scale;
  return Math.floor(x * p + 0.5) / p;
}

/**
 * Arithmetic and math functions. As in Pinot's single-stage engine, arithmetic (`add`, `+`, …)
 * and math results are DOUBLE whatever the argument types.
 */
export const MATH_FUNCTIONS: readonly ScalarFunction[] = [
  variadic('add', ['plus'], (a, b) => toNumber(a) + toNumber(b), (s, x) => s + x, 0),
  binary('sub', (a, b) => a - b, ['minus']),
  variadic('mult', ['times'], (a, b) => toNumber(a) * toNumber(b), (s, x) => s * x, 1),
  binary('div', (a, b) => a / b, ['divide']),
  binary('mod', (a, b) => a % b, ['modulus']),
  binary('power', (a, b) => a ** b, ['pow']),
  binary('atan2', (a, b) => Math.atan2(a, b)),
  unary('abs', Math.abs),
  unary('ceil', Math.ceil, ['ceiling']),
  unary('floor', Math.floor),
  unary('exp', Math.exp),
  unary('ln', Math.log, ['log']),
  unary('log2', Math.log2),
  unary('log10', Math.log10),
  unary('sqrt', Math.sqrt),
  unary('cbrt', Math.cbrt),
  unary('sign', Math.sign, ['signum']),
  unary('sin', Math.sin),
  unary('cos', Math.cos),
  unary('tan', Math.tan),
  unary('asin', Math.asin),
  unary('acos', Math.acos),
  unary('atan', Math.atan),
  unary('degrees', (x) => (x * 180) / Math.PI),
  unary('radians', (x) => (x * Math.PI) / 180),
  {
    name: 'negate',
    minArgs: 1,
    maxArgs: 1,
    args: ['numeric'],
    returnType: DOUBLE,
    build: () => (a: unknown) => -toNumber(a),
  },
  {
    name: 'round',
    aliases: ['rounddecimal'],
    minArgs: 1,
    maxArgs: 2,
    args: ['numeric', 'numeric'],
    returnType: DOUBLE,
    build: (args) => (args.length === 1 ? (a: unknown) => roundTo(toNumber(a), 0) : (a: unknown, s: unknown) => roundTo(toNumber(a), toNumber(s))),
  },
  {
    name: 'truncate',
    minArgs: 1,
    maxArgs: 2,
    args: ['numeric', 'numeric'],
    returnType: DOUBLE,
    build: (args) =>
      args.length === 1
        ? (a: unknown) => Math.trunc(toNumber(a))
        : (a: unknown, s: unknown) => {
            const p = 10 ** toNumber(s);
            return Math.trunc(toNumber(a) * p) / p;
          },
  },
  {
    name: 'least',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    args: ['numeric'],
    returnType: DOUBLE,
    build: () => (...v: unknown[]) => Math.min(...v.map(toNumber)),
  },
  {
    name: 'greatest',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    args: ['numeric'],
    returnType: DOUBLE,
    build: () => (...v: unknown[]) => Math.max(...v.map(toNumber)),
  },
];
