import { describe, expect, it } from 'vitest';
import type { BoundExpr } from '../../../../src/query/plan/bound-expr.js';
import { numericBounds, rangeFloat32, rangeFloat64, rangeInt32, rangeInt64 } from '../../../../src/query/exec/range-kernels.js';
import type { RawElement } from '../../../../src/query/exec/range-kernels.js';
import { valueRange, valueTest } from '../../../../src/query/exec/value-tests.js';
import type { LeafNode } from '../../../../src/query/exec/value-tests.js';

const column = { kind: 'column', name: 'c', type: { dataType: 'DOUBLE', sv: true } } as unknown as BoundExpr;
const lit = (value: unknown): BoundExpr => ({ kind: 'literal', name: String(value), type: { dataType: 'DOUBLE', sv: true }, value, text: String(value) }) as unknown as BoundExpr;
const compare = (op: string, value: unknown): LeafNode => ({ kind: 'compare', name: 'p', type: {}, op, left: column, right: lit(value) }) as unknown as LeafNode;
const between = (lo: unknown, hi: unknown): LeafNode => ({ kind: 'between', name: 'p', type: {}, operand: column, low: lit(lo), high: lit(hi) }) as unknown as LeafNode;

type Values = Int32Array | Float32Array | Float64Array | BigInt64Array;

/** Runs the kernel for `node` over `values`; null when the leaf must keep the generic test. */
function kernel(node: LeafNode, values: Values, cand: Int32Array | null, branchy: boolean): number[] | null {
  const element: RawElement = values instanceof Int32Array ? 'int32' : values instanceof BigInt64Array ? 'int64' : 'float';
  const b = numericBounds(valueRange(node)!, element);
  if (b === null) return null;
  const count = cand ? cand.length : values.length;
  const out = new Int32Array(count);
  let n = 0;
  if (b.kind === 'int64') n = rangeInt64(values as BigInt64Array, b.lo, b.hi, cand, count, out);
  else if (b.kind === 'number') {
    if (values instanceof Int32Array) n = rangeInt32(values, b.lo, b.hi, cand, count, out, branchy);
    else if (values instanceof Float32Array) n = rangeFloat32(values, b.lo, b.hi, cand, count, out, branchy);
    else n = rangeFloat64(values as Float64Array, b.lo, b.hi, cand, count, out, branchy);
  }
  return Array.from(out.subarray(0, n));
}

/** The rows the generic per-value test passes (what the kernels must reproduce). */
function expected(node: LeafNode, values: Values, cand: Int32Array | null): number[] {
  const test = valueTest(node);
  const rows = cand ? Array.from(cand) : Array.from({ length: values.length }, (_, i) => i);
  return rows.filter((r) => test(values[r]));
}

function predicates(literals: readonly unknown[]): LeafNode[] {
  const out: LeafNode[] = [];
  for (const v of literals) for (const op of ['=', '<', '<=', '>', '>=']) out.push(compare(op, v));
  for (const lo of literals) for (const hi of literals) out.push(between(lo, hi));
  return out;
}

/** Checks every predicate over `values`, all rows and every other row, both loop forms. */
function checkAll(values: Values, literals: readonly unknown[]): { fast: number; generic: number } {
  const odd = Int32Array.from({ length: values.length >> 1 }, (_, i) => 2 * i + 1);
  let fast = 0;
  let generic = 0;
  for (const node of predicates(literals)) {
    for (const cand of [null, odd]) {
      for (const branchy of [false, true]) {
        const got = kernel(node, values, cand, branchy);
        if (got === null) {
          generic++;
          continue;
        }
        fast++;
        expect(got, `${JSON.stringify(node, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))} branchy=${branchy}`).toEqual(expected(node, values, cand));
      }
    }
  }
  return { fast, generic };
}

describe('numeric range filter loops agree with the per-value tests', () => {
  it('INT: int32 extremes, fractions and infinities', () => {
    const values = Int32Array.from([-2147483648, -2147483647, -3, -1, 0, 1, 2, 3, 99, 100, 101, 2000, 2147483646, 2147483647]);
    const r = checkAll(values, [-2147483648, -2.5, -1, 0, 2.5, 100, 2147483647, 3e9, -3e9, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(r.generic).toBe(0);
  });

  it('DOUBLE: NaN never passes, -0 equals 0, exclusive bounds at the next double', () => {
    const values = Float64Array.from([Number.NaN, Number.NEGATIVE_INFINITY, -Number.MAX_VALUE, -1, -0, 0, Number.MIN_VALUE, 0.1, 99.99, 100, 100.00000000000001, 999.9, Number.MAX_VALUE, Number.POSITIVE_INFINITY]);
    const r = checkAll(values, [Number.NEGATIVE_INFINITY, -1, -0, 0, 0.1, 100, 999.9, Number.MAX_VALUE, Number.POSITIVE_INFINITY]);
    expect(r.generic).toBe(0);
    // A NaN literal keeps the generic test (NaN equals NaN there, as in Java's Double.compare).
    expect(kernel(compare('=', Number.NaN), values, null, false)).toBeNull();
    expect(checkAll(values, [Number.NaN, 1]).generic).toBeGreaterThan(0);
  });

  it('FLOAT: float32 values against double literals', () => {
    const values = Float32Array.from([Number.NaN, Number.NEGATIVE_INFINITY, -1.5, -0, 0, Math.fround(12.1), 12.1, 100, Number.POSITIVE_INFINITY]);
    const r = checkAll(values, [Math.fround(12.1), 12.1, -0, 0, 100, Number.POSITIVE_INFINITY]);
    expect(r.generic).toBe(0);
  });

  it('LONG: exact beyond 2^53, bigint and number literals, int64 extremes', () => {
    const values = BigInt64Array.from([-(2n ** 63n), -(2n ** 63n) + 1n, -(2n ** 53n) - 1n, -3n, -1n, 0n, 1n, 2n, 3n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 53n + 2n, 2n ** 63n - 1n]);
    const r = checkAll(values, [-(2n ** 63n), -(2n ** 63n) - 5n, -3n, 0n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n, -2.5, 2.5, 0, 3, 9007199254740991]);
    expect(r.generic).toBe(0);
    // Doubles beyond 2^53 compare through Number(v) there: kept generic, not approximated.
    expect(kernel(compare('>', 2 ** 60), values, null, false)).toBeNull();
    expect(kernel(compare('<', Number.POSITIVE_INFINITY), values, null, false)).toBeNull();
  });
});
