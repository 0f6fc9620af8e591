import { describe, expect, it } from 'vitest';
import type { ScalarValue } from '../../../../src/config/data-type.js';
import { sortedIdRange, valueRange, valueTest } from '../../../../src/query/exec/value-tests.js';
import type { LeafNode } from '../../../../src/query/exec/value-tests.js';

const column = { kind: 'column', name: 'c', type: { dataType: 'DOUBLE', sv: true } };
const lit = (value: unknown): unknown => ({ kind: 'literal', name: String(value), type: column.type, value, text: String(value) });
const compare = (op: string, value: unknown): LeafNode => ({ kind: 'compare', name: 'p', type: {}, op, left: column, right: lit(value) }) as unknown as LeafNode;
const between = (lo: unknown, hi: unknown): LeafNode => ({ kind: 'between', name: 'p', type: {}, operand: column, low: lit(lo), high: lit(hi) }) as unknown as LeafNode;
const inList = (values: unknown[]): LeafNode => ({ kind: 'in', name: 'p', type: {}, operand: column, values }) as unknown as LeafNode;

/** Every id passing the test lies in the narrowed range (so testing only those ids is exact). */
function check(sorted: ScalarValue[], literals: unknown[]): number {
  const nodes: LeafNode[] = [];
  for (const v of literals) for (const op of ['=', '<', '<=', '>', '>=']) nodes.push(compare(op, v));
  for (const a of literals) for (const b of literals) nodes.push(between(a, b));
  nodes.push(inList(literals.slice(0, 3)));
  let narrowed = 0;
  for (const node of nodes) {
    const range = valueRange(node);
    if (range === null) continue;
    const [from, to] = sortedIdRange(sorted, sorted.length, range);
    if (to - from < sorted.length) narrowed++;
    const test = valueTest(node);
    sorted.forEach((v, i) => {
      if (test(v)) expect(i >= from && i < to, `${String(v)} passes ${node.kind} but id ${i} is outside [${from}, ${to})`).toBe(true);
    });
  }
  return narrowed;
}

describe('sortedIdRange', () => {
  it('narrows numbers, keeping -0 with 0 and leaving NaN out', () => {
    const sorted = [Number.NEGATIVE_INFINITY, -5, -0, 0, 0.5, 2, 7, Number.POSITIVE_INFINITY, Number.NaN, Number.NaN];
    expect(check(sorted, [-5, -0, 0, 1, 7, 100, Number.POSITIVE_INFINITY])).toBeGreaterThan(0);
    expect(sortedIdRange(sorted, sorted.length, { lo: 0, loInclusive: true, hi: 0, hiInclusive: true })).toEqual([2, 4]);
  });

  it('keeps every id for a NaN bound or a literal of another type', () => {
    const sorted = [1, 2, Number.NaN];
    expect(sortedIdRange(sorted, 3, { lo: Number.NaN, loInclusive: true, hi: null, hiInclusive: false })).toEqual([0, 3]);
    expect(sortedIdRange(sorted, 3, { lo: 1n, loInclusive: true, hi: null, hiInclusive: false })).toEqual([0, 3]);
    check(sorted, [Number.NaN, 1]);
  });

  it('narrows bigints and strings', () => {
    expect(check([-(2n ** 63n), -1n, 0n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n], [0n, 2n ** 53n + 1n, 5n])).toBeGreaterThan(0);
    expect(check(['', 'A', 'B', 'a', 'b', 'é', '😀'], ['B', 'a', 'zz', ''])).toBeGreaterThan(0);
  });
});
