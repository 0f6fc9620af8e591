import { describe, expect, it } from 'vitest';
import { childrenOf, mapChildren, parseSql } from '../../../../src/query/parser/index.js';
import type { Expr, ExprKind, ExprOf } from '../../../../src/query/parser/index.js';

const col = (name: string): ExprOf<'column'> => ({ kind: 'column', name, pos: 0 });
const num = (text: string): ExprOf<'literal'> => ({ kind: 'literal', value: { type: 'number', text }, pos: 0 });
const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(col) as [Expr, Expr, Expr, Expr, Expr];

/** One node of every kind with its children in written order. Typed on ExprKind: a new kind must be added here. */
const SAMPLES: { readonly [K in ExprKind]: { readonly node: ExprOf<K>; readonly children: readonly Expr[] } } = {
  column: { node: col('x'), children: [] },
  star: { node: { kind: 'star', pos: 0 }, children: [] },
  literal: { node: num('1'), children: [] },
  call: { node: { kind: 'call', name: 'concat', args: [a, b, c], distinct: false, filter: null, pos: 0 }, children: [a, b, c] },
  arithmetic: { node: { kind: 'arithmetic', op: '-', left: a, right: b, pos: 0 }, children: [a, b] },
  negate: { node: { kind: 'negate', operand: a, pos: 0 }, children: [a] },
  compare: { node: { kind: 'compare', op: '>=', left: a, right: b, pos: 0 }, children: [a, b] },
  and: { node: { kind: 'and', operands: [a, b, c], pos: 0 }, children: [a, b, c] },
  or: { node: { kind: 'or', operands: [a, b], pos: 0 }, children: [a, b] },
  not: { node: { kind: 'not', operand: a, pos: 0 }, children: [a] },
  between: { node: { kind: 'between', operand: a, low: b, high: c, negated: true, pos: 0 }, children: [a, b, c] },
  in: { node: { kind: 'in', operand: a, values: [b, c], negated: false, pos: 0 }, children: [a, b, c] },
  like: { node: { kind: 'like', operand: a, pattern: b, negated: true, pos: 0 }, children: [a, b] },
  isNull: { node: { kind: 'isNull', operand: a, negated: true, pos: 0 }, children: [a] },
  case: {
    node: {
      kind: 'case',
      branches: [
        { when: a, then: b },
        { when: c, then: d },
      ],
      elseExpr: e,
      pos: 0,
    },
    children: [a, b, c, d, e],
  },
  cast: { node: { kind: 'cast', operand: a, targetType: 'BIGINT', pos: 0 }, children: [a] },
};

const samples = Object.values(SAMPLES) as { node: Expr; children: readonly Expr[] }[];
const upper = (x: Expr): Expr => (x.kind === 'column' ? { ...x, name: x.name.toUpperCase() } : x);

describe('childrenOf', () => {
  it.each(samples.map((s) => [s.node.kind, s] as const))('lists the children of %s in written order', (_, { node, children }) => {
    expect(childrenOf(node)).toHaveLength(children.length);
    childrenOf(node).forEach((child, i) => expect(child).toBe(children[i]));
  });

  it('leaves out a missing CASE ELSE', () => {
    expect(childrenOf({ kind: 'case', branches: [{ when: a, then: b }], elseExpr: null, pos: 0 })).toEqual([a, b]);
  });

  it('reaches every node kind of a parsed statement', () => {
    const stmt = parseSql(
      "SELECT CASE WHEN -a + 1 > 2 AND NOT b IS NULL OR c LIKE 'x%' THEN CAST(d AS BIGINT) ELSE abs(e) END, count(*) FROM t WHERE f BETWEEN 1 AND 2 AND g IN (1, 2)",
    );
    const seen = new Set<ExprKind>();
    const walk = (x: Expr): void => {
      seen.add(x.kind);
      childrenOf(x).forEach(walk);
    };
    for (const item of stmt.select) walk(item.expr);
    walk(stmt.where!);
    expect([...seen].sort()).toEqual(Object.keys(SAMPLES).sort());
  });
});

describe('mapChildren', () => {
  it.each(samples.map((s) => [s.node.kind, s] as const))('maps the children of %s and keeps its other fields', (_, { node, children }) => {
    const before = structuredClone(node);
    const visited: Expr[] = [];
    const mapped = mapChildren(node, (x) => {
      visited.push(x);
      return upper(x);
    });
    expect(visited).toEqual(children);
    expect(mapped.kind).toBe(node.kind);
    expect(childrenOf(mapped)).toEqual(children.map(upper));
    // Fields that are not children survive unchanged; the input is not modified.
    const strip = (x: Expr): Record<string, unknown> => Object.fromEntries(Object.entries(x).filter(([, v]) => typeof v !== 'object' || v === null || !('kind' in v || Array.isArray(v))));
    expect(strip(mapped)).toEqual(strip(node));
    expect(node).toEqual(before);
  });

  it('returns leaves as they are', () => {
    for (const kind of ['column', 'star', 'literal'] as const) {
      const node = SAMPLES[kind].node;
      expect(mapChildren(node, () => num('9'))).toBe(node);
    }
  });

  it('keeps a missing CASE ELSE missing', () => {
    const mapped = mapChildren({ kind: 'case', branches: [{ when: a, then: b }], elseExpr: null, pos: 0 }, upper) as ExprOf<'case'>;
    expect(mapped.elseExpr).toBeNull();
    expect(mapped.branches).toEqual([{ when: col('A'), then: col('B') }]);
  });

  it('rewrites a whole tree when applied recursively', () => {
    const stmt = parseSql("SELECT x FROM t WHERE CASE WHEN abs(a) > 1 THEN CAST(b AS INT) ELSE -c END IN (1, 2) AND d LIKE 'q%' AND e IS NOT NULL");
    const rename = (x: Expr): Expr => (x.kind === 'column' ? upper(x) : mapChildren(x, rename));
    const names: string[] = [];
    const collect = (x: Expr): void => {
      if (x.kind === 'column') names.push(x.name);
      childrenOf(x).forEach(collect);
    };
    collect(rename(stmt.where!));
    expect(names).toEqual(['A', 'B', 'C', 'D', 'E']);
  });
});
