import type { ScalarValue } from '../../config/data-type.js';
import { DictionaryPrefix } from '../../segment/builders/dictionary-prefix.js';
import { isBitSet } from '../../segment/builders/null-bitmap.js';
import type { Dictionary } from '../../segment/segment-view.js';
import { compareValues, convertTo } from '../functions/values.js';
import { childrenOf } from '../plan/bound-expr.js';
import type { BoundExpr, BoundKind, BoundOf } from '../plan/bound-expr.js';
import { currentDeadline } from './deadline.js';
import { chargeDerived } from './derived-memory.js';
import type { ColumnBlock } from './segment-snapshot.js';
import { isConstantTest, valueTest } from './value-tests.js';
import { JSON_EXTRACT_INDEX, jsonExtractIndexReader } from './json-extract-rows.js';
import type { LeafNode } from './value-tests.js';

/** A compiled expression: its value for one evaluation context (a row index, a result row). */
export type Fn<C> = (ctx: C) => unknown;

/** How the leaves of an expression are read in some context. */
export interface LeafResolver<C> {
  column(e: BoundOf<'column'>): Fn<C>;
  /** `IS NULL` of a column (null handling on); other operands are null only when their value is. */
  columnIsNull(e: BoundOf<'column'>): Fn<C>;
  aggregate(e: BoundOf<'aggregate'>): Fn<C>;
  groupKey(e: BoundOf<'groupKey'>): Fn<C>;
  /** A function call read from an index instead of computed (`JSON_EXTRACT_INDEX`); null: compute it. */
  indexedCall?(e: BoundOf<'call'>): Fn<C> | null;
}

export const truthy = (v: unknown): boolean => v === true || (typeof v === 'number' ? v !== 0 && !Number.isNaN(v) : typeof v === 'bigint' ? v !== 0n : typeof v === 'string' ? v === 'true' : false);

const anyOf = (v: unknown, test: (x: unknown) => boolean): boolean => (Array.isArray(v) ? v.some(test) : test(v));

/** A leaf whose other side is constant (`x = 3`, `x IN (…)`, `x BETWEEN 1 AND 2`, a match): 1 when any value of `f` passes. */
function leafTest<C>(f: Fn<C>, e: LeafNode): Fn<C> {
  const test = valueTest(e);
  return (c) => (anyOf(f(c), test) ? 1 : 0);
}

/**
 * Compiles a bound expression into closures (one per node, built once per block), dispatching
 * through an exhaustive table over `BoundKind`. Booleans are numbers 1/0, as Pinot stores them.
 * Compiled inside a query (`withDeadline`), an expression whose cost per row is unbounded (it
 * handles strings, bytes or multi-value arrays, or matches a pattern) ticks the query's deadline
 * on every evaluation; numeric expressions cost a bounded time per row, so the executor's check
 * after each block is enough for them and they run without the tick.
 */
export function compileExpr<C>(e: BoundExpr, leaf: LeafResolver<C>): Fn<C> {
  const f = compileNode(e, leaf);
  const deadline = currentDeadline();
  if (deadline === undefined || !unboundedPerRow(e)) return f;
  // Inside a query, each evaluation counts its nodes towards the deadline (see `Deadline.tick`).
  const units = countNodes(e);
  return (c) => {
    deadline.tick(units);
    return f(c);
  };
}

function compileNode<C>(e: BoundExpr, leaf: LeafResolver<C>): Fn<C> {
  return (TABLE[e.kind] as (x: BoundExpr, l: LeafResolver<C>) => Fn<C>)(e, leaf);
}

const UNBOUNDED_TYPES = new Set(['STRING', 'BYTES', 'JSON', 'BIG_DECIMAL']);

/** Whether evaluating `e` once may take time that grows with its values (text, arrays, patterns). */
export function unboundedPerRow(e: BoundExpr): boolean {
  if (e.kind === 'column' || e.kind === 'literal' || e.kind === 'aggregate' || e.kind === 'groupKey') return false;
  const walk = (x: BoundExpr): boolean => {
    if (x.kind === 'match' || !x.type.sv || (UNBOUNDED_TYPES.has(x.type.dataType) && x.kind !== 'literal')) return true;
    return childrenOf(x).some(walk);
  };
  return walk(e);
}

