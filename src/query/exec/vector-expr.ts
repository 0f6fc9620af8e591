import { storedTypeOf } from '../../config/data-type.js';
import type { BoundExpr } from '../plan/bound-expr.js';

/** Arithmetic the vector evaluator runs, by the bound call's function name (two arguments). */
const OPS: Record<string, 'add' | 'sub' | 'mult' | 'div' | 'mod'> = {
  add: 'add', plus: 'add', sub: 'sub', minus: 'sub', mult: 'mult', times: 'mult', div: 'div', divide: 'div', mod: 'mod', modulus: 'mod',
};
const NUMERIC_STORED = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE']);

/**
 * Whether `e` is arithmetic (`+ - * / %`, two operands) over numeric single-value columns and
 * numeric literals, which `evalVector` computes a block at a time. The scalar functions compute
 * these in doubles after `toNumber` of each operand, so the vector form gives the same numbers.
 */
export function vectorizable(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'column':
      return e.type.sv && NUMERIC_STORED.has(storedTypeOf(e.type.dataType));
    case 'literal':
      return typeof e.value === 'number' || typeof e.value === 'bigint';
    case 'call':
      return OPS[e.fn] !== undefined && e.args.length === 2 && e.args.every(vectorizable);
    default:
      return false;
  }
}

/**
 * Evaluates a `vectorizable` expression for `n` rows into `out[0..n)`, node by node over
 * whole arrays: each column is gathered once per block however often it appears (a common
 * subexpression on a column is read once), each operator is one tight loop. `gather(column, buf)`
 * writes a column's numbers for the rows.
 */
export class VectorEvaluator {
  private pool: Float64Array[] = [];
  private used = 0;
  private readonly columns = new Map<string, Float64Array>();

  evaluate(e: BoundExpr, n: number, out: Float64Array, gather: (column: BoundExpr, out: Float64Array) => void): void {
    this.used = 0;
    this.columns.clear();
    const r = this.node(e, n, gather);
    out.set(r.subarray(0, n));
  }

  private temp(n: number): Float64Array {
    let b = this.pool[this.used];
    if (b === undefined || b.length < n) {
      b = new Float64Array(Math.max(n, 1024));
      this.pool[this.used] = b;
    }
    this.used++;
    return b;
  }

  private node(e: BoundExpr, n: number, gather: (column: BoundExpr, out: Float64Array) => void): Float64Array {
    if (e.kind === 'column') {
      let b = this.columns.get(e.column.name);
      if (b === undefined) {
        b = this.temp(n);
        gather(e, b);
        this.columns.set(e.column.name, b);
      }
      return b;
    }
    if (e.kind === 'literal') {
      const b = this.temp(n);
      b.fill(Number(e.value as number | bigint), 0, n);
      return b;
    }
    if (e.kind !== 'call') throw new Error(`not a vector expression: ${e.kind}`);
    const a = this.node(e.args[0]!, n, gather);
    const c = this.node(e.args[1]!, n, gather);
    const out = this.temp(n);
    switch (OPS[e.fn]!) {
      case 'add':
        for (let i = 0; i < n; i++) out[i] = a[i]! + c[i]!;
        break;
      case 'sub':
        for (let i = 0; i < n; i++) out[i] = a[i]! - c[i]!;
        break;
      case 'mult':
        for (let i = 0; i < n; i++) out[i] = a[i]! * c[i]!;
        break;
      case 'div':
        for (let i = 0; i < n; i++) out[i] = a[i]! / c[i]!;
        break;
      case 'mod':
        for (let i = 0; i < n; i++) out[i] = a[i]! % c[i]!;
        break;
    }
    return out;
  }
}
