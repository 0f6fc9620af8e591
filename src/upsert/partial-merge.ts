import type { CellValue, ScalarValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';

import type { PartialUpsertStrategy } from '../config/upsert-config.js';

export { PARTIAL_UPSERT_STRATEGIES } from '../config/upsert-config.js';
export type { PartialUpsertStrategy };

/** A row in schema column order; `null` = the record had no value for the column. */
export type UpsertRow = readonly (CellValue | null)[];

/** One strategy per schema column, in schema order, resolved once per table. */
export interface PartialUpsertPlan {
  readonly strategies: readonly PartialUpsertStrategy[];
}

/**
 * Resolves each column's strategy: primary-key and comparison columns always take the new
 * record's value (OVERWRITE, as Pinot never merges them), a column named in `strategies` takes
 * that strategy, every other column `defaultStrategy` (Pinot's default: OVERWRITE). The config
 * layer has already checked the names and the strategy/type rules.
 *
 * @example
 *   const plan = planPartialUpsert(schema, { strategies: { clicks: 'INCREMENT' }, defaultStrategy: 'OVERWRITE', comparisonColumns: ['ts'] });
 */
export function planPartialUpsert(
  schema: TableSchema,
  settings: {
    readonly strategies: Readonly<Record<string, PartialUpsertStrategy>>;
    readonly defaultStrategy: PartialUpsertStrategy;
    readonly comparisonColumns: readonly string[];
  },
): PartialUpsertPlan {
  const fixed = new Set([...schema.primaryKeyColumns, ...settings.comparisonColumns]);
  return Object.freeze({
    strategies: Object.freeze(schema.columns.map((c) => (fixed.has(c.name) ? 'OVERWRITE' : (settings.strategies[c.name] ?? settings.defaultStrategy)))),
  });
}

/**
 * Merges a key's new record into its previous live row, column by column, with Pinot's null
 * rules: a null new value keeps the previous one (except FORCE_OVERWRITE, which stores the null),
 * and a null previous value takes the new one. Never mutates its inputs.
 *
 * - OVERWRITE: the new value. FORCE_OVERWRITE: the new value, null included.
 * - IGNORE: the previous value (the first non-null value a key ever had stays).
 * - INCREMENT: previous + new (INT/LONG/FLOAT/DOUBLE; LONG exact as bigint).
 * - APPEND: the previous values followed by the new ones (multi-value columns).
 * - UNION: the previous values followed by the new ones not already present, each value once.
 * - MAX / MIN: the larger / smaller of the two (numbers, bigints or strings).
 */
export function mergePartialRow(plan: PartialUpsertPlan, previous: UpsertRow, incoming: UpsertRow): (CellValue | null)[] {
  const merged: (CellValue | null)[] = new Array(incoming.length);
  for (let i = 0; i < incoming.length; i++) {
    merged[i] = mergeValue(plan.strategies[i]!, previous[i] ?? null, incoming[i] ?? null);
  }
  return merged;
}

function mergeValue(strategy: PartialUpsertStrategy, previous: CellValue | null, incoming: CellValue | null): CellValue | null {
  if (strategy === 'FORCE_OVERWRITE') return incoming;
  if (incoming === null) return previous;
  if (previous === null) return incoming;
  switch (strategy) {
    case 'OVERWRITE':
      return incoming;
    case 'IGNORE':
      return previous;
    case 'INCREMENT':
      return add(previous, incoming);
    case 'APPEND':
      return [...asArray(previous), ...asArray(incoming)];
    case 'UNION':
      return union(asArray(previous), asArray(incoming));
    case 'MAX':
      return compare(incoming, previous) > 0 ? incoming : previous;
    case 'MIN':
      return compare(incoming, previous) < 0 ? incoming : previous;
  }
}

function add(a: CellValue, b: CellValue): CellValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') return BigInt.asIntN(64, a + b);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  throw new TypeError(`INCREMENT needs two numbers of one type, got ${typeof a} and ${typeof b}`);
}

function asArray(value: CellValue): ScalarValue[] {
  return Array.isArray(value) ? value : [value];
}

function union(previous: readonly ScalarValue[], incoming: readonly ScalarValue[]): ScalarValue[] {
  const seen = new Set<unknown>();
  const out: ScalarValue[] = [];
  for (const v of [...previous, ...incoming]) {
    const key = v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

function compare(a: CellValue, b: CellValue): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TypeError(`MAX/MIN need two comparable values of one type, got ${typeof a} and ${typeof b}`);
}