function countNodes(e: BoundExpr): number {
  let n = 1;
  for (const c of childrenOf(e)) n += countNodes(c);
  return n;
}

const TABLE: { [K in BoundKind]: <C>(e: BoundOf<K>, leaf: LeafResolver<C>) => Fn<C> } = {
  column: (e, leaf) => leaf.column(e),
  aggregate: (e, leaf) => leaf.aggregate(e),
  groupKey: (e, leaf) => leaf.groupKey(e),
  literal: (e) => {
    const v = e.value;
    return () => v;
  },
  call: (e, leaf) => {
    const indexed = leaf.indexedCall?.(e) ?? null;
    if (indexed !== null) return indexed;
    const impl = e.impl;
    const args = e.args.map((a) => compileNode(a, leaf));
    switch (args.length) {
      case 0:
        return () => impl();
      case 1: {
        const [a] = args as [Fn<unknown>];
        return (c) => impl(a(c));
      }
      case 2: {
        const [a, b] = args as [Fn<unknown>, Fn<unknown>];
        return (c) => impl(a(c), b(c));
      }
      case 3: {
        const [a, b, d] = args as [Fn<unknown>, Fn<unknown>, Fn<unknown>];
        return (c) => impl(a(c), b(c), d(c));
      }
      default:
        return (c) => impl(...args.map((f) => f(c)));
    }
  },
  cast: (e, leaf) => {
    const f = compileNode(e.operand, leaf);
    const t = e.type.dataType;
    const from = e.operand.type.dataType;
    return (c) => {
      const v = f(c);
      if (v === null) return null;
      return Array.isArray(v) ? v.map((x) => convertTo(x, t, from)) : convertTo(v, t, from);
    };
  },
  compare: (e, leaf) => {
    const l = compileNode(e.left, leaf);
    if (isConstantTest(e)) return leafTest(l, e as LeafNode);
    const r = compileNode(e.right, leaf);
    const op = e.op;
    const ok = (x: number): boolean => (op === '=' ? x === 0 : op === '<' ? x < 0 : op === '<=' ? x <= 0 : op === '>' ? x > 0 : x >= 0);
    return (c) => {
      const a = l(c);
      const b = r(c);
      if (a === null || b === null) return 0;
      return anyOf(a, (x) => anyOf(b, (y) => ok(compareValues(x, y)))) ? 1 : 0;
    };
  },
  between: (e, leaf) => {
    const f = compileNode(e.operand, leaf);
    if (isConstantTest(e)) return leafTest(f, e as LeafNode);
    const lo = compileNode(e.low, leaf);
    const hi = compileNode(e.high, leaf);
    return (c) => {
      const l = lo(c);
      const h = hi(c);
      return anyOf(f(c), (x) => compareValues(x, l) >= 0 && compareValues(x, h) <= 0) ? 1 : 0;
    };
  },
  in: (e, leaf) => leafTest(compileNode(e.operand, leaf), e as LeafNode),
  match: (e, leaf) => leafTest(compileNode(e.operand, leaf), e as LeafNode),
  isNull: (e, leaf) => {
    const isNull = e.operand.kind === 'column' ? leaf.columnIsNull(e.operand) : ((f) => (c: Parameters<typeof f>[0]) => f(c) === null)(compileNode(e.operand, leaf));
    return e.negated ? (c) => (isNull(c) ? 0 : 1) : (c) => (isNull(c) ? 1 : 0);
  },
  and: (e, leaf) => {
    const fs = e.operands.map((o) => compileNode(o, leaf));
    return (c) => {
      for (const f of fs) if (!truthy(f(c))) return 0;
      return 1;
    };
  },
  or: (e, leaf) => {
    const fs = e.operands.map((o) => compileNode(o, leaf));
    return (c) => {
      for (const f of fs) if (truthy(f(c))) return 1;
      return 0;
    };
  },
  not: (e, leaf) => {
    const f = compileNode(e.operand, leaf);
    return (c) => (truthy(f(c)) ? 0 : 1);
  },
  case: (e, leaf) => {
    const branches = e.branches.map((b) => ({ when: compileNode(b.when, leaf), then: compileNode(b.then, leaf) }));
    const otherwise = compileNode(e.elseExpr, leaf);
    const t = e.type.dataType;
    const conv = (v: unknown): unknown => (v === null || Array.isArray(v) ? v : convertTo(v, t));
    return (c) => {
      for (const b of branches) if (truthy(b.when(c))) return conv(b.then(c));
      return conv(otherwise(c));
    };
  },
};

const dictValueCache = new WeakMap<Dictionary, ScalarValue[]>();

/**
 * Every value of a dictionary as an array, index = id (cached; grows with a consuming segment's
 * dictionary; counted in the memory budget, `chargeDerived`). For a `DictionaryPrefix` it is the
 * live dictionary's array, which may hold more than `size` entries. Not for a paged dictionary
 * (`Dictionary.paged`): read its values with `get` (see `columnReader`).
 */
export function dictionaryValues(dict: Dictionary): ScalarValue[] {
  if (dict instanceof DictionaryPrefix) dict = dict.base;
  let values = dictValueCache.get(dict);
  if (!values) {
    values = [];
    dictValueCache.set(dict, values);
  }
  let bytes = 0;
  for (let i = values.length; i < dict.size; i++) {
    const v = dict.get(i);
    values.push(v);
    // A slot each; a string is the dictionary's own (counted with it), a number may be boxed, a
    // bigint is an object of its own (24 bytes for a LONG).
    bytes += typeof v === 'string' ? 8 : typeof v === 'bigint' ? 32 : 16;
  }
  chargeDerived(dict, bytes);
  return values;
}

/**
 * The value of a dictionary id, for a reader of many ids: through the pages of a paged dictionary
 * (`Dictionary.paged`: an array of all its values would stay on the heap beside its pages for as
 * long as it is cached), else from `dictionaryValues`' array.
 */
export function dictionaryValueOf(dict: Dictionary): (id: number) => ScalarValue {
  if (dict.paged === true) return (id) => dict.get(id);
  const values = dictionaryValues(dict);
  return (id) => values[id]!;
}

/**
 * A reader of one column's value at a row of a block (a fresh array for multi-value cells). A
 * paged dictionary's values are read one at a time through its pages (`dictionaryValueOf`): an
 * array of all of them (for a top-k selection's few rows of a LONG column at 10M rows, 713k
 * bigints, 23 MiB of heap that every later full collection marked) would keep the dictionary on
 * the heap for as long as it is cached. The single-value path indexes the array itself: it is the
 * row expressions' hot path.
 */
export function columnReader(b: ColumnBlock): (row: number) => unknown {
  const ids = b.dictIds;
  const dict = b.dictionary;
  if (b.offsets === null) {
    if (ids && dict) {
      if (dict.paged === true) return (r) => dict.get(ids[r]!);
      const dv = dictionaryValues(dict);
      return (r) => dv[ids[r]!];
    }
    const values = b.values!;
    return (r) => values[r];
  }
  const offsets = b.offsets;
  if (ids && dict) {
    const value = dictionaryValueOf(dict);
    return (r) => {
      const out: ScalarValue[] = [];
      for (let k = offsets[r]!; k < offsets[r + 1]!; k++) out.push(value(ids[k]!));
      return out;
    };
  }
  const values = b.values!;
  return (r) => {
    const out: ScalarValue[] = [];
    for (let k = offsets[r]!; k < offsets[r + 1]!; k++) out.push(values[k]!);
    return out;
  };
}

/** Compiles a row-level expression over one block: `fn(row)` for rows of the block. */
export function compileRowExpr(e: BoundExpr, block: (column: string) => ColumnBlock): Fn<number> {
  return compileExpr<number>(e, {
    column: (c) => columnReader(block(c.column.name)),
    columnIsNull: (c) => {
      const nulls = block(c.column.name).nulls;
      return nulls ? (r) => isBitSet(nulls, r) : () => false;
    },
    aggregate: () => {
      throw new Error('aggregation result read at row level');
    },
    groupKey: () => {
      throw new Error('group key read at row level');
    },
    indexedCall: (c) => (c.fn === JSON_EXTRACT_INDEX ? jsonExtractIndexReader(c, block) : null),
  });
}
